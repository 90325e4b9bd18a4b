"""Reading certificate PDFs with pikepdf in the tests: structure, marked content, attachments."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator

import pikepdf
from PIL import Image

# Operators that put something on the page (ISO 32000-1, tables 51, 60, 87, 107).
PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh"}


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    """Every structure element under `node`, depth first, in reading order."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from elements(kid)


def mcids(element: pikepdf.Dictionary) -> list[int]:
    kids = element.K
    return [int(kid) for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
            if isinstance(kid, int)]  # fmt: skip


def marked_content(page: pikepdf.Page) -> tuple[dict[int, str], list[str]]:
    """(MCID -> tag of its sequence, painting operators found outside any marked content)."""
    found: dict[int, str] = {}
    untagged: list[str] = []
    depth = 0
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BDC", "BMC"):
            depth += 1
            properties = operands[1] if name == "BDC" else None
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                found[int(properties.MCID)] = str(operands[0])
        elif name == "EMC":
            depth -= 1
        elif name in PAINTING and depth == 0:
            untagged.append(name)
    return found, untagged


def without_attachments(data: bytes) -> bytes:
    with open_pdf(data) as pdf:
        del pdf.Root.AF
        del pdf.Root.Names
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def with_credential_bytes(data: bytes, credential: bytes, raw: bool = False) -> bytes:
    """The PDF with its embedded credential.json replaced (`raw`: as the stored, encoded bytes)."""
    with open_pdf(data) as pdf:
        stream = pdf.Root.AF[0].EF.F
        if raw:
            stream.write(credential, filter=pikepdf.Name.FlateDecode)
        else:
            stream.write(credential)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def png(width: int, height: int, mode: str = "RGBA", color=(11, 83, 148, 128)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, "PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * (width + 1) * 4)  # a few rows; the rest would be zeros too
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
