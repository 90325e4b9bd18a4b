"""Verifying a certificate file: a credential by its proof, a PDF by its stored hash or by the
credential embedded in it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from sqlalchemy import or_, select

from app.auth.models import Institution
from app.certificates import credential as ob3
from app.certificates import edc, integrity, pdfcredential
from app.certificates.models import Certificate, InstitutionKey, SupersededPdf
from app.certificates.services import EXPIRED, REVOKED, base_url, status_of
from app.core.database import utcnow
from app.extensions import db


@dataclass
class FileCheck:
    ok: bool
    reason: str
    certificate: Certificate | None = None
    # What else the verifier should know (the facts attested, whether the pages are the original).
    details: list[str] = field(default_factory=list)


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


class _Refused(Exception):
    """A check failed: `check` is the verdict, with its reason."""

    def __init__(self, reason: str, certificate: Certificate | None = None) -> None:
        super().__init__(reason)
        self.check = FileCheck(False, reason, certificate)


def _check_kind(document: dict[str, Any]) -> str:
    """The cryptosuite the credential's kind is signed with: an OpenBadgeCredential with
    eddsa-rdfc-2022, a Europass EuropeanDigitalCredential with eddsa-jcs-2022."""
    context = document.get("@context")
    types = document.get("type")
    if not isinstance(context, list) or not isinstance(types, list):
        raise _Refused("not a Verifiable Credential (@context, type)")
    if context == list(edc.EDC_CONTEXT):
        if "EuropeanDigitalCredential" not in types:
            raise _Refused("not a EuropeanDigitalCredential (type)")
        return integrity.CRYPTOSUITE_JCS
    if context[:2] != [integrity.VC_V2, integrity.OB_V3]:
        raise _Refused("not an Open Badges 3.0 or Europass credential (@context)")
    if "OpenBadgeCredential" not in types:
        raise _Refused("not an OpenBadgeCredential (type)")
    return integrity.CRYPTOSUITE


def _code(document: dict[str, Any]) -> str:
    credential_id = str(document.get("id", ""))
    if document.get("@context") == list(edc.EDC_CONTEXT):
        return edc.code_of(credential_id)
    return credential_id.rsplit("/", 1)[-1]


def _signing_key(document: dict[str, Any]) -> tuple[Institution, InstitutionKey, dict[str, Any]]:
    """The issuer, the published key the proof names and the proof; refused if not ours."""
    institution = _institution_from_issuer(document.get("issuer"))
    if institution is None:
        raise _Refused("the issuer is not an institution of this platform")
    try:
        proof = integrity.proofs(document)[0]
    except integrity.IntegrityError as error:
        raise _Refused(str(error)) from error
    method = proof.get("verificationMethod", "")
    issuer_url = ob3.issuer_id(base_url(), institution.slug)
    if not isinstance(method, str) or not method.startswith(issuer_url + "#"):
        raise _Refused("the proof was not made with a key of the credential's issuer")
    key = db.session.scalar(
        select(InstitutionKey).where(
            InstitutionKey.institution_id == institution.id,
            InstitutionKey.public_key_multibase == method.removeprefix(issuer_url + "#"),
        )
    )
    if key is None:
        raise _Refused("the signing key is not one the issuer has published")
    return institution, key, proof


def _check_key(key: InstitutionKey, proof: dict[str, Any], document: dict[str, Any]) -> None:
    """A compromised key verifies nothing; a retired one only what it signed while in use."""
    if key.compromised_at is not None:
        raise _Refused(
            f"signed with a key the issuer reported compromised on {key.compromised_at:%Y-%m-%d}: "
            "ask the issuer for the re-issued credential",
            _record(document, key.institution, missing_ok=True),
        )
    created = _parse_time(proof.get("created"))
    if created is None:
        raise _Refused("the proof has no valid creation date")
    # Proofs carry whole seconds: compare the key's lifetime at the same precision.
    if created < key.created_at.replace(microsecond=0) or (
        key.retired_at and created > key.retired_at
    ):
        raise _Refused("the proof is dated outside the signing key's lifetime")


@overload
def _record(document: dict[str, Any], institution: Institution) -> Certificate: ...
@overload
def _record(
    document: dict[str, Any], institution: Institution, missing_ok: bool
) -> Certificate | None: ...
def _record(
    document: dict[str, Any], institution: Institution, missing_ok: bool = False
) -> Certificate | None:
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.institution_id == institution.id)
        .where(Certificate.code == _code(document))
    )
    if certificate is None and not missing_ok:
        raise _Refused("the issuer has no record of this certificate")
    return certificate


def _check_period(document: dict[str, Any], certificate: Certificate, now: datetime) -> None:
    valid_from = _parse_time(document.get("validFrom"))
    if valid_from is None:
        raise _Refused("the credential has no valid validFrom date", certificate)
    if valid_from > now:
        raise _Refused("the credential is not valid yet", certificate)
    if "validUntil" in document:
        valid_until = _parse_time(document.get("validUntil"))
        if valid_until is None or valid_until < now:
            raise _Refused(f"expired on {document['validUntil']}", certificate)


def verify_credential(document: dict[str, Any], now: datetime | None = None) -> FileCheck:
    """Signature, issuer key, validity period and revocation of an OpenBadgeCredential or a
    Europass credential (revocation from the record: an EDC carries no status entry)."""
    try:
        cryptosuite = _check_kind(document)
        institution, key, proof = _signing_key(document)
        _check_key(key, proof, document)
        try:
            integrity.verify(
                document,
                integrity.public_key_from_multibase(key.public_key_multibase),
                cryptosuite,
            )
        except integrity.IntegrityError as error:
            raise _Refused(str(error)) from error
        certificate = _record(document, institution)
        _check_period(document, certificate, now or utcnow())
    except _Refused as refused:
        return refused.check
    if certificate.revoked_at:
        return _revoked(certificate)
    return FileCheck(True, f"valid: {certificate.serial}", certificate)


def _superseded(digest: str) -> FileCheck | None:
    """An earlier copy of a certificate, replaced after a re-issue: say so, and what to do."""
    row = db.session.scalar(select(SupersededPdf).where(SupersededPdf.sha256 == digest).limit(1))
    if row is None:
        return None
    certificate = db.session.get(Certificate, row.certificate_id)
    assert certificate is not None  # a foreign key
    return FileCheck(
        False,
        f"an earlier copy of {certificate.serial}, replaced on {row.superseded_at:%Y-%m-%d} when "
        "the certificate was re-issued (the key that signed it was compromised): ask its holder "
        f"for the current copy, or check it at {ob3.verify_url(base_url(), certificate.code)}",
        certificate,
    )


def _pdf_by_hash(data: bytes) -> FileCheck:
    digest = hashlib.sha256(data).hexdigest()
    certificate = db.session.scalar(
        select(Certificate).where(
            or_(Certificate.pdf_sha256 == digest, Certificate.pdf_en_sha256 == digest)
        )
    )
    if certificate is None:
        return _superseded(digest) or FileCheck(
            False,
            "this PDF is not a certificate issued here, or it was changed (`--pdf` checks the "
            "credential embedded in it)",
        )
    status = status_of(certificate)
    if status == REVOKED:
        return _revoked(certificate)
    if status == EXPIRED:
        return FileCheck(False, f"expired on {certificate.expires_on}", certificate)
    return FileCheck(True, f"valid: {certificate.serial}", certificate)


def verify_file(data: bytes) -> FileCheck:
    """A credential (JSON) by its proof; a PDF by its hash against the stored certificate."""
    if data.startswith(b"%PDF"):
        return _pdf_by_hash(data)
    document = _json_object(data, "the file is neither a PDF nor a JSON credential",
                            "the file is not a JSON credential")  # fmt: skip
    if isinstance(document, FileCheck):
        return document
    return verify_credential(document)


def _json_object(data: bytes, not_json: str, not_object: str) -> dict[str, Any] | FileCheck:
    """The JSON object in `data`, or the verdict when it is not JSON or not an object."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return FileCheck(False, not_json)
    if not isinstance(document, dict):
        return FileCheck(False, not_object)
    return document


def _facts(certificate: Certificate, data: bytes) -> list[str]:
    """What the credential attests, to compare with what the pages show."""
    digest = hashlib.sha256(data).hexdigest()
    titles = " / ".join(certificate.course_titles[lang] for lang in certificate.pdf_languages
                        if lang in certificate.course_titles)  # fmt: skip
    facts = [
        f"issued to: {certificate.learner_name}",
        f"course: {titles}",
        f"issuer: {certificate.institution.name}",
        f"issued on: {certificate.issued_on}",
    ]
    if certificate.expires_on:
        facts.append(f"valid until: {certificate.expires_on}")
    if digest in (certificate.pdf_sha256, certificate.pdf_en_sha256):
        facts.append("the pages are those of the copy the issuer stored")
    else:
        facts.append(
            "the pages are not byte for byte the copy the issuer stored (re-saved, or changed): "
            "trust the lines above, not what the pages show"
        )
    return facts


def verify_pdf(data: bytes, now: datetime | None = None) -> FileCheck:
    """A certificate PDF by the credential embedded in it: its proof, the issuer's key (not
    compromised, in its lifetime), validity and revocation, with no network."""
    try:
        embedded = pdfcredential.embedded_credential(data)
    except pdfcredential.AttachmentError as error:
        return FileCheck(False, str(error))
    message = "the embedded credential.json is not a JSON credential"
    document = _json_object(embedded, message, message)
    if isinstance(document, FileCheck):
        return document
    result = verify_credential(document, now)
    if result.ok and result.certificate is not None:
        result.details = _facts(result.certificate, data)
    return result
