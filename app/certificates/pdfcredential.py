"""The signed credential read back out of a certificate PDF (its associated file), untrusted."""

from __future__ import annotations

import io
import zlib

import pikepdf

# A credential is a few kilobytes; more than this is not one of ours (nor unpacked to find out).
MAX_CREDENTIAL_BYTES = 1024 * 1024
CREDENTIAL_FILE = "credential.json"


class AttachmentError(Exception):
    """The PDF cannot be read, or carries no credential that can be read: the reason."""


def _name(spec: pikepdf.Object) -> str:
    for key in ("/UF", "/F"):
        value = spec.get(key)
        if isinstance(value, pikepdf.String):
            return str(value)
    return ""


def _specs(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """File specifications: the document's associated files first, then its attachments."""
    found: list[pikepdf.Dictionary] = []
    associated = pdf.Root.get("/AF")
    if isinstance(associated, pikepdf.Array):
        found += [item for item in associated if isinstance(item, pikepdf.Dictionary)]
    names = pdf.Root.get("/Names")
    embedded = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    listed = embedded.get("/Names") if isinstance(embedded, pikepdf.Dictionary) else None
    if isinstance(listed, pikepdf.Array):
        found += [item for item in list(listed)[1::2] if isinstance(item, pikepdf.Dictionary)]
    return found


def _contents(stream: pikepdf.Stream) -> bytes:
    """The embedded file's bytes, unpacked with a ceiling (a small stream may inflate to GBs)."""
    raw = stream.read_raw_bytes()
    filters = stream.get("/Filter")
    if filters is None:
        data = raw
    elif filters == pikepdf.Name.FlateDecode and "/DecodeParms" not in stream:
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, MAX_CREDENTIAL_BYTES + 1)
    else:
        raise AttachmentError("the embedded credential is stored in an encoding this does not read")
    if len(data) > MAX_CREDENTIAL_BYTES:
        raise AttachmentError("the embedded credential.json is too large to be a credential")
    return data


def embedded_credential(data: bytes) -> bytes:
    """The bytes of the PDF's credential.json; raises AttachmentError saying what is wrong."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, ValueError) as error:
        raise AttachmentError("the file is not a PDF that can be read") from error
    with pdf:
        try:
            spec = next((item for item in _specs(pdf) if _name(item) == CREDENTIAL_FILE), None)
            if spec is None:
                raise AttachmentError(
                    "the PDF carries no embedded credential (credential.json): it is not a "
                    "certificate of this platform, or one made before credentials were embedded"
                )
            files = spec.get("/EF")
            stream = (
                files.get("/UF", files.get("/F")) if isinstance(files, pikepdf.Dictionary) else None
            )
            if not isinstance(stream, pikepdf.Stream):
                raise AttachmentError("the embedded credential.json has no contents")
            return _contents(stream)
        except (pikepdf.PdfError, zlib.error, ValueError, TypeError, KeyError) as error:
            raise AttachmentError("the embedded credential.json is damaged") from error
