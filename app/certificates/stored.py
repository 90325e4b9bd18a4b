"""A certificate's PDFs in the file storage: rendered at issue, on request, after a re-issue."""

from __future__ import annotations

import hashlib
import json

from flask import current_app
from sqlalchemy import select

from app.certificates import credential as ob3
from app.certificates.emblem import emblem_bytes
from app.certificates.models import Certificate, SupersededPdf
from app.certificates.pdf import (
    CertificateContent,
    CompetenceLine,
    attachment_description,
    render_certificate,
)
from app.certificates.pdfa import Attachment
from app.certificates.pdfcredential import CREDENTIAL_FILE
from app.core.storage import storage
from app.extensions import db
from app.framework.models import ProficiencyLevel


def storage_key(certificate: Certificate, variant: str = "") -> str:
    suffix = f".{variant}" if variant else ""
    return f"certificates/{certificate.institution_id}/{certificate.serial}{suffix}.pdf"


def level_names() -> dict[int, dict[str, str]]:
    return {row.level: dict(row.names) for row in db.session.scalars(select(ProficiencyLevel))}


def content_of(certificate: Certificate) -> CertificateContent:
    levels = level_names()
    base_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return CertificateContent(
        serial=certificate.serial,
        code=certificate.code,
        verify_url=ob3.verify_url(base_url, certificate.code),
        learner_name=certificate.learner_name,
        course_titles=certificate.course_titles,
        workload_hours=certificate.workload_hours,
        competences=[
            CompetenceLine(item["names"], item["level"], levels.get(item["level"], {}))
            for item in certificate.competences
        ],
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        institution_name=certificate.institution.name,
        signatory_name=certificate.signatory_name,
        signatory_title=certificate.signatory_title,
        emblem=emblem_bytes(certificate.institution),
        issued_at=certificate.issued_at,
        modified_at=certificate.reissued_at or certificate.issued_at,
    )


def credential_json(certificate: Certificate) -> str:
    return json.dumps(certificate.credential, ensure_ascii=False, indent=2)


def credential_attachment(certificate: Certificate, language: str) -> Attachment:
    """The signed credential as the PDF carries it: the same bytes as its download."""
    return Attachment(
        name=CREDENTIAL_FILE,
        data=credential_json(certificate).encode("utf-8"),
        mime="application/ld+json",
        description=attachment_description(language),
        modified_at=certificate.reissued_at or certificate.issued_at,
    )


def write_pdf(certificate: Certificate, languages: tuple[str, ...], variant: str = "") -> bytes:
    attachment = credential_attachment(certificate, languages[0])
    data = render_certificate(content_of(certificate), languages, attachment)
    # A certificate is personal data: the local backend keeps it readable by the server's user only.
    storage().write(storage_key(certificate, variant), data)
    return data


def pdf_bytes(certificate: Certificate, english: bool = False) -> bytes:
    """The stored PDF; the English version is rendered on first request, then stored too."""
    main = tuple(certificate.pdf_languages)
    if not english or main[0] == "en":
        data = storage().read(storage_key(certificate))
        # None: a restored database without its storage folder; rendered again from the record.
        return write_pdf(certificate, main) if data is None else data
    data = storage().read(storage_key(certificate, "en"))
    if data is not None:
        return data
    data = write_pdf(certificate, ("en", main[0]), "en")
    certificate.pdf_en_sha256 = hashlib.sha256(data).hexdigest()
    return data


def rewrite_pdfs(certificate: Certificate) -> None:
    """Render the stored PDFs again (after a re-issue: they carry the credential).

    The hashes of the copies they replace are kept, so `flask certificates verify` recognises
    an old copy and says what became of it instead of calling it unknown.
    """
    main = tuple(certificate.pdf_languages)
    old = [certificate.pdf_sha256]
    certificate.pdf_sha256 = hashlib.sha256(write_pdf(certificate, main)).hexdigest()
    if certificate.pdf_en_sha256 and main[0] != "en":
        old.append(certificate.pdf_en_sha256)
        english = write_pdf(certificate, ("en", main[0]), "en")
        certificate.pdf_en_sha256 = hashlib.sha256(english).hexdigest()
    for digest in old:
        if digest:
            db.session.add(SupersededPdf(certificate_id=certificate.id, sha256=digest))
