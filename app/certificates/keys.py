"""Institutions' Ed25519 signing keys: published, encrypted at rest, retired or compromised.

The private half lives in the database, encrypted with a key-encryption key (KEK) from the
environment or a secret file (app.core.kek), so every app server can sign and no server's disk
holds a key in clear. A key is *active* (signs new certificates), *retired* (signs nothing new,
still verifies what it signed) or *compromised* (revoked: what it signed no longer verifies and
is re-issued under the active key).
"""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import Institution
from app.certificates.integrity import public_key_multibase
from app.certificates.models import InstitutionKey
from app.core import events, kek
from app.core.database import utcnow
from app.core.errors import DomainError
from app.extensions import db

log = logging.getLogger(__name__)

ACTIVE, RETIRED, COMPROMISED = "active", "retired", "compromised"


class KeyConflict(DomainError):
    """Another key of the institution was made at the same moment; this one was not kept."""


class SigningKeyMissing(DomainError):
    def __init__(self, institution: str) -> None:
        super().__init__(
            gettext(
                "The signing key of %(institution)s is missing: an administrator must restore "
                "it or create one with 'flask certificates keygen'.",
                institution=institution,
            )
        )
        self.institution = institution


def state_of(key: InstitutionKey) -> str:
    if key.compromised_at is not None:
        return COMPROMISED
    return RETIRED if key.retired_at is not None else ACTIVE


def active_key(institution_id: int) -> InstitutionKey | None:
    return db.session.scalar(
        select(InstitutionKey)
        .where(InstitutionKey.institution_id == institution_id, InstitutionKey.retired_at.is_(None))
        .order_by(InstitutionKey.id.desc())
        .limit(1)
    )


def institution_keys(institution_id: int) -> list[InstitutionKey]:
    return list(
        db.session.scalars(
            select(InstitutionKey)
            .where(InstitutionKey.institution_id == institution_id)
            .order_by(InstitutionKey.id.desc())
        )
    )


def all_keys() -> list[InstitutionKey]:
    return list(
        db.session.scalars(
            select(InstitutionKey).order_by(InstitutionKey.institution_id, InstitutionKey.id)
        )
    )


def key_by_multibase(multibase: str) -> InstitutionKey | None:
    return db.session.scalar(
        select(InstitutionKey).where(InstitutionKey.public_key_multibase == multibase)
    )


def _encrypt(private_key: Ed25519PrivateKey) -> bytes:
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return kek.encrypt(pem)


def generate_key(institution: Institution, by_id: int | None = None) -> InstitutionKey:
    """A new key pair; the previous active key is retired but still verifies what it signed.

    A retired key signs nothing again, so its private half is erased: fewer secrets to leak.
    Only an administrator (the issuer page) or the CLI calls this. Two at the same moment cannot
    both succeed: one active key per institution is a unique index.
    """
    private_key = Ed25519PrivateKey.generate()
    multibase = public_key_multibase(private_key.public_key())
    now = utcnow()
    retired = []
    try:
        with db.session.begin_nested():
            for current in db.session.scalars(
                select(InstitutionKey).where(
                    InstitutionKey.institution_id == institution.id,
                    InstitutionKey.retired_at.is_(None),
                )
            ):
                current.retired_at = now
                current.private_key_encrypted = None
                retired.append(current.id)
            key = InstitutionKey(
                institution_id=institution.id,
                public_key_multibase=multibase,
                private_key_encrypted=_encrypt(private_key),
            )
            db.session.add(key)
    except IntegrityError as error:
        raise KeyConflict(
            gettext("Another signing key of this institution was created at the same moment.")
        ) from error
    log.info("new signing key %s for institution %s", multibase, institution.slug)
    for key_id in retired:
        events.signing_key_retired.send(
            None, key_id=key_id, institution_id=institution.id, by_id=by_id
        )
    events.signing_key_created.send(None, key_id=key.id, institution_id=institution.id, by_id=by_id)
    return key


def private_key(institution: Institution, key: InstitutionKey) -> Ed25519PrivateKey:
    """The private half of the key, decrypted with the KEK."""
    if key.private_key_encrypted is None or key.retired_at is not None:
        raise SigningKeyMissing(institution.slug)
    try:
        pem = kek.decrypt(key.private_key_encrypted)
    except kek.KekError as error:
        log.error("the signing key of %s cannot be decrypted: %s", institution.slug, error)
        raise SigningKeyMissing(institution.slug) from error
    loaded = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyMissing(institution.slug)
    if public_key_multibase(loaded.public_key()) != key.public_key_multibase:
        # A key that does not match the published one would sign certificates nobody can verify.
        raise SigningKeyMissing(institution.slug)
    return loaded


def rewrap_all() -> int:
    """Encrypt every stored private key with the first (newest) KEK; returns how many."""
    count = 0
    for key in db.session.scalars(
        select(InstitutionKey).where(InstitutionKey.private_key_encrypted.is_not(None))
    ):
        assert key.private_key_encrypted is not None  # selected so
        key.private_key_encrypted = kek.rewrap(key.private_key_encrypted)
        count += 1
    return count


def compromise(key: InstitutionKey, reason: str, by_id: int | None = None) -> InstitutionKey | None:
    """Revoke a key that may be in other hands: it stops verifying, its private half is erased,
    and an active key is replaced by a new one (returned; None if it was already retired)."""
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError(gettext("Give the reason the key is compromised."))
    if key.compromised_at is not None:
        raise DomainError(gettext("This key is already marked as compromised."))
    was_active = key.retired_at is None
    now = utcnow()
    key.compromised_at = now
    key.compromised_reason = reason
    key.private_key_encrypted = None
    events.signing_key_compromised.send(
        None, key_id=key.id, institution_id=key.institution_id, by_id=by_id
    )
    if was_active:
        key.retired_at = now
        db.session.flush()
        replacement = generate_key(key.institution, by_id=by_id)
        log.warning("signing key %s compromised; %s replaces it", key.public_key_multibase,
                    replacement.public_key_multibase)  # fmt: skip
        return replacement
    log.warning("signing key %s compromised", key.public_key_multibase)
    return None
