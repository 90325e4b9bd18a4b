"""The key-encryption key (KEK) that encrypts secrets kept in the database (signing keys).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`). The KEK comes from the environment
(`SIGNING_KEY_ENCRYPTION_KEY`) or a secret file (`SIGNING_KEY_ENCRYPTION_KEY_FILE`), several keys
separated by commas: the first encrypts, all decrypt, so a KEK is rotated by putting the new one
first and running `flask certificates keys --rewrap`. Without either, development and tests
derive one from SECRET_KEY; production refuses to start without a KEK of its own.
"""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class KekError(Exception):
    """No KEK decrypts the value (the KEK changed, or the value was altered)."""


def configured_keys(config: dict[str, object]) -> list[str]:
    """The KEKs set for this server, first the one that encrypts; [] when none is set."""
    value = str(config.get("SIGNING_KEY_ENCRYPTION_KEY") or "")
    path = str(config.get("SIGNING_KEY_ENCRYPTION_KEY_FILE") or "")
    if not value and path:
        value = Path(path).read_text(encoding="utf-8")
    return [part.strip() for part in value.split(",") if part.strip()]


def _derived(secret: str) -> str:
    """A development KEK from SECRET_KEY: never used in production (see config.py)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sokrog signing-key KEK")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode())).decode()


def _fernet() -> MultiFernet:
    keys = configured_keys(current_app.config) or [_derived(current_app.config["SECRET_KEY"])]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as error:
        raise KekError("no key-encryption key decrypts it") from error


def rewrap(token: bytes) -> bytes:
    """The same secret encrypted with the first (newest) KEK."""
    try:
        return _fernet().rotate(token)
    except InvalidToken as error:
        raise KekError("no key-encryption key decrypts it") from error


def check(config: dict[str, object]) -> None:
    """Refuse a KEK that is not a Fernet key (32 url-safe base64 bytes), at start-up."""
    for key in configured_keys(config):
        try:
            Fernet(key.encode())
        except ValueError as error:
            raise RuntimeError(
                "SIGNING_KEY_ENCRYPTION_KEY must be Fernet keys (32 bytes, url-safe base64), "
                "e.g. from `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`"
            ) from error
