"""Issuing, revoking, listing and verifying certificates (no request context needed)."""

from __future__ import annotations

import calendar
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import extract, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import Institution, User
from app.certificates import credential as ob3
from app.certificates import integrity, keys
from app.certificates.models import Certificate, CertificateCounter, InstitutionKey
from app.certificates.pdf import CertificateContent, CompetenceLine, render_certificate
from app.competences.models import ProficiencyLevel
from app.core.database import local_today, utcnow
from app.core.errors import DomainError
from app.core.i18n import pick_text
from app.courses.models import Course
from app.extensions import db

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_BYTES = 10  # 80 random bits: 16 characters of Crockford base32
# Letters people confuse when they read a code aloud or type it from paper.
_CODE_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
OTHER_COUNTRY_LANGUAGE = {"sl": "hr", "hr": "sl"}
COUNTRY_LANGUAGE = {"SI": "sl", "HR": "hr"}


class RevocationError(DomainError):
    pass


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def new_code() -> str:
    number = int.from_bytes(secrets.token_bytes(CODE_BYTES), "big")
    return "".join(CROCKFORD[(number >> shift) & 31] for shift in range(75, -1, -5))


def normalise_code(text: str) -> str | None:
    """A typed code in canonical form, or None if it cannot be one of ours."""
    code = "".join(text.split()).replace("-", "").upper().translate(_CODE_FIXES)
    if len(code) != 2 * CODE_BYTES * 8 // 10 or any(char not in CROCKFORD for char in code):
        return None
    return code


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def pdf_languages(language: str, institution: Institution) -> tuple[str, str]:
    """The learner's language beside the other country's (sl, hr); English beside the issuer's."""
    if language in OTHER_COUNTRY_LANGUAGE:
        return (language, OTHER_COUNTRY_LANGUAGE[language])
    return (language, COUNTRY_LANGUAGE.get(institution.country, "sl"))


def storage_path(certificate: Certificate, variant: str = "") -> Path:
    suffix = f".{variant}" if variant else ""
    return (
        Path(current_app.config["STORAGE_DIR"])
        / "certificates"
        / str(certificate.institution_id)
        / f"{certificate.serial}{suffix}.pdf"
    )


def certificate_for(user_id: int, course_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id == course_id
        )
    )


def _lock_counter(institution: Institution) -> CertificateCounter:
    """Lock the institution's counter row (a write takes the lock on SQLite and PostgreSQL)."""
    lock = (
        update(CertificateCounter)
        .where(CertificateCounter.institution_id == institution.id)
        .values(year=CertificateCounter.year)
        .execution_options(synchronize_session=False)
    )
    if not db.session.execute(lock).rowcount:
        # The institution's first certificate: create the row; a concurrent creator wins quietly.
        dialect = db.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        db.session.execute(
            insert(CertificateCounter)
            .values(institution_id=institution.id, year=0, serial=0, status_slots=0)
            .on_conflict_do_nothing(index_elements=["institution_id"])
        )
        db.session.execute(lock)
    return db.session.scalars(
        select(CertificateCounter)
        .where(CertificateCounter.institution_id == institution.id)
        .execution_options(populate_existing=True)
    ).one()


def _frozen_competences(course: Course) -> list[dict[str, Any]]:
    return [
        {
            "code": row.competence.code,
            "names": dict(row.competence.names),
            "level": row.level,
            "esco": row.competence.esco_uri,
        }
        for row in sorted(course.competences, key=lambda row: row.competence.position)
    ]


def _level_names() -> dict[int, dict[str, str]]:
    return {row.level: dict(row.names) for row in db.session.scalars(select(ProficiencyLevel))}


def content_of(certificate: Certificate) -> CertificateContent:
    levels = _level_names()
    return CertificateContent(
        serial=certificate.serial,
        code=certificate.code,
        verify_url=ob3.verify_url(base_url(), certificate.code),
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
    )


def _write_pdf(certificate: Certificate, languages: tuple[str, ...], variant: str = "") -> bytes:
    data = render_certificate(content_of(certificate), languages)
    path = storage_path(certificate, variant)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def issue(
    user: User, course: Course, issued_by: User | None = None, today: date | None = None
) -> tuple[Certificate, bool]:
    """The learner's certificate for the course: issued now, or the one they already have.

    Returns (certificate, created). Safe under concurrency: the institution's counter row is
    locked before the second look for an existing certificate.
    """
    existing = certificate_for(user.id, course.id)
    if existing:
        return existing, False
    institution = course.institution
    counter = _lock_counter(institution)
    existing = certificate_for(user.id, course.id)
    if existing:
        return existing, False
    key = keys.active_key(institution.id) or keys.generate_key(institution)
    signing_key = keys.private_key(institution, key)

    issued_at = utcnow()
    issued_on = today or local_today()
    if counter.year != issued_on.year:
        counter.year, counter.serial = issued_on.year, 0
    counter.serial += 1
    status_index = counter.status_slots
    counter.status_slots += 1
    texts = {text.language: text for text in course.texts}
    validity = course.certificate_validity_months
    certificate = Certificate(
        serial=f"{institution.slug.upper()}-{issued_on.year}-{counter.serial:06d}",
        code=new_code(),
        user_id=user.id,
        course_id=course.id,
        institution_id=institution.id,
        learner_name=user.full_name,
        language=user.language,
        course_titles={lang: text.title for lang, text in texts.items()},
        content_version=course.content_hash,
        workload_hours=course.workload_hours,
        competences=_frozen_competences(course),
        signatory_name=institution.signatory_name,
        signatory_title=institution.signatory_title,
        issued_at=issued_at,
        issued_on=issued_on,
        expires_on=add_months(issued_on, validity) if validity else None,
        issued_by_id=issued_by.id if issued_by else None,
        status_index=status_index,
        key_id=key.id,
        pdf_languages=list(pdf_languages(user.language, institution)),
        credential={},
    )
    certificate.institution = institution
    unsigned = ob3.build_credential(
        base_url=base_url(),
        code=certificate.code,
        institution={"slug": institution.slug, "name": institution.name},
        learner_name=certificate.learner_name,
        language=certificate.language,
        course_slug=course.slug,
        course_titles=certificate.course_titles,
        course_summaries={lang: text.summary for lang, text in texts.items()},
        content_version=certificate.content_version,
        workload_hours=certificate.workload_hours,
        competences=certificate.competences,
        level_names=_level_names(),
        issued_at=issued_at,
        expires_on=certificate.expires_on,
        status_index=status_index,
    )
    certificate.credential = _sign(unsigned, institution, key, signing_key, issued_at)
    db.session.add(certificate)
    db.session.flush()
    pdf = _write_pdf(certificate, tuple(certificate.pdf_languages))
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    return certificate, True


def _sign(
    document: dict[str, Any],
    institution: Institution,
    key: InstitutionKey,
    signing_key: Any,
    created: datetime,
) -> dict[str, Any]:
    method = f"{ob3.issuer_id(base_url(), institution.slug)}#{key.public_key_multibase}"
    return integrity.sign(document, signing_key, method, ob3.iso(created))


def pdf_bytes(certificate: Certificate, english: bool = False) -> bytes:
    """The stored PDF; the English version is rendered on first request, then stored too."""
    main = tuple(certificate.pdf_languages)
    if not english or main[0] == "en":
        path = storage_path(certificate)
        if not path.exists():  # a restored database without its storage folder
            return _write_pdf(certificate, main)
        return path.read_bytes()
    path = storage_path(certificate, "en")
    if path.exists():
        return path.read_bytes()
    data = _write_pdf(certificate, ("en", main[0]), "en")
    certificate.pdf_en_sha256 = hashlib.sha256(data).hexdigest()
    return data


def credential_json(certificate: Certificate) -> str:
    return json.dumps(certificate.credential, ensure_ascii=False, indent=2)


def revoke(certificate: Certificate, by: User, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise RevocationError(gettext("Give the reason for the revocation."))
    if certificate.revoked_at:
        raise RevocationError(gettext("This certificate is already revoked."))
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = by.id


# --- status -------------------------------------------------------------------------------------

VALID, EXPIRED, REVOKED, UNKNOWN = "valid", "expired", "revoked", "unknown"


def status_of(certificate: Certificate, today: date | None = None) -> str:
    if certificate.revoked_at:
        return REVOKED
    if certificate.expires_on and certificate.expires_on < (today or local_today()):
        return EXPIRED
    return VALID


def find_by_code(text: str) -> Certificate | None:
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.code == code)
        .options(joinedload(Certificate.institution), joinedload(Certificate.course))
    )


def find_by_serial(serial: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.serial == serial))


def status_list_credential(institution: Institution) -> dict[str, Any]:
    """The institution's signed revocation list: one bit per certificate it issued."""
    revoked = set(
        db.session.scalars(
            select(Certificate.status_index).where(
                Certificate.institution_id == institution.id, Certificate.revoked_at.is_not(None)
            )
        )
    )
    last_change = db.session.scalar(
        select(func.max(func.coalesce(Certificate.revoked_at, Certificate.issued_at))).where(
            Certificate.institution_id == institution.id
        )
    )
    key = keys.active_key(institution.id) or keys.generate_key(institution)
    moment = last_change or key.created_at
    unsigned = ob3.build_status_list(
        base_url=base_url(), slug=institution.slug, revoked=revoked, valid_from=moment
    )
    return _sign(unsigned, institution, key, keys.private_key(institution, key), moment)


# --- verifying a file ---------------------------------------------------------------------------


@dataclass
class FileCheck:
    ok: bool
    reason: str
    certificate: Certificate | None = None


def _revoked(certificate: Certificate) -> FileCheck:
    when = f"{certificate.revoked_at:%Y-%m-%d}"
    return FileCheck(False, f"revoked on {when}: {certificate.revoked_reason}", certificate)


def _institution_from_issuer(issuer: Any) -> Institution | None:
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    prefix = f"{base_url()}/issuers/"
    if not isinstance(issuer_id, str) or not issuer_id.startswith(prefix):
        return None
    return db.session.scalar(
        select(Institution).where(Institution.slug == issuer_id.removeprefix(prefix))
    )


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def verify_credential(document: dict[str, Any], now: datetime | None = None) -> FileCheck:
    """Signature, issuer key, validity period and revocation of an OpenBadgeCredential."""
    now = now or utcnow()
    if document.get("@context", [None])[:2] != [integrity.VC_V2, integrity.OB_V3]:
        return FileCheck(False, "not an Open Badges 3.0 credential (@context)")
    if "OpenBadgeCredential" not in document.get("type", []):
        return FileCheck(False, "not an OpenBadgeCredential (type)")
    institution = _institution_from_issuer(document.get("issuer"))
    if institution is None:
        return FileCheck(False, "the issuer is not an institution of this platform")
    try:
        proof = integrity.proofs(document)[0]
    except integrity.IntegrityError as error:
        return FileCheck(False, str(error))
    method = proof.get("verificationMethod", "")
    issuer_url = ob3.issuer_id(base_url(), institution.slug)
    if not isinstance(method, str) or not method.startswith(issuer_url + "#"):
        return FileCheck(False, "the proof was not made with a key of the credential's issuer")
    key = db.session.scalar(
        select(InstitutionKey).where(
            InstitutionKey.institution_id == institution.id,
            InstitutionKey.public_key_multibase == method.removeprefix(issuer_url + "#"),
        )
    )
    if key is None:
        return FileCheck(False, "the signing key is not one the issuer has published")
    valid_from = _parse_time(document.get("validFrom"))
    if valid_from is None:
        return FileCheck(False, "the credential has no valid validFrom date")
    # Credentials carry whole seconds: compare the key's lifetime at the same precision.
    created = key.created_at.replace(microsecond=0)
    if valid_from < created or (key.retired_at and valid_from > key.retired_at):
        return FileCheck(False, "the credential is dated outside the signing key's lifetime")
    try:
        integrity.verify(document, integrity.public_key_from_multibase(key.public_key_multibase))
    except integrity.IntegrityError as error:
        return FileCheck(False, str(error))
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.institution_id == institution.id)
        .where(Certificate.code == str(document.get("id", "")).rsplit("/", 1)[-1])
    )
    if certificate is None:
        return FileCheck(False, "the issuer has no record of this certificate")
    if valid_from > now:
        return FileCheck(False, "the credential is not valid yet", certificate)
    valid_until = _parse_time(document.get("validUntil")) if "validUntil" in document else None
    if "validUntil" in document and (valid_until is None or valid_until < now):
        return FileCheck(False, f"expired on {document['validUntil']}", certificate)
    if certificate.revoked_at:
        return _revoked(certificate)
    return FileCheck(True, f"valid: {certificate.serial}", certificate)


def verify_file(data: bytes) -> FileCheck:
    """A credential (JSON) by its proof; a PDF by its hash against the stored certificate."""
    if data.startswith(b"%PDF"):
        digest = hashlib.sha256(data).hexdigest()
        certificate = db.session.scalar(
            select(Certificate).where(
                or_(Certificate.pdf_sha256 == digest, Certificate.pdf_en_sha256 == digest)
            )
        )
        if certificate is None:
            return FileCheck(False, "this PDF is not a certificate issued here, or it was changed")
        status = status_of(certificate)
        if status == REVOKED:
            return _revoked(certificate)
        if status == EXPIRED:
            return FileCheck(False, f"expired on {certificate.expires_on}", certificate)
        return FileCheck(True, f"valid: {certificate.serial}", certificate)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return FileCheck(False, "the file is neither a PDF nor a JSON credential")
    if not isinstance(document, dict):
        return FileCheck(False, "the file is not a JSON credential")
    return verify_credential(document)


# --- lists --------------------------------------------------------------------------------------


@dataclass
class CertificateFilters:
    course_id: int | None = None
    status: str | None = None
    search: str = ""
    year: int | None = None


def _filtered(query, filters: CertificateFilters, today: date):
    if filters.course_id:
        query = query.where(Certificate.course_id == filters.course_id)
    if filters.year:
        query = query.where(
            Certificate.issued_on >= date(filters.year, 1, 1),
            Certificate.issued_on <= date(filters.year, 12, 31),
        )
    if filters.search:
        pattern = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Certificate.learner_name).like(pattern),
                func.lower(Certificate.serial).like(pattern),
            )
        )
    if filters.status == REVOKED:
        query = query.where(Certificate.revoked_at.is_not(None))
    elif filters.status == EXPIRED:
        query = query.where(Certificate.revoked_at.is_(None), Certificate.expires_on < today)
    elif filters.status == VALID:
        query = query.where(
            Certificate.revoked_at.is_(None),
            or_(Certificate.expires_on.is_(None), Certificate.expires_on >= today),
        )
    return query


def list_certificates(
    institution_id: int | None, filters: CertificateFilters, limit: int | None = None
) -> list[Certificate]:
    """Certificates, newest first: of one institution's employees, or all (institution None)."""
    query = select(Certificate).options(
        joinedload(Certificate.user),
        joinedload(Certificate.institution),
        selectinload(Certificate.course).selectinload(Course.texts),
    )
    if institution_id is not None:
        # HR sees their own employees' certificates, whichever partner issued them.
        query = query.join(User, User.id == Certificate.user_id).where(
            User.institution_id == institution_id
        )
    query = _filtered(query, filters, local_today()).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc()
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query).unique())


def title_in(certificate: Certificate, language: str) -> str:
    """The course title as it was certified, in the reader's language or the best fallback."""
    return pick_text(certificate.course_titles, language)


def learner_certificates(user_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .options(joinedload(Certificate.institution))
            .order_by(Certificate.issued_at.desc())
        )
    )


def issued_years() -> list[int]:
    year = extract("year", Certificate.issued_on)
    return [
        int(value) for value in db.session.scalars(select(year).distinct().order_by(year.desc()))
    ]
