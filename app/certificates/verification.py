"""Verifying a certificate file: a credential by its proof, a PDF by its stored hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from app.auth.models import Institution
from app.certificates import credential as ob3
from app.certificates import integrity
from app.certificates.models import Certificate, InstitutionKey
from app.certificates.services import EXPIRED, REVOKED, base_url, status_of
from app.core.database import utcnow
from app.extensions import db


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
