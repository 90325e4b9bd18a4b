"""`flask certificates verify --pdf`: the credential inside the PDF, checked offline; and the
stored PDFs rendered again when a compromised key's credentials are re-issued."""

from __future__ import annotations

import io
import json
import re
import zlib
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest

from app.certificates import stored, verification
from app.certificates.models import Certificate, SupersededPdf
from app.core.database import utcnow
from app.core.storage import storage
from app.courses.services import get_course
from app.extensions import db
from tests.certificates.conftest import issue
from tests.certificates.pdfs import open_pdf, with_credential_bytes, without_attachments
from tests.conftest import login


@pytest.fixture
def certificate(app, courses, make_user) -> Certificate:
    """beta's certificate (issued by CZSS Čakovec), for a Croatian learner."""
    return issue(app, make_user(full_name="Ana Horvat", language="hr"))


def _pdf(app, certificate: Certificate) -> bytes:
    with app.app_context():
        return stored.pdf_bytes(db.session.get(Certificate, certificate.id))


def verify_pdf(runner, tmp_path: Path, data: bytes, *extra: str):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    result = runner.invoke(args=["certificates", "verify", *extra, "--pdf", str(path)])
    # A verdict, never a traceback: click exits through SystemExit, anything else is a crash.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_valid_pdf_verifies_by_its_embedded_credential(app, runner, certificate, tmp_path):
    result = verify_pdf(runner, tmp_path, _pdf(app, certificate))
    assert result.exit_code == 0, result.output
    assert f"valid: {certificate.serial}" in result.output
    assert "issued to: Ana Horvat" in result.output
    assert "issuer: Centar za socijalnu skrb Čakovec" in result.output
    assert "the pages are those of the copy the issuer stored" in result.output


def test_a_resaved_copy_still_verifies_and_is_told_apart(app, runner, certificate, tmp_path):
    with open_pdf(_pdf(app, certificate)) as pdf:
        out = io.BytesIO()
        pdf.save(out)  # as a viewer's "save as" would: other bytes, the same attachment
    resaved = out.getvalue()
    result = verify_pdf(runner, tmp_path, resaved)
    assert result.exit_code == 0, result.output
    assert "not byte for byte the copy the issuer stored" in result.output
    # The hash check alone cannot know it, and points to --pdf.
    path = tmp_path / "resaved.pdf"
    path.write_bytes(resaved)
    plain = runner.invoke(args=["certificates", "verify", str(path)])
    assert plain.exit_code == 1
    assert "--pdf" in plain.output


def test_a_revoked_certificate_fails(app, runner, make_user, certificate, tmp_path):
    make_user(roles={"admin"}, institution="czss-cakovec", email="boss@example.org")
    data = _pdf(app, certificate)
    revoke = [
        "--code",
        certificate.code,
        "--reason",
        "Issued by mistake",
        "--by",
        "boss@example.org",
    ]
    revoked = runner.invoke(args=["certificates", "revoke", *revoke])
    assert revoked.exit_code == 0, revoked.output
    result = verify_pdf(runner, tmp_path, data)
    assert result.exit_code == 1
    assert "INVALID: revoked on" in result.output


def test_an_expired_certificate_fails(app, courses, make_user):
    with app.app_context():
        get_course("alpha").certificate_validity_months = 24
        db.session.commit()
    certificate = issue(app, make_user(), "alpha")
    data = _pdf(app, certificate)
    with app.app_context():
        assert verification.verify_pdf(data).ok
        later = utcnow() + timedelta(days=800)
        verdict = verification.verify_pdf(data, now=later)
    assert not verdict.ok
    assert verdict.reason.startswith("expired on")


def test_a_tampered_attachment_fails(app, runner, certificate, tmp_path):
    data = _pdf(app, certificate)
    credential = json.loads(stored.credential_json(certificate))
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    changed = with_credential_bytes(data, json.dumps(credential).encode())
    result = verify_pdf(runner, tmp_path, changed)
    assert result.exit_code == 1
    assert "INVALID: the signature does not match the credential" in result.output


@pytest.mark.parametrize(
    ("damage", "verdict"),
    [
        (without_attachments, "carries no embedded credential (credential.json)"),
        (lambda data: with_credential_bytes(data, b"\x78\x9cnot deflate", raw=True), "damaged"),
        (lambda data: with_credential_bytes(data, b"[1, 2]"), "is not a JSON credential"),
        (lambda data: with_credential_bytes(data, b"\xff\xfe{"), "is not a JSON credential"),
        # 200 MB of zeros in 200 KB: refused once a megabyte is unpacked, not unpacked whole.
        (
            lambda data: with_credential_bytes(
                data, zlib.compress(b"\0" * 200_000_000, 9), raw=True
            ),
            "too large to be a credential",
        ),
        (lambda data: data[: len(data) // 3], "not a PDF that can be read"),
        (lambda data: b"just some text", "not a PDF that can be read"),
    ],
    ids=["no-attachment", "bad-deflate", "json-list", "not-utf8", "bomb", "truncated", "text"],
)
def test_a_pdf_without_a_readable_credential_gets_a_verdict(
    app, runner, certificate, tmp_path, damage, verdict
):
    result = verify_pdf(runner, tmp_path, damage(_pdf(app, certificate)))
    assert result.exit_code == 1
    assert verdict in result.output


def test_reissue_renders_the_pdfs_again_and_old_copies_are_explained(
    app, client, runner, certificate, tmp_path
):
    login(client, certificate.user_id)
    old_pdf = _pdf(app, certificate)
    old_english = client.get(f"/certificates/{certificate.id}.pdf?lang=en").data
    key = certificate.credential["proof"][0]["verificationMethod"].rsplit("#", 1)[1]
    compromised = runner.invoke(
        args=["certificates", "compromise", "--key", key, "--reason", "Backup tape lost"]
    )
    assert compromised.exit_code == 0, compromised.output
    new_key = re.search(r"new active key: (z6Mk\w+)", compromised.output).group(1)
    # Before the re-issue the PDF's own credential is refused, with what to do.
    before = verify_pdf(runner, tmp_path, old_pdf)
    assert before.exit_code == 1
    assert "ask the issuer for the re-issued credential" in before.output

    result = runner.invoke(args=["certificates", "reissue"])
    assert result.exit_code == 0, result.output
    assert "PDF rendered again" in result.output

    new_pdf = client.get(f"/certificates/{certificate.id}.pdf").data
    new_english = client.get(f"/certificates/{certificate.id}.pdf?lang=en").data
    assert new_pdf != old_pdf
    assert new_english != old_english
    for data in (new_pdf, new_english):
        with open_pdf(data) as pdf:
            embedded = json.loads(pdf.Root.AF[0].EF.F.read_bytes())
        assert embedded["proof"][0]["verificationMethod"].endswith(new_key)
        fresh = verify_pdf(runner, tmp_path, data)
        assert fresh.exit_code == 0, fresh.output
        assert "the pages are those of the copy the issuer stored" in fresh.output

    # An old copy: its credential names the compromised key; its hash names what replaced it.
    assert "compromised" in verify_pdf(runner, tmp_path, old_pdf).output
    for old in (old_pdf, old_english):
        path = tmp_path / "old.pdf"
        path.write_bytes(old)
        verdict = runner.invoke(args=["certificates", "verify", str(path)])
        assert verdict.exit_code == 1
        assert f"an earlier copy of {certificate.serial}, replaced on" in verdict.output
        assert f"/verify/{certificate.code}" in verdict.output
    path.write_bytes(new_pdf)
    assert runner.invoke(args=["certificates", "verify", str(path)]).exit_code == 0
    with app.app_context():
        assert db.session.query(SupersededPdf).count() == 2


def test_the_pdf_is_written_with_the_modification_date_of_the_reissue(app, runner, certificate):
    key = certificate.credential["proof"][0]["verificationMethod"].rsplit("#", 1)[1]
    runner.invoke(args=["certificates", "compromise", "--key", key, "--reason", "Key leaked"])
    runner.invoke(args=["certificates", "reissue"])
    with app.app_context():
        again = db.session.get(Certificate, certificate.id)
        data = storage().read(stored.storage_key(again))
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert str(pdf.docinfo.ModDate) == again.reissued_at.strftime("D:%Y%m%d%H%M%S+00'00'")
            assert str(pdf.docinfo.CreationDate) == again.issued_at.strftime(
                "D:%Y%m%d%H%M%S+00'00'"
            )
