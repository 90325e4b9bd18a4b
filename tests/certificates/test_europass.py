"""The Europass credential (EDC): the EBSI schema, the mapping, its signature, CLI and pages."""

from __future__ import annotations

import base64
import copy
import io
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from jsonschema import Draft202012Validator
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.auth.models import User
from app.auth.services import institution_by_slug
from app.certificates import edc, europass, integrity, services, verification
from app.certificates.models import Certificate
from app.courses.services import get_course
from app.extensions import db
from tests.conftest import login

DATA = Path(__file__).parent / "data" / "europass-edc"
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def edc_validator() -> Draft202012Validator:
    """The EDC schema with its attestation schema in a local registry: the EDC schema refers
    to it as ./vcdm2.0-attestation-schema/schema.json, relative to its own $id."""
    schema = json.loads((DATA / "edc-schema.json").read_text(encoding="utf-8"))
    attestation = json.loads((DATA / "attestation-schema.json").read_text(encoding="utf-8"))
    address = urljoin(schema["$id"], schema["allOf"][0]["$ref"])
    registry = Registry().with_resource(address, Resource(attestation, DRAFT202012))
    return Draft202012Validator(schema, registry=registry)


def schema_errors(document: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in edc_validator().iter_errors(document)
    ]


def unsigned(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "proof"}


@pytest.fixture
def learner(make_user) -> int:
    return make_user(full_name="Čedomir Đurđević Šuštar Žiža", language="sl")


@pytest.fixture
def certificate(app, courses, learner) -> Certificate:
    """A certificate of alpha (ZRS Bistra Ptuj, three languages) for a Slovenian learner."""
    with app.app_context():
        issued, _ = services.issue(db.session.get(User, learner), get_course("alpha"))
        db.session.commit()
        return db.session.get(Certificate, issued.id)


def signed(app, certificate_id: int) -> dict:
    with app.app_context():
        return europass.signed_credential(db.session.get(Certificate, certificate_id))


def test_the_official_example_passes_our_schema_setup():
    """The registry is right: the EDC schema's own certificate-of-completion example passes."""
    example = json.loads(
        (DATA / "Francisco_Cruz_Argudo_Certificate_of_Completion.json").read_text(encoding="utf-8")
    )
    assert schema_errors(example) == []
    broken = copy.deepcopy(example)
    del broken["displayParameter"]
    assert any("displayParameter" in error for error in schema_errors(broken))


def test_an_issued_certificate_is_a_valid_edc(app, certificate):
    document = signed(app, certificate.id)
    assert schema_errors(unsigned(document)) == []
    # The schema allows only an EBSI "Proof" (EBSI seals EDCs as JAdES, outside the JSON):
    # our Data Integrity proof is the one thing it rejects.
    errors = schema_errors(document)
    assert errors
    assert all(error.startswith("proof") for error in errors), errors
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "http://data.europa.eu/snb/model/context/edc-ap",
    ]
    assert document["type"] == [
        "VerifiableCredential",
        "VerifiableAttestation",
        "EuropeanDigitalCredential",
    ]


def test_the_mapping_carries_what_the_certificate_attests(app, certificate):
    document = signed(app, certificate.id)
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    assert document["id"] == f"{base}/verify/{certificate.code}/europass.json"
    subject = document["credentialSubject"]
    assert subject == {
        "type": "Person",
        "fullName": {"sl": ["Čedomir Đurđević Šuštar Žiža"]},
        "hasClaim": subject["hasClaim"],
    }
    (achievement,) = subject["hasClaim"]
    assert achievement["title"] == {
        "en": ["Alpha course"],
        "hr": ["Alfa tečaj na hrvatskom"],
        "sl": ["Alfa tečaj"],
    }
    body = achievement["awardedBy"]["awardingBody"][0]
    assert body["id"] == f"{base}/issuers/bistra-ptuj" == document["issuer"]["id"]
    with app.app_context():
        assert body["legalName"] == {"sl": [institution_by_slug("bistra-ptuj").name]}
    country = body["location"][0]["address"][0]["countryCode"]
    assert country["id"] == "http://publications.europa.eu/resource/authority/country/SVN"
    specification = achievement["specifiedBy"]
    assert specification["id"] == f"{base}/courses/alpha"
    assert specification["volumeOfLearning"] == "PT4H"
    assert DURATION.match(specification["volumeOfLearning"])
    assert specification["description"] == {
        "en": ["Alpha summary."],
        "hr": ["Sažetak alfa."],
        "sl": ["Povzetek alfa."],
    }
    (outcome,) = specification["learningOutcome"]
    assert outcome["title"]["en"] == ["Activation planning"]
    assert outcome["relatedESCOSkill"][0]["id"] == "http://data.europa.eu/esco/skill/example"
    assert outcome["additionalNote"][0]["noteLiteral"]["en"][0].startswith("Level 2: ")
    # What we do not have stays out: no credit points, no ISCED-F field, no address lines.
    text = json.dumps(document)
    for absent in ("creditPoint", "thematicArea", "fullAddress", "ECTS", "credentialStatus"):
        assert absent not in text
    assert DATE_TIME.match(document["issued"])
    assert document["issued"] == document["validFrom"]
    assert "validUntil" not in document  # alpha's certificates do not expire


def test_the_display_is_a_picture_per_language_of_the_certificate(app, certificate):
    document = signed(app, certificate.id)
    display = document["displayParameter"]
    assert [item["language"]["id"][-3:] for item in display["individualDisplay"]] == [
        "SLV",
        "HRV",
    ]
    assert display["primaryLanguage"]["id"].endswith("/SLV")
    image = display["individualDisplay"][0]["displayDetail"][0]["image"]
    assert image["contentType"]["id"].endswith("/file-type/PNG")
    picture = Image.open(io.BytesIO(base64.b64decode(image["content"])))
    assert picture.format == "PNG"
    assert picture.size == (827, 1169)


def test_expiry_becomes_valid_until(app, courses, make_user):
    """A certificate valid for a limited time: validUntil is the last second of its last day;
    beta (Croatian issuer, one language) also shows one display page and HRV as the country."""
    learner = make_user(language="sl")
    with app.app_context():
        get_course("beta").certificate_validity_months = 24
        issued, _ = services.issue(db.session.get(User, learner), get_course("beta"))
        db.session.commit()
        document = europass.signed_credential(issued)
        assert issued.expires_on is not None
        expected = edc.iso(edc.end_of_day(issued.expires_on))
    assert document["validUntil"] == expected
    assert schema_errors(unsigned(document)) == []
    country = document["issuer"]["location"][0]["address"][0]["countryCode"]["id"]
    assert country.endswith("/country/HRV")
    assert document["issuer"]["legalName"].keys() == {"hr"}


def test_our_verifier_checks_the_signature_and_the_record(app, certificate):
    document = signed(app, certificate.id)
    assert document["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"
    with app.app_context():
        result = verification.verify_credential(document)
        assert result.ok, result.reason
        assert result.certificate.id == certificate.id


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda c: c["credentialSubject"]["fullName"].update(sl=["Oseba Ponarejena"]), id="name"
        ),
        pytest.param(lambda c: c.update(validUntil="2999-12-31T23:59:59Z"), id="added-field"),
        pytest.param(
            lambda c: c["credentialSubject"]["hasClaim"][0]["specifiedBy"].update(
                volumeOfLearning="PT40H"
            ),
            id="workload",
        ),
        pytest.param(
            lambda c: c["displayParameter"]["individualDisplay"][0]["displayDetail"][0][
                "image"
            ].update(content=base64.b64encode(b"another picture").decode()),
            id="picture",
        ),
        pytest.param(lambda c: c["proof"][0].update(cryptosuite="eddsa-rdfc-2022"), id="suite"),
    ],
)
def test_a_tampered_edc_fails(app, certificate, tamper):
    document = signed(app, certificate.id)
    tamper(document)
    with app.app_context():
        result = verification.verify_credential(document)
    assert not result.ok


def test_a_revoked_certificate_has_no_edc_and_its_copies_fail(app, certificate, make_user):
    document = signed(app, certificate.id)
    admin = make_user(roles={"admin"}, institution="bistra-ptuj")
    with app.app_context():
        record = db.session.get(Certificate, certificate.id)
        services.revoke(record, db.session.get(User, admin), "Issued to the wrong person.")
        db.session.commit()
        result = verification.verify_credential(document)
        assert not result.ok
        assert result.reason.startswith("revoked")
        with pytest.raises(europass.EdcRefused):
            europass.signed_credential(record)


def test_export_and_verify_on_the_command_line(app, runner, certificate, tmp_path):
    path = tmp_path / "europass.json"
    result = runner.invoke(
        args=["certificates", "export", "--code", certificate.code, "--format", "edc",
              "--output", str(path)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(path.read_text(encoding="utf-8"))
    assert "EuropeanDigitalCredential" in document["type"]
    verdict = runner.invoke(args=["certificates", "verify", str(path)])
    assert verdict.exit_code == 0, verdict.output
    assert certificate.serial in verdict.output
    document["credentialSubject"]["fullName"] = {"sl": ["Nekdo Drug"]}
    path.write_text(json.dumps(document), encoding="utf-8")
    verdict = runner.invoke(args=["certificates", "verify", str(path)])
    assert verdict.exit_code == 1
    assert "signature" in verdict.output


def test_the_cli_refuses_a_revoked_certificate_clearly(app, runner, certificate, tmp_path):
    with app.app_context():
        record = db.session.get(Certificate, certificate.id)
        record.revoked_at = services.utcnow()
        db.session.commit()
    result = runner.invoke(
        args=["certificates", "export", "--code", certificate.code, "--format", "edc",
              "--output", str(tmp_path / "x.json")]
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Europass" in result.output  # the reason, in the platform's language
    assert not (tmp_path / "x.json").exists()


def test_a_compromised_key_fails_its_edcs_and_a_new_download_verifies(app, runner, certificate):
    before = signed(app, certificate.id)
    key = before["proof"][0]["verificationMethod"].rsplit("#", 1)[1]
    result = runner.invoke(
        args=["certificates", "compromise", "--key", key, "--reason", "Leaked backup"]
    )
    assert result.exit_code == 0, result.output
    after = signed(app, certificate.id)
    with app.app_context():
        assert "compromised" in verification.verify_credential(before).reason
        assert verification.verify_credential(after).ok


def test_the_contexts_cannot_be_processed_together_so_the_proof_is_jcs():
    """Why eddsa-jcs-2022: the EDC context redefines `description`, which the VC 2.0 context
    protects, so no JSON-LD 1.1 processor (pyld here) can canonicalise an EDC as RDF."""
    from pyld import jsonld

    document = {"@context": list(edc.EDC_CONTEXT), "type": ["VerifiableCredential"]}
    with pytest.raises(jsonld.JsonLdError) as caught:
        jsonld.expand(document, {"documentLoader": integrity._load_document})
    assert "protected term redefinition" in str(caught.value)


def _download(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/ld+json"
    assert "europass.json" in response.headers["Content-Disposition"]
    return response.get_json()


def test_the_learner_downloads_their_own_and_only_theirs(app, client, certificate, learner,
                                                       make_user):  # fmt: skip
    url = f"/certificates/{certificate.id}/europass.json"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(client, learner)
    page = client.get("/my/certificates").get_data(as_text=True)
    assert url in page
    assert "Dokazilo Europass (EDC)" in page  # the learner reads Slovenian
    document = _download(client, url)
    with app.app_context():
        assert verification.verify_credential(document).ok
    login(client, make_user())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("roles", "institution", "status"),
    [
        ({"hr"}, "csd-lasko", 200),  # the learner's employer
        ({"hr"}, "bistra-ptuj", 404),  # the issuer's HR, not the employer
        ({"admin"}, "czss-cakovec", 200),
        ({"trainer"}, "csd-lasko", 404),
    ],
)
def test_staff_download_as_the_open_badges_credential(
    app, client, certificate, make_user, roles, institution, status
):
    login(client, make_user(roles=roles, institution=institution))
    ob3 = client.get(f"/certificates/{certificate.id}.json").status_code
    europass_status = client.get(f"/certificates/{certificate.id}/europass.json").status_code
    assert europass_status == ob3 == status
    if status == 200:
        page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
        assert f"/certificates/{certificate.id}/europass.json" in page


def test_the_public_verify_page_links_the_edc(app, client, certificate):
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    link = f"/verify/{certificate.code}/europass.json"
    assert link in page
    document = _download(client, link)
    assert document["id"].endswith(link)
    with app.app_context():
        assert verification.verify_credential(document).ok
    assert client.get("/verify/0000000000000000/europass.json").status_code == 404


def test_a_revoked_certificate_offers_no_edc(app, client, certificate, make_user):
    admin = make_user(roles={"admin"}, institution="bistra-ptuj")
    with app.app_context():
        record = db.session.get(Certificate, certificate.id)
        services.revoke(record, db.session.get(User, admin), "Issued to the wrong person.")
        db.session.commit()
    link = f"/verify/{certificate.code}/europass.json"
    assert link not in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    response = client.get(link, follow_redirects=True)
    assert response.status_code == 200
    assert "it has no Europass credential" in response.get_data(as_text=True)
    assert response.request.path == f"/verify/{certificate.code}"


def test_the_w3c_eddsa_jcs_2022_test_vector(tmp_path):
    """Our JCS and eddsa-jcs-2022 reproduce the W3C test vector (vc-di-eddsa, TestVectors/
    eddsa-jcs-2022): the canonical document and the very signature."""
    import base58
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.certificates.jcs import canonical

    folder = Path(__file__).parent / "data" / "eddsa-jcs-2022"
    document = json.loads((folder / "signedJCS.json").read_text(encoding="utf-8"))
    keys = json.loads((folder / "keyPair.json").read_text(encoding="utf-8"))
    public = integrity.public_key_from_multibase(keys["publicKeyMultibase"])
    assert integrity.verify(document, public, integrity.CRYPTOSUITE_JCS)
    assert canonical(unsigned(document)) == (folder / "canonDocJCS.txt").read_text(encoding="utf-8")
    secret = Ed25519PrivateKey.from_private_bytes(
        base58.b58decode(keys["privateKeyMultibase"][1:])[2:]
    )
    proof = document["proof"]
    again = integrity.sign(
        unsigned(document), secret, proof["verificationMethod"], proof["created"],
        integrity.CRYPTOSUITE_JCS,
    )  # fmt: skip
    assert again["proof"][0]["proofValue"] == proof["proofValue"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"b": 1, "a": [True, None, 'é\n"\\\u001f']},
            '{"a":[true,null,"é\\n\\"\\\\\\u001f"],"b":1}',
        ),
        # Members sort by UTF-16 code units: U+1F600 (a surrogate pair) before U+FB33.
        ({"\ufb33": 1, "\U0001f600": 2}, '{"\U0001f600":2,"\ufb33":1}'),
    ],
)
def test_jcs_serialises_as_rfc_8785(value, expected):
    from app.certificates.jcs import canonical

    assert canonical(value) == expected


@pytest.mark.parametrize("value", [1.5, 2**60, "\ud800", {"a": object()}])
def test_jcs_refuses_what_it_cannot_canonicalise_exactly(value):
    from app.certificates.jcs import JcsError, canonical

    with pytest.raises(JcsError):
        canonical(value)
