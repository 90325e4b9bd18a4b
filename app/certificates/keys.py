"""Institutions' Ed25519 signing keys: the private half on disk or in the environment."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import Institution
from app.certificates.integrity import public_key_multibase
from app.certificates.models import InstitutionKey
from app.core.database import utcnow
from app.core.errors import DomainError
from app.extensions import db

log = logging.getLogger(__name__)


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


def _key_dir(institution: Institution) -> Path:
    return Path(current_app.config["SIGNING_KEY_DIR"]) / institution.slug


def env_name(institution: Institution) -> str:
    """The environment variable that may hold the institution's private key (PEM)."""
    return "SIGNING_KEY_" + re.sub(r"[^A-Z0-9]", "_", institution.slug.upper())


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


def generate_key(institution: Institution) -> InstitutionKey:
    """A new key pair; the previous key is retired but kept so older certificates still verify.

    Only an administrator (the issuer page) or the CLI calls this. Two at the same moment cannot
    both succeed: one active key per institution is a unique index, and the loser's private
    key file is removed again.
    """
    private_key = Ed25519PrivateKey.generate()
    multibase = public_key_multibase(private_key.public_key())
    folder = _key_dir(institution)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{multibase}.pem"
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created readable by the owner only, before a byte is written.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    now = utcnow()
    try:
        with db.session.begin_nested():
            for key in db.session.scalars(
                select(InstitutionKey).where(
                    InstitutionKey.institution_id == institution.id,
                    InstitutionKey.retired_at.is_(None),
                )
            ):
                key.retired_at = now
            key = InstitutionKey(institution_id=institution.id, public_key_multibase=multibase)
            db.session.add(key)
    except IntegrityError as error:
        path.unlink(missing_ok=True)
        raise KeyConflict(
            gettext("Another signing key of this institution was created at the same moment.")
        ) from error
    log.info("new signing key %s for institution %s", multibase, institution.slug)
    return key


def private_key(institution: Institution, key: InstitutionKey) -> Ed25519PrivateKey:
    """The private half of the key, from the environment variable or the key folder."""
    pem = os.environ.get(env_name(institution))
    if pem is None:
        path = _key_dir(institution) / f"{key.public_key_multibase}.pem"
        if not path.exists():
            raise SigningKeyMissing(institution.slug)
        pem = path.read_text()
    loaded = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyMissing(institution.slug)
    if public_key_multibase(loaded.public_key()) != key.public_key_multibase:
        # A key that does not match the published one would sign certificates nobody can verify.
        raise SigningKeyMissing(institution.slug)
    return loaded
