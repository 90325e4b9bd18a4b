"""The Open Badges 3.0 credential, the PDF, `flask certificates export|verify` and revocation."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from app.auth.models import User
from app.certificates import credential as ob3
from app.certificates import services, stored, verification
from app.certificates.models import Certificate
from app.core.database import utcnow
from app.core.storage import storage
from app.courses.services import get_course
from app.extensions import db
from tests.certificates.conftest import pdf_text

SCHEMA = Path(__file__).parent / "data" / "schema" / "achievementcredential.json"
FUNDING_SL = (
    "Projekt 2SoKroG je v okviru Programa sodelovanja Interreg V-A Slovenija-Hrvaška sofinanciran "
    "iz sredstev Evropskega sklada za regionalni razvoj."
)
FUNDING_HR = (
    "Projekt 2SoKroG je u okviru Programa suradnje Interreg V-A Slovenija-Hrvatska sufinanciran "
    "sredstvima Europskog fonda za regionalni razvoj."
)


@pytest.fixture
def certificate(app, courses, make_user) -> Certificate:
    """A certificate of alpha (issued by ZRS Bistra Ptuj) for a Slovenian learner."""
    learner = make_user(full_name="Čedomir Đurđević Šuštar Žiža", language="sl")
    with app.app_context():
        issued, _ = services.issue(db.session.get(User, learner), get_course("alpha"))
        db.session.commit()
        db.session.refresh(issued)
        db.session.expunge(issued)
        return issued


def export(runner, code: str, kind: str, path: Path) -> Path:
    result = runner.invoke(
        args=["certificates", "export", "--code", code, "--format", kind, "--output", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path


def verify(runner, path: Path):
    return runner.invoke(args=["certificates", "verify", str(path)])


def test_the_credential_is_valid_against_1edtech_schema(certificate):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = Draft201909Validator(schema)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(certificate.credential)]
    assert errors == []


def test_the_credential_carries_the_course_competences_and_esco(app, certificate):
    credential = certificate.credential
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"].endswith("/issuers/bistra-ptuj")
    assert credential["id"].endswith(f"/verify/{certificate.code}")
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Čedomir Đurđević Šuštar Žiža"
    achievement = subject["achievement"]
    assert achievement["name"] == "Alfa tečaj"
    assert achievement["achievementType"] == "Course"
    (alignment,) = achievement["alignment"]
    assert alignment["targetCode"] == "activation-planning"
    with app.app_context():
        from app.framework.models import Competence

        esco = db.session.scalar(
            db.select(Competence.esco_uri).where(Competence.code == "activation-planning")
        )
    if esco:
        assert (alignment["targetUrl"], alignment["targetFramework"]) == (esco, "ESCO")
    (result,) = subject["result"]
    assert result["achievedLevel"].endswith("competence-activation-planning-level-2")
    (proof,) = credential["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.status_index)


def test_export_and_verify_a_credential_and_a_pdf(certificate, runner, tmp_path):
    credential = export(runner, certificate.code, "ob3", tmp_path / "c.json")
    pdf = export(runner, certificate.code, "pdf", tmp_path / "c.pdf")
    for path in (credential, pdf):
        result = verify(runner, path)
        assert result.exit_code == 0, result.output
        assert certificate.serial in result.output


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    elif isinstance(node, str):
        yield path


def test_one_changed_character_anywhere_fails_verification(app, certificate):
    """Every string of the signed credential is covered by the signature (no unmapped terms)."""
    original = certificate.credential
    with app.app_context():
        assert verification.verify_credential(original).ok
        for path in _leaves(original):
            if path[0] == "proof" and path[-1] == "proofValue":
                continue
            tampered = copy.deepcopy(original)
            target = tampered
            for key in path[:-1]:
                target = target[key]
            value = target[path[-1]]
            target[path[-1]] = value[:-1] + ("X" if value[-1:] != "X" else "Y")
            assert not verification.verify_credential(tampered).ok, path


def test_a_tampered_file_fails_with_the_reason(certificate, runner, tmp_path):
    path = export(runner, certificate.code, "ob3", tmp_path / "c.json")
    path.write_text(path.read_text().replace("Alfa tečaj", "Alfa tečak"), encoding="utf-8")
    result = verify(runner, path)
    assert result.exit_code == 1
    assert "signature does not match" in result.output
    pdf = export(runner, certificate.code, "pdf", tmp_path / "c.pdf")
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 1
    pdf.write_bytes(bytes(data))
    assert verify(runner, pdf).exit_code == 1
    garbage = tmp_path / "x.json"
    garbage.write_text("not json")
    assert verify(runner, garbage).exit_code == 1


def test_a_credential_signed_with_another_key_fails(app, certificate, runner):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.certificates import integrity

    with app.app_context():
        forged = integrity.sign(
            certificate.credential,
            Ed25519PrivateKey.generate(),
            certificate.credential["proof"][0]["verificationMethod"],
            certificate.credential["proof"][0]["created"],
        )
        result = verification.verify_credential(forged)
        assert not result.ok
        assert "signature" in result.reason
        # A key the issuer never published is refused before the signature is checked.
        other = copy.deepcopy(certificate.credential)
        other["proof"][0]["verificationMethod"] = (
            other["issuer"]["id"] + "#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
        )
        assert "not one the issuer has published" in verification.verify_credential(other).reason


def test_expired_and_revoked_credentials_fail(app, certificate, runner, tmp_path, make_user):
    path = export(runner, certificate.code, "ob3", tmp_path / "c.json")
    with app.app_context():
        document = json.loads(path.read_text())
        later = utcnow() + timedelta(days=1)
        assert verification.verify_credential(document, now=later).ok
        admin = make_user(roles={"admin"}, email="admin@example.org")
        row = db.session.get(Certificate, certificate.id)
        with pytest.raises(services.RevocationError):
            services.revoke(row, db.session.get(User, admin), "   ")
        db.session.rollback()
    result = runner.invoke(
        args=["certificates", "revoke", "--code", certificate.code, "--by", "admin@example.org",
              "--reason", "Issued to the wrong person."]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = verify(runner, path)
    assert result.exit_code == 1
    assert "revoked on" in result.output
    assert "Issued to the wrong person." in result.output


def test_an_expired_certificate_fails(app, courses, make_user, runner, tmp_path):
    with app.app_context():
        get_course("beta").certificate_validity_months = 1
        db.session.commit()
        issued, _ = services.issue(
            db.session.get(User, make_user()), get_course("beta"), today=date(2020, 1, 10)
        )
        db.session.commit()
        assert issued.credential["validUntil"] == "2020-02-10T23:59:59Z"
        assert services.status_of(issued) == services.EXPIRED
        code = issued.code
    path = export(runner, code, "ob3", tmp_path / "c.json")
    result = verify(runner, path)
    assert result.exit_code == 1
    assert "expired on 2020-02-10" in result.output


def test_the_status_list_reflects_revocations(app, client, certificate, make_user):
    url = "/issuers/bistra-ptuj/status/revocation"
    document = client.get(url).get_json()
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = ob3.decode_bitstring(document["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= ob3.STATUS_LIST_BITS
    assert not ob3.bit_is_set(bits, certificate.status_index)
    assert certificate.credential["credentialStatus"]["statusListCredential"].endswith(url)
    with app.app_context():
        from app.certificates import integrity
        from app.certificates.keys import active_key

        key = active_key(certificate.institution_id)
        integrity.verify(document, integrity.public_key_from_multibase(key.public_key_multibase))
        admin = db.session.get(User, make_user(roles={"admin"}))
        services.revoke(db.session.get(Certificate, certificate.id), admin, "Fraud.")
        db.session.commit()
    bits = ob3.decode_bitstring(client.get(url).get_json()["credentialSubject"]["encodedList"])
    assert ob3.bit_is_set(bits, certificate.status_index)
    assert not ob3.bit_is_set(bits, certificate.status_index + 1)


def test_the_pdf_is_one_a4_page_with_both_languages_and_diacritics(
    app, certificate, runner, tmp_path
):
    pdf = export(runner, certificate.code, "pdf", tmp_path / "c.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout
    assert "595.276 x 841.89 pts (A4)" in info.stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    for line in fonts.stdout.splitlines()[2:]:
        assert " yes yes " in line, f"font not embedded: {line}"
    flat = pdf_text(pdf)
    assert "Čedomir Đurđević Šuštar Žiža" in flat
    assert "Alfa tečaj" in flat
    assert "Alfa tečaj na hrvatskom" in flat
    assert "Znanstveno-raziskovalno središče Bistra Ptuj" in flat
    assert certificate.serial in flat
    assert FUNDING_SL in flat
    assert FUNDING_HR in flat
    assert "Potrdilo o zaključenem usposabljanju" in flat
    assert "Potvrda o završenom osposobljavanju" in flat


def test_the_pdf_qr_code_opens_the_verification_page(app, certificate, runner, tmp_path):
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (zbar-tools) is not installed; CI installs it")
    pdf = export(runner, certificate.code, "pdf", tmp_path / "c.pdf")
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    (image,) = tmp_path.glob("page*.png")
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=True
    ).stdout.strip()
    with app.app_context():
        assert decoded == f"{app.config['PUBLIC_BASE_URL']}/verify/{certificate.code}"


def test_downloads_serve_the_stored_pdf_and_english_on_request(app, client, certificate, tmp_path):
    from tests.conftest import login

    login(client, certificate.user_id)
    first = client.get(f"/certificates/{certificate.id}.pdf")
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    with app.app_context():
        key = stored.storage_key(db.session.get(Certificate, certificate.id))
        assert first.data == storage().read(key)
        storage().write(key, b"%PDF-1.4 stored copy")
        db.session.commit()
    assert client.get(f"/certificates/{certificate.id}.pdf").data == b"%PDF-1.4 stored copy"
    english = client.get(f"/certificates/{certificate.id}.pdf?lang=en")
    path = tmp_path / "en.pdf"
    path.write_bytes(english.data)
    flat = pdf_text(path)
    assert "Certificate of completion" in flat
    assert "Potrdilo" in flat
    with app.app_context():
        assert verification.verify_file(english.data).ok
    credential = client.get(f"/certificates/{certificate.id}.json")
    assert json.loads(credential.data) == certificate.credential
