"""Issuing, revoking, listing and verifying certificates (no request context needed)."""

from __future__ import annotations

import calendar
import hashlib
import secrets
from datetime import date, datetime
from typing import Any, cast

from flask import current_app
from flask_babel import gettext
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from app.auth.models import Institution, User
from app.certificates import credential as ob3
from app.certificates import integrity, keys, stored
from app.certificates.models import Certificate, CertificateCounter, InstitutionKey
from app.core import events
from app.core.database import local_today, utcnow
from app.core.errors import DomainError
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
    url: str = current_app.config["PUBLIC_BASE_URL"]
    return url.rstrip("/")


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


def certificate_for(user_id: int, course_id: int) -> Certificate | None:
    """The learner's certificate for the course: the current one, else the last revoked one."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.user_id == user_id, Certificate.course_id == course_id)
        .order_by(Certificate.revoked_at.is_not(None), Certificate.id.desc())
        .limit(1)
    )


def lock_counter(institution: Institution) -> CertificateCounter:
    """Lock the institution's counter row (a write takes the lock on SQLite and PostgreSQL)."""
    lock = (
        update(CertificateCounter)
        .where(CertificateCounter.institution_id == institution.id)
        .values(year=CertificateCounter.year)
        .execution_options(synchronize_session=False)
    )
    # Session.execute is typed to return a Result; for an UPDATE it is a CursorResult, which
    # counts the rows the statement matched.
    if not cast(CursorResult[Any], db.session.execute(lock)).rowcount:
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


def issue(
    user: User,
    course: Course,
    issued_by: User | None = None,
    today: date | None = None,
    reason: str = "",
) -> tuple[Certificate, bool]:
    """The learner's certificate for the course: issued now, or the one they already have.

    Returns (certificate, created). Safe under concurrency: the institution's counter row is
    locked before the second look for an existing certificate. Raises SigningKeyMissing when
    the institution has no key yet: keys are made only by an administrator or the CLI.
    """
    existing = certificate_for(user.id, course.id)
    if existing:
        return existing, False
    counter = lock_counter(course.institution)
    existing = certificate_for(user.id, course.id)
    if existing:
        return existing, False
    certificate = create(user, course, counter, issued_by=issued_by, today=today, reason=reason)
    return certificate, True


def create(
    user: User,
    course: Course,
    counter: CertificateCounter,
    issued_by: User | None = None,
    today: date | None = None,
    reason: str = "",
    replaces: Certificate | None = None,
) -> Certificate:
    """Number, sign, store and announce a new certificate; the caller holds the counter lock
    (lock_counter) and has checked that the learner has no current certificate."""
    institution = course.institution
    key = keys.active_key(institution.id)
    if key is None:
        raise keys.SigningKeyMissing(institution.slug)
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
    expires_on = add_months(issued_on, validity) if validity else None
    if replaces is not None:
        # A replacement corrects what was attested; it does not extend the validity.
        expires_on = replaces.expires_on
    certificate = Certificate(
        serial=f"{institution.slug.upper()}-{issued_on.year}-{counter.serial:06d}",
        code=new_code(),
        user_id=user.id,
        course_id=course.id,
        institution_id=institution.id,
        learner_name=user.full_name,
        language=user.language,
        course_titles={lang: text.title for lang, text in texts.items()},
        course_summaries={lang: text.summary for lang, text in texts.items()},
        content_version=course.content_hash,
        workload_hours=course.workload_hours,
        competences=_frozen_competences(course),
        signatory_name=institution.signatory_name,
        signatory_title=institution.signatory_title,
        issued_at=issued_at,
        issued_on=issued_on,
        expires_on=expires_on,
        replaces_id=replaces.id if replaces else None,
        issued_by_id=issued_by.id if issued_by else None,
        issue_reason=reason,
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
        course_summaries=certificate.course_summaries,
        content_version=certificate.content_version,
        workload_hours=certificate.workload_hours,
        competences=certificate.competences,
        level_names=stored.level_names(),
        issued_at=issued_at,
        expires_on=certificate.expires_on,
        status_index=status_index,
    )
    certificate.credential = _sign(unsigned, institution, key, signing_key, issued_at)
    db.session.add(certificate)
    db.session.flush()
    pdf = stored.write_pdf(certificate, tuple(certificate.pdf_languages))
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    events.certificate_issued.send(
        None,
        certificate_id=certificate.id,
        user_id=user.id,
        course_id=course.id,
        issued_by_id=issued_by.id if issued_by else None,
        replaces_id=replaces.id if replaces else None,
    )
    return certificate


def _sign(
    document: dict[str, Any],
    institution: Institution,
    key: InstitutionKey,
    signing_key: Any,
    created: datetime,
) -> dict[str, Any]:
    method = f"{ob3.issuer_id(base_url(), institution.slug)}#{key.public_key_multibase}"
    return integrity.sign(document, signing_key, method, ob3.iso(created))


def credential_json(certificate: Certificate) -> str:
    return stored.credential_json(certificate)


def revoke(certificate: Certificate, by: User, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise RevocationError(gettext("Give the reason for the revocation."))
    if certificate.revoked_at:
        raise RevocationError(gettext("This certificate is already revoked."))
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = by.id
    events.certificate_revoked.send(
        None, certificate_id=certificate.id, user_id=certificate.user_id, revoked_by_id=by.id
    )


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
        .options(
            joinedload(Certificate.institution),
            joinedload(Certificate.course),
            joinedload(Certificate.key),
        )
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
    key = keys.active_key(institution.id)
    if key is None:
        raise keys.SigningKeyMissing(institution.slug)
    moment = last_change or key.created_at
    unsigned = ob3.build_status_list(
        base_url=base_url(), slug=institution.slug, revoked=revoked, valid_from=moment
    )
    return _sign(unsigned, institution, key, keys.private_key(institution, key), moment)
