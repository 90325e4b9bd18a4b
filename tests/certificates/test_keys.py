"""Signing keys: encrypted in the database, KEK rotation, retired versus compromised keys, and
re-issuing what a compromised key signed."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, select, text

from app import create_app
from app.auth.models import Institution
from app.auth.partners import PARTNERS
from app.auth.services import institution_by_slug
from app.certificates import credential as ob3
from app.certificates import integrity, keys, verification
from app.certificates.models import Certificate, InstitutionKey
from app.core.database import utcnow
from app.extensions import db
from tests.certificates.conftest import issue

MIGRATIONS = str(Path(__file__).parents[2] / "migrations")


def _keygen(runner, slug: str) -> str:
    result = runner.invoke(args=["certificates", "keygen", "--institution", slug])
    assert result.exit_code == 0, result.output
    return re.search(r"public key: (z6Mk\w+)", result.output).group(1)


def _stored(app, multibase: str) -> bytes:
    with app.app_context():
        return db.session.execute(
            text(
                "SELECT private_key_encrypted FROM institution_key WHERE public_key_multibase = :k"
            ),
            {"k": multibase},
        ).scalar_one()


def _opens(app, slug: str) -> bool:
    with app.app_context():
        institution = institution_by_slug(slug)
        key = keys.active_key(institution.id)
        try:
            keys.private_key(institution, key)
        except keys.SigningKeyMissing:
            return False
        return True


def test_the_private_key_is_stored_encrypted_with_the_configured_kek(app, runner, tmp_path):
    kek = Fernet.generate_key()
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = kek.decode()
    multibase = _keygen(runner, "zrsz")
    stored = bytes(_stored(app, multibase))
    assert b"PRIVATE KEY" not in stored
    pem = Fernet(kek).decrypt(stored)  # the configured KEK, not one derived from SECRET_KEY
    private = serialization.load_pem_private_key(pem, password=None)
    assert integrity.public_key_multibase(private.public_key()) == multibase
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert raw not in stored
    # Nothing on this server's disk: every app server signs with the key in the database.
    assert not [path for path in tmp_path.rglob("*") if path.suffix in (".pem", ".key")]
    assert _opens(app, "zrsz")


def test_the_kek_is_rotated_by_rewrapping(app, runner, tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = old
    _keygen(runner, "zrsz")
    _keygen(runner, "csd-lasko")
    # The new KEK first (it encrypts), the old one still decrypts.
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = f"{new}, {old}"
    result = runner.invoke(args=["certificates", "keys", "--rewrap"])
    assert result.exit_code == 0, result.output
    assert "2 private key(s) encrypted with the first key-encryption key" in result.output
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = ""
    secret = tmp_path / "kek"
    secret.write_text(new + "\n")
    app.config["SIGNING_KEY_ENCRYPTION_KEY_FILE"] = str(secret)
    assert _opens(app, "zrsz")
    assert _opens(app, "csd-lasko")
    app.config["SIGNING_KEY_ENCRYPTION_KEY_FILE"] = ""
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = old
    assert not _opens(app, "zrsz")
    # A rewrap with no KEK that opens the keys changes nothing and says why.
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    result = runner.invoke(args=["certificates", "keys", "--rewrap"])
    assert result.exit_code != 0
    assert "cannot be decrypted" in result.output
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = new
    assert _opens(app, "zrsz")


def test_a_kek_that_is_not_a_fernet_key_stops_the_start(tmp_path):
    with pytest.raises(RuntimeError, match="Fernet keys"):
        create_app(
            "testing",
            {"STORAGE_DIR": str(tmp_path), "SIGNING_KEY_ENCRYPTION_KEY": "my-secret-password"},
        )


def test_production_needs_a_kek(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learning.example.org")
    monkeypatch.delenv("SIGNING_KEY_ENCRYPTION_KEY", raising=False)
    settings = {
        "SECRET_KEY": "x" * 40,
        "STORAGE_DIR": str(tmp_path),
        "PUBLIC_BASE_URL": "https://learning.example.org",
    }
    with pytest.raises(RuntimeError, match="SIGNING_KEY_ENCRYPTION_KEY"):
        create_app("production", settings)
    secret = tmp_path / "kek"
    secret.write_text(Fernet.generate_key().decode())
    create_app("production", {**settings, "SIGNING_KEY_ENCRYPTION_KEY_FILE": str(secret)})


def _certificate(app, certificate_id: int) -> Certificate:
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        db.session.expunge(certificate)
        return certificate


def _verdict(app, document: dict) -> verification.FileCheck:
    with app.app_context():
        return verification.verify_credential(document)


def _method(multibase: str) -> str:
    return f"http://127.0.0.1:5000/issuers/czss-cakovec#{multibase}"


def test_retired_keys_verify_and_compromised_ones_are_revoked_and_reissued(
    app, client, runner, courses, make_user
):
    first = issue(app, make_user(email="first@example.org"))
    first_key = first.credential["proof"][0]["verificationMethod"].rsplit("#", 1)[1]
    second_key = _keygen(runner, "czss-cakovec")  # first_key is retired now
    second = issue(app, make_user(email="second@example.org"))
    assert second.credential["proof"][0]["verificationMethod"].endswith(second_key)
    assert _verdict(app, first.credential).ok  # a retired key still verifies what it signed

    result = runner.invoke(
        args=["certificates", "compromise", "--key", second_key, "--reason", "Laptop  stolen"]
    )
    assert result.exit_code == 0, result.output
    third_key = re.search(r"new active key: (z6Mk\w+)", result.output).group(1)
    assert "1 certificate(s) to re-issue" in result.output
    assert _stored(app, first_key) is None  # retired: private half erased
    assert _stored(app, second_key) is None  # compromised: erased too

    listing = runner.invoke(args=["certificates", "keys", "--institution", "czss-cakovec"])
    lines = dict(line.split("\t")[1:3] for line in listing.output.splitlines())
    assert lines == {first_key: "retired", second_key: "compromised", third_key: "active"}
    assert "1 to re-issue\tLaptop stolen" in listing.output

    verdict = _verdict(app, second.credential)
    assert not verdict.ok
    assert "compromised" in verdict.reason
    assert _verdict(app, first.credential).ok
    profile = client.get("/issuers/czss-cakovec?format=json").get_json()
    revoked = {m["publicKeyMultibase"] for m in profile["verificationMethod"] if "revoked" in m}
    assert revoked == {second_key}
    assert profile["assertionMethod"] == [_method(third_key), _method(first_key)]
    assert "compromised" in client.get("/issuers/czss-cakovec").get_data(as_text=True)
    page = client.get(f"/verify/{second.code}").get_data(as_text=True)
    assert "reported compromised" in page
    assert "genuine and valid" in page  # the certificate itself stands

    result = runner.invoke(args=["certificates", "reissue"])
    assert result.exit_code == 0, result.output
    assert f"re-issued {second.serial}" in result.output
    assert "1 certificate(s) re-issued" in result.output
    again = _certificate(app, second.id)
    assert again.credential["proof"][0]["verificationMethod"].endswith(third_key)
    assert again.credential["validFrom"] == second.credential["validFrom"]
    assert again.credential["credentialSubject"] == second.credential["credentialSubject"]
    assert again.reissued_at is not None
    assert _verdict(app, again.credential).ok
    assert not _verdict(app, second.credential).ok  # the old copy stays refused
    assert "re-issued on" in client.get(f"/verify/{second.code}").get_data(as_text=True)
    assert "0 certificate(s) re-issued" in runner.invoke(args=["certificates", "reissue"]).output


def test_compromise_refuses_what_makes_no_sense(app, runner, courses):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # the command line speaks the platform's language
    with app.app_context():
        multibase = keys.active_key(institution_by_slug("zrsz").id).public_key_multibase

    def compromise(key: str, reason: str):
        return runner.invoke(args=["certificates", "compromise", "--key", key, "--reason", reason])

    assert "no signing key" in compromise("z6MkNotOurs", "x").output
    assert "Give the reason" in compromise(multibase, "   ").output
    assert compromise(multibase, "Backup tape lost").exit_code == 0
    result = compromise(multibase, "again")
    assert result.exit_code != 0
    assert "already marked as compromised" in result.output


def test_a_proof_dated_outside_the_keys_lifetime_is_refused(app, courses, make_user):
    """An insider who kept a retired key (a backup) cannot sign anything dated after it."""
    certificate = issue(app, make_user())
    stolen = Ed25519PrivateKey.generate()
    multibase = integrity.public_key_multibase(stolen.public_key())
    with app.app_context():
        institution = db.session.scalar(
            select(Institution).where(Institution.slug == "czss-cakovec")
        )
        now = utcnow()
        db.session.add(
            InstitutionKey(
                institution_id=institution.id,
                public_key_multibase=multibase,
                created_at=now - timedelta(days=30),
                retired_at=now - timedelta(days=1),
            )
        )
        db.session.commit()
    unsigned = {k: v for k, v in certificate.credential.items() if k != "proof"}
    for created in (now, now - timedelta(days=60)):
        with app.app_context():
            forged = integrity.sign(unsigned, stolen, _method(multibase), ob3.iso(created))
        verdict = _verdict(app, forged)
        assert not verdict.ok
        assert "outside the signing key's lifetime" in verdict.reason
    with app.app_context():
        backdated = integrity.sign(
            unsigned, stolen, _method(multibase), ob3.iso(now - timedelta(days=2))
        )
    assert _verdict(app, backdated).ok  # within its lifetime: what it really could have signed


def test_the_migration_moves_key_files_into_the_database(tmp_path):
    """Keys of the previous release (PEM files in the key folder) are imported, encrypted."""
    storage = tmp_path / "storage"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
            "STORAGE_DIR": str(storage),
        },
    )
    private = Ed25519PrivateKey.generate()
    multibase = integrity.public_key_multibase(private.public_key())
    folder = tmp_path / "keys" / "zrsz"  # the previous release's default: beside STORAGE_DIR
    folder.mkdir(parents=True)
    (folder / f"{multibase}.pem").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0012_course_pages")
        # The institution as that release's table has it: today's model has later columns.
        table = Table("institution", MetaData(), autoload_with=db.engine)
        columns = ("slug", "name", "short_name", "country", "kind", "partner_role")
        partner = next(partner for partner in PARTNERS if partner[0] == "zrsz")
        row = dict(zip(columns, partner, strict=True))
        row.update({name: "" for name in ("signatory_name", "signatory_title") if name in table.c})
        zrsz_id = db.session.execute(table.insert().values(**row)).inserted_primary_key[0]
        db.session.execute(
            text(
                "INSERT INTO institution_key (institution_id, public_key_multibase, created_at)"
                " VALUES (:institution, :key, :now)"
            ),
            {"institution": zrsz_id, "key": multibase, "now": utcnow()},
        )
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        zrsz = institution_by_slug("zrsz")
        key = keys.active_key(zrsz.id)
        assert key.private_key_encrypted
        assert b"PRIVATE" not in key.private_key_encrypted
        assert keys.private_key(zrsz, key).public_key().public_bytes_raw() == (
            private.public_key().public_bytes_raw()
        )
        db.session.remove()
        db.engine.dispose()
