"""Certificates, the institutions' signing keys and the per-institution counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model


class InstitutionKey(Model):
    """An institution's Ed25519 signing key: the public half published, the private half
    encrypted with the key-encryption key (app.core.kek)."""

    __table_args__ = (
        # One active key per institution, whatever races: a second keygen at the same moment
        # fails instead of leaving two keys that both sign.
        Index(
            "uq_institution_key_active",
            "institution_id",
            unique=True,
            sqlite_where=text("retired_at IS NULL"),
            postgresql_where=text("retired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    # The multibase (z6Mk...) encoding of the public key: also the verification method's fragment.
    public_key_multibase: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A retired key signs nothing new but still verifies what it signed.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A compromised key is revoked: what it signed no longer verifies (and is re-issued); its
    # private half is erased. Compromised keys are retired too.
    compromised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    compromised_reason: Mapped[str] = mapped_column(Text, default="")
    # PKCS#8 PEM encrypted with the KEK (Fernet token); None once erased.
    private_key_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)

    institution = relationship("Institution")


class InstitutionEmblem(Model):
    """The emblem an institution prints on its certificates, set by one of its administrators:
    a file in the file storage (app.core.storage), emblems/<institution id>/<content hash>."""

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), unique=True)
    file_name: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class CertificateCounter(Model):
    """Per institution: the serial sequence of the year and the next status-list slot.

    Issuing locks this row first, so one institution's certificates get gap-free serials and a
    learner's concurrent completions find each other's certificate.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), unique=True)
    year: Mapped[int] = mapped_column(default=0)
    serial: Mapped[int] = mapped_column(default=0)
    status_slots: Mapped[int] = mapped_column(default=0)


class Certificate(Model):
    __table_args__ = (
        # One current certificate per learner and course, whoever or whatever issues it; a
        # revoked one may be followed by its replacement (app.certificates.replacement).
        Index(
            "uq_certificate_current",
            "user_id",
            "course_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        UniqueConstraint("institution_id", "status_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    # Crockford base32 of 80 random bits, stored without separators.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    # What was attested, frozen at issue: later edits of names or courses do not change it.
    learner_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    course_titles: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The course's summary in each language (the Europass credential's description).
    course_summaries: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    content_version: Mapped[str] = mapped_column(String(64))
    workload_hours: Mapped[int]
    competences: Mapped[list[Any]] = mapped_column(JSON)
    signatory_name: Mapped[str] = mapped_column(String(200))
    signatory_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Indexed: the list's year filter reads its first and last year from the index alone.
    issued_on: Mapped[date] = mapped_column(index=True)
    expires_on: Mapped[date | None]
    # Who issued it by hand (None: the platform, on completion), and why: every hand issue
    # is recorded with its reason and shown on the certificate's page for staff.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issue_reason: Mapped[str] = mapped_column(Text, default="")
    status_index: Mapped[int]
    key_id: Mapped[int] = mapped_column(ForeignKey("institution_key.id"))
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf_languages: Mapped[list[Any]] = mapped_column(JSON)
    # The PDF lives in the storage folder; its hash lets `flask certificates verify` check a copy.
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    pdf_en_sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    # Re-signed under a new key after the one that signed it was compromised.
    reissued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The revoked certificate this one replaces (issued again by an administrator, with the
    # reason in issue_reason).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"), unique=True)

    user = relationship("User", foreign_keys=[user_id])
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
    course = relationship("Course")
    institution = relationship("Institution")
    key = relationship(InstitutionKey)
    replaces: Mapped[Certificate | None] = relationship(
        remote_side=[id], back_populates="replaced_by"
    )
    replaced_by: Mapped[Certificate | None] = relationship(back_populates="replaces")


class SupersededPdf(Model):
    """A PDF copy of a certificate that a newer rendering replaced (after a re-issue): its hash
    still names the certificate, so `flask certificates verify` can say what became of it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
