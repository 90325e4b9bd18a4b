"""The certificate PDF as an archive document: PDF/A-3, tagged for accessibility, self-contained."""

from __future__ import annotations

import io
import json
import re

import pikepdf
import pikepdf.pdfa
import pytest

from app.auth.models import User
from app.auth.services import institution_by_slug
from app.certificates import emblem, services, stored
from app.certificates.models import Certificate
from app.core.storage import storage
from app.courses.services import get_course
from app.extensions import db
from tests.certificates.conftest import pdf_text
from tests.certificates.pdfs import elements, marked_content, mcids, open_pdf, png

XMP = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}


def _issue(app, make_user, with_emblem: bool, language: str = "sl") -> tuple[Certificate, bytes]:
    """A certificate of alpha (ZRS Bistra Ptuj) issued through the app, and its stored PDF."""
    learner = make_user(full_name="Čedomir Đurđević Šuštar Žiža", language=language)
    with app.app_context():
        if with_emblem:
            # A logo with a half-transparent background, as one exported from a drawing program.
            emblem.set_emblem(institution_by_slug("bistra-ptuj"), png(600, 300), None)
        certificate, _ = services.issue(db.session.get(User, learner), get_course("alpha"))
        db.session.commit()
        data = storage().read(stored.storage_key(certificate))
        db.session.refresh(certificate)
        db.session.expunge(certificate)
        return certificate, data


@pytest.fixture
def issued(app, courses, make_user) -> tuple[Certificate, bytes]:
    return _issue(app, make_user, with_emblem=True)


def _as_level_b(data: bytes) -> bytes:
    """pikepdf's validator checks level B: the file's level A claim is the only thing it refuses
    (level A is level B plus the tagging that test_the_structure_tree_* checks)."""
    claim = b"<pdfaid:conformance>A</pdfaid:conformance>"
    assert data.count(claim) == 1  # the XMP stream is not compressed (6.6.2.1)
    return data.replace(claim, b"<pdfaid:conformance>B</pdfaid:conformance>")


@pytest.mark.parametrize("with_emblem", [True, False], ids=["emblem", "no-emblem"])
def test_the_pdf_passes_the_pdfa_3b_validator(app, courses, make_user, with_emblem):
    _certificate, data = _issue(app, make_user, with_emblem)
    report = pikepdf.pdfa.validate_written(io.BytesIO(_as_level_b(data)), "3b")
    assert report.passed, report.summary()


def test_the_english_copy_passes_too_and_says_it_is_english(app, client, issued):
    from tests.conftest import login

    certificate, _data = issued
    login(client, certificate.user_id)
    english = client.get(f"/certificates/{certificate.id}.pdf?lang=en").data
    assert pikepdf.pdfa.validate_written(io.BytesIO(_as_level_b(english)), "3b").passed
    with open_pdf(english) as pdf:
        assert pdf.Root.Lang == "en"
        sections = [e for e in elements(pdf.Root.StructTreeRoot) if e.S == "/Sect"]
        assert [section.get("/Lang") for section in sections] == [None, "sl"]


def test_xmp_says_pdfa_3a_and_agrees_with_the_document_information(issued):
    certificate, data = issued
    with open_pdf(data) as pdf:
        stream = pdf.Root.Metadata
        assert stream.Subtype == "/XML"
        assert "/Filter" not in stream
        xmp = stream.read_bytes()
        info = pdf.docinfo
        assert "/Encrypt" not in pdf.trailer
        assert pdf.pdf_version == "1.7"
    from lxml import etree

    tree = etree.fromstring(xmp)
    description = tree.find(".//rdf:Description", XMP)
    assert description.findtext("pdfaid:part", namespaces=XMP) == "3"
    assert description.findtext("pdfaid:conformance", namespaces=XMP) == "A"
    title = description.findtext("dc:title/rdf:Alt/rdf:li", namespaces=XMP)
    assert title == str(info.Title)
    assert "Čedomir Đurđević Šuštar Žiža" in title
    assert certificate.serial in title
    assert description.findtext("dc:creator/rdf:Seq/rdf:li", namespaces=XMP) == str(info.Author)
    assert str(info.Author) == "Znanstveno-raziskovalno središče Bistra Ptuj"
    languages = description.findall("dc:language/rdf:Bag/rdf:li", XMP)
    assert [item.text for item in languages] == ["sl", "hr"]
    created = description.findtext("xmp:CreateDate", namespaces=XMP)
    assert created == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert str(info.CreationDate) == certificate.issued_at.strftime("D:%Y%m%d%H%M%S+00'00'")
    assert description.findtext("pdf:Producer", namespaces=XMP) == str(info.Producer)


def test_output_intent_is_an_embedded_srgb_profile(issued):
    _certificate, data = issued
    with open_pdf(data) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1"
        assert "sRGB" in str(intent.OutputConditionIdentifier)
        profile = intent.DestOutputProfile
        assert int(profile.N) == 3
        icc = profile.read_bytes()
    assert icc[36:40] == b"acsp"
    assert icc[16:20] == b"RGB "


def test_fonts_are_embedded_and_map_to_unicode_and_nothing_is_transparent(issued):
    _certificate, data = issued
    with open_pdf(data) as pdf:
        resources = pdf.pages[0].Resources
        fonts = list(resources.Font.values())
        assert fonts
        for font in fonts:
            assert "/FontFile2" in font.FontDescriptor, font.BaseFont  # the TrueType program
            assert "/ToUnicode" in font, font.BaseFont
        images = [x for x in resources.XObject.values() if x.Subtype == "/Image"]
        assert len(images) == 1  # the emblem
        assert "/SMask" not in images[0]
        assert "/Mask" not in images[0]
        assert images[0].ColorSpace == "/DeviceRGB"
        assert "/ExtGState" not in resources
        assert "/Group" not in pdf.pages[0]


def test_the_structure_tree_tags_every_mark_on_the_page(issued):
    _certificate, data = issued
    with open_pdf(data) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.Lang == "sl"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        root = pdf.Root.StructTreeRoot
        page = pdf.pages[0]
        tags, untagged = marked_content(page)
        assert untagged == []  # all drawn content is structure or an artifact
        owners = list(root.ParentTree.Nums[1])
        assert int(root.ParentTree.Nums[0]) == int(page.obj.StructParents)
        assert sorted(tags) == list(range(len(owners)))
        for mcid, owner in enumerate(owners):
            assert mcid in mcids(owner)
            assert tags[mcid] == str(owner.S)  # the sequence is named after its element
        for element in elements(root):
            assert element.S in {"/Document", "/Sect", "/H1", "/H2", "/P", "/Span", "/L",
                                 "/LI", "/Lbl", "/LBody", "/Figure"}  # fmt: skip


def test_the_structure_has_headings_lists_languages_and_alternative_texts(issued):
    certificate, data = issued
    with open_pdf(data) as pdf:
        tree = list(elements(pdf.Root.StructTreeRoot))
    roles = [str(element.S) for element in tree]
    assert roles[0] == "/Document"
    sections = [element for element in tree if element.S == "/Sect"]
    assert [section.get("/Lang") for section in sections] == [None, "hr"]  # sl is the document's
    for section in sections:
        inside = [str(element.S) for element in elements(section)]
        assert inside[0] == "/H1"
        assert inside.count("/H2") == 1  # "Competences attested"
        assert inside.count("/LI") == len(certificate.competences)
        assert inside.count("/Lbl") == inside.count("/LBody") == len(certificate.competences)
    # The labels printed in both languages carry the second one as a Croatian span.
    spans = [element for element in tree if element.S == "/Span"]
    assert len(spans) == 3
    assert all(span.Lang == "hr" for span in spans)
    footer_languages = [element.get("/Lang") for element in tree[-2:]]
    assert footer_languages == [None, "hr"]
    figures = {str(element.Alt): element for element in tree if element.S == "/Figure"}
    assert set(figures) == {
        "Grb ustanove Znanstveno-raziskovalno središče Bistra Ptuj",
        f"Koda QR, ki odpre stran za preverjanje http://127.0.0.1:5000/verify/{certificate.code}",
    }
    for figure in figures.values():
        assert figure.A.O == "/Layout"
        assert len(figure.A.BBox) == 4


def test_the_signed_credential_is_an_associated_file(issued):
    certificate, data = issued
    with open_pdf(data) as pdf:
        (spec,) = pdf.Root.AF
        assert spec.Type == "/Filespec"
        assert str(spec.F) == str(spec.UF) == "credential.json"
        assert spec.AFRelationship == "/Data"
        stream = spec.EF.F
        assert stream.Type == "/EmbeddedFile"
        assert stream.Subtype == "/application/ld+json"
        assert "/ModDate" in stream.Params
        embedded = stream.read_bytes()
        assert int(stream.Params.Size) == len(embedded)
        listed = pdf.Root.Names.EmbeddedFiles.Names
        assert str(listed[0]) == "credential.json"
        assert listed[1].objgen == spec.objgen
    assert json.loads(embedded) == certificate.credential
    assert re.search(rb"/Subtype\s*/application#2[Ff]ld\+json", pikepdf_raw(data))


def pikepdf_raw(data: bytes) -> bytes:
    """The file with its object streams unpacked, to read names as they are written."""
    with open_pdf(data) as pdf:
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
        return out.getvalue()


def test_the_text_still_reads_and_a_lost_file_renders_the_same_bytes(app, issued, tmp_path):
    certificate, data = issued
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    flat = pdf_text(path)
    assert "Čedomir Đurđević Šuštar Žiža" in flat
    assert "Serijska številka / Serijski broj: " + certificate.serial in flat
    assert "Alfa tečaj na hrvatskom" in flat
    with app.app_context():
        record = db.session.get(Certificate, certificate.id)
        storage().delete(stored.storage_key(record))
        # A storage folder restored without the file: rendered again, the stored hash still fits.
        assert stored.pdf_bytes(record) == data
