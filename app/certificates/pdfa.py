"""The drawn certificate finished as PDF/A-3a: structure tree, XMP, sRGB output intent, credential.

ReportLab draws the page (with marked content, see `pdftags`); pikepdf then adds what an archive
document needs (ISO 19005-3): the structure tree with languages and alternative texts, XMP
metadata that identifies the file as PDF/A-3a and agrees with the document information, an sRGB
output intent, and the signed credential as an associated file, so the PDF alone can be
verified. Everything is derived from the certificate, so the same certificate gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from app.certificates.pdftags import Element, Tagger

ICC_PROFILE = Path(__file__).parent / "icc" / "sRGB.icc"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
PDFA_PART, PDFA_CONFORMANCE = "3", "A"
PRODUCER = "2SoKroG (ReportLab, pikepdf)"
# XML 1.0 cannot carry these characters even escaped; a name typed with one loses it here only.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class DocumentInfo:
    title: str
    author: str
    subject: str
    languages: tuple[str, ...]
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class Attachment:
    """A file carried inside the PDF as a PDF/A-3 associated file of the document."""

    name: str
    data: bytes
    mime: str
    description: str
    modified_at: datetime
    # Data: the information the page presents (ISO 32000-2, 14.13.2).
    relationship: str = "Data"


def finish(
    draft: bytes, tagger: Tagger, info: DocumentInfo, attachment: Attachment | None
) -> bytes:
    """The ReportLab draft as PDF/A-3a, with the attachment (if any) as an associated file."""
    with pikepdf.open(io.BytesIO(draft)) as pdf:
        page = pdf.pages[0].obj
        # ReportLab writes an empty page transition (for slide shows): nothing an archive needs.
        if "/Trans" in page:
            del page.Trans
        _structure(pdf, page, tagger)
        _output_intent(pdf)
        if attachment is not None:
            _attach(pdf, attachment)
        _metadata(pdf, info)
        out = io.BytesIO()
        pdf.save(
            out,
            min_version="1.7",
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    return out.getvalue()


def _structure(pdf: pikepdf.Pdf, page: pikepdf.Dictionary, tagger: Tagger) -> None:
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    made: dict[int, pikepdf.Object] = {}

    def build(element: Element, parent: pikepdf.Object) -> pikepdf.Object:
        node = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name("/" + element.role), P=parent, Pg=page)
        )
        if element.lang:
            node.Lang = String(element.lang)
        if element.alt:
            node.Alt = String(element.alt)
        if element.bbox:
            node.A = Dictionary(O=Name.Layout, BBox=Array([round(v, 2) for v in element.bbox]))
        node.K = Array([kid if isinstance(kid, int) else build(kid, node) for kid in element.kids])
        made[id(element)] = node
        return node

    root.K = Array([build(tagger.root, root)])
    parents = Array([made[id(element)] for element in tagger.parents()])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=Array([0, parents])))
    root.ParentTreeNextKey = 1
    page.StructParents = 0
    # Reading order for assistive technology follows the structure (PDF/UA, 7.18.3).
    page.Tabs = Name.S
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    assert tagger.root.lang is not None  # the Document element is given its language
    pdf.Root.Lang = String(tagger.root.lang)
    # Viewers show the title, not the file name (PDF/UA, 7.1).
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)


def _output_intent(pdf: pikepdf.Pdf) -> None:
    profile = pdf.make_stream(ICC_PROFILE.read_bytes(), N=3)
    pdf.Root.OutputIntents = Array(
        [
            Dictionary(
                Type=Name.OutputIntent,
                S=Name.GTS_PDFA1,
                OutputConditionIdentifier=String(OUTPUT_CONDITION),
                Info=String(OUTPUT_CONDITION),
                RegistryName=String("http://www.color.org"),
                DestOutputProfile=profile,
            )
        ]
    )


def pdf_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def xmp_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _attach(pdf: pikepdf.Pdf, attachment: Attachment) -> None:
    stream = pdf.make_stream(attachment.data)
    stream.Type = Name.EmbeddedFile
    stream.Subtype = Name("/" + attachment.mime)  # written as /application#2Fld+json
    stream.Params = Dictionary(
        Size=len(attachment.data),
        ModDate=String(pdf_date(attachment.modified_at)),
        # An MD5 of the file, as ISO 32000-1 (7.11.4) defines the checksum: not for security.
        CheckSum=String(hashlib.md5(attachment.data, usedforsecurity=False).digest()),
    )
    spec = pdf.make_indirect(
        Dictionary(
            Type=Name.Filespec,
            F=String(attachment.name),
            UF=String(attachment.name),
            Desc=String(attachment.description),
            AFRelationship=Name("/" + attachment.relationship),
            EF=Dictionary(F=stream, UF=stream),
        )
    )
    # An associated file of the whole document (PDF/A-3, 6.8), listed as an attachment too.
    pdf.Root.AF = Array([spec])
    names = pdf.Root.get("/Names")
    if not isinstance(names, Dictionary):
        names = pdf.Root.Names = Dictionary()
    names.EmbeddedFiles = Dictionary(Names=Array([String(attachment.name), spec]))


def _xml(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def _metadata(pdf: pikepdf.Pdf, info: DocumentInfo) -> None:
    """XMP that says PDF/A-3a, and document information that says the same (6.6.2.3.1)."""
    created, modified = xmp_date(info.created_at), xmp_date(info.modified_at)
    languages = "".join(f"<rdf:li>{_xml(lang)}</rdf:li>" for lang in info.languages)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_xml(info.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{_xml(info.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{_xml(info.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag>{languages}</rdf:Bag></dc:language>
   <pdf:Producer>{_xml(PRODUCER)}</pdf:Producer>
   <xmp:CreatorTool>2SoKroG</xmp:CreatorTool>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <xmp:ModifyDate>{modified}</xmp:ModifyDate>
   <xmp:MetadataDate>{modified}</xmp:MetadataDate>
   <pdfaid:part>{PDFA_PART}</pdfaid:part>
   <pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""  # noqa: E501 (one property a line reads best)
    stream = pdf.make_stream(packet.encode("utf-8"))
    stream.Type = Name.Metadata
    stream.Subtype = Name.XML
    pdf.Root.Metadata = stream
    pdf.trailer.Info = pdf.make_indirect(
        Dictionary(
            Title=String(_NOT_XML.sub("", info.title)),
            Author=String(_NOT_XML.sub("", info.author)),
            Subject=String(_NOT_XML.sub("", info.subject)),
            Creator=String("2SoKroG"),
            Producer=String(PRODUCER),
            CreationDate=String(pdf_date(info.created_at)),
            ModDate=String(pdf_date(info.modified_at)),
        )
    )
