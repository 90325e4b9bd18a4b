"""Re-issuing the credentials a compromised key signed, under the institution's active key.

The certificate stays the same record (serial, code, issue date, validFrom, status slot): only
its signature changes, made now by the active key. Copies signed by the compromised key stop
verifying everywhere, because the issuer profile publishes that key as revoked. The stored PDFs
carry the credential, so they are rendered again; the hashes of the old copies are kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.certificates import credential as ob3
from app.certificates import integrity, keys, stored
from app.certificates.models import Certificate, InstitutionKey
from app.certificates.services import base_url
from app.core import events
from app.core.database import utcnow
from app.extensions import db


def awaiting(institution_id: int | None = None) -> list[Certificate]:
    """Certificates whose credential is signed by a compromised key, oldest first."""
    query = (
        select(Certificate)
        .join(InstitutionKey, InstitutionKey.id == Certificate.key_id)
        .where(InstitutionKey.compromised_at.is_not(None))
        .options(joinedload(Certificate.institution))
        .order_by(Certificate.id)
    )
    if institution_id is not None:
        query = query.where(Certificate.institution_id == institution_id)
    return list(db.session.scalars(query))


def awaiting_counts() -> dict[int, int]:
    """How many certificates each compromised key signed that still await re-issue."""
    rows = db.session.execute(
        select(Certificate.key_id, func.count())
        .join(InstitutionKey, InstitutionKey.id == Certificate.key_id)
        .where(InstitutionKey.compromised_at.is_not(None))
        .group_by(Certificate.key_id)
    )
    return {row[0]: row[1] for row in rows}


def _unsigned(credential: dict[str, Any]) -> dict[str, Any]:
    document = {name: value for name, value in credential.items() if name != "proof"}
    # Credentials of older releases named fewer contexts: re-issued ones name today's.
    document["@context"] = list(ob3.CREDENTIAL_CONTEXT)
    return document


def reissue(certificate: Certificate) -> None:
    """Sign the certificate's credential again with the institution's active key."""
    institution = certificate.institution
    key = keys.active_key(institution.id)
    if key is None:
        raise keys.SigningKeyMissing(institution.slug)
    now = utcnow()
    method = f"{ob3.issuer_id(base_url(), institution.slug)}#{key.public_key_multibase}"
    certificate.credential = integrity.sign(
        _unsigned(certificate.credential),
        keys.private_key(institution, key),
        method,
        ob3.iso(now),
    )
    certificate.key_id = key.id
    certificate.reissued_at = now
    events.certificate_reissued.send(
        None, certificate_id=certificate.id, user_id=certificate.user_id, key_id=key.id
    )
    stored.rewrite_pdfs(certificate)


def reissue_all(institution_id: int | None = None) -> list[Certificate]:
    """Every certificate awaiting re-issue (of one institution, or all); returns them."""
    done = []
    for certificate in awaiting(institution_id):
        reissue(certificate)
        done.append(certificate)
    return done
