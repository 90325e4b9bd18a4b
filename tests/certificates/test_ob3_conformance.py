"""Open Badges 3.0 conformance of what an issuer must publish: every check of 1EdTech's
validator (digital-credentials-public-validator, OB30Inspector) that our code could break, on
real certificates of the test courses and of the whole curriculum, and the issuer profile
against 1EdTech's profile schema. docs/credentials.md lists each requirement and its source."""

from __future__ import annotations

import json
from pathlib import Path

import base58
import pytest
from jsonschema import Draft201909Validator

from app.auth.models import User
from app.auth.services import UserData, create_user, institution_by_slug
from app.certificates import europass, integrity, services, verification
from app.certificates.models import Certificate
from app.courses.models import Course
from app.courses.services import get_course
from app.courses.sync import sync_folder
from app.extensions import db
from tests.certificates.test_europass import schema_errors, unsigned
from tests.conftest import PASSWORD, create_signing_keys

DATA = Path(__file__).parent / "data" / "schema"
CURRICULUM = Path(__file__).parents[2] / "courses"


def validator(name: str) -> Draft201909Validator:
    return Draft201909Validator(json.loads((DATA / name).read_text(encoding="utf-8")))


def schema_problems(name: str, document: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(document)]


def types(node: dict) -> list[str]:
    value = node.get("type", [])
    return value if isinstance(value, list) else [value]


def _subject_problems(subject: dict) -> list[str]:
    """CredentialSubjectProbe("AchievementSubject", achievement required)."""
    problems = []
    if "AchievementSubject" not in types(subject):
        problems.append("credentialSubject is not an AchievementSubject")
    if not subject.get("id") and not subject.get("identifier"):
        problems.append("credentialSubject has neither id nor identifier")
    problems += [
        "identifier not IdentityObject"
        for item in subject.get("identifier", [])
        if "IdentityObject" not in types(item)
    ]
    problems += [
        "result not Result" for item in subject.get("result", []) if "Result" not in types(item)
    ]
    achievement = subject.get("achievement")
    if not achievement:
        return [*problems, "no achievement"]
    problems += [
        "resultDescription not ResultDescription"
        for item in achievement.get("resultDescription", [])
        if "ResultDescription" not in types(item)
    ]
    criteria = achievement.get("criteria", {})
    if not criteria.get("id") and not criteria.get("narrative"):
        problems.append("criteria without id or narrative")
    return problems


def _proof_problems(credential: dict) -> list[str]:
    """EmbeddedProofProbe: assertionMethod, DataIntegrityProof with eddsa-rdfc-2022, a key that
    is the fragment of the issuer's id (its controller), an Ed25519 Multikey."""
    problems = []
    proof = credential["proof"][0]
    controller, _, fragment = proof["verificationMethod"].partition("#")
    if (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) != (
        "DataIntegrityProof", "eddsa-rdfc-2022", "assertionMethod"
    ):  # fmt: skip
        problems.append(f"proof: {proof}")
    if controller != credential["issuer"]["id"]:
        problems.append("the key's controller is not the issuer")
    if base58.b58decode(fragment[1:])[:2] != b"\xed\x01":
        problems.append("the key is not an Ed25519 public key")
    return problems


OB_SCHEMA_ENTRY = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}


def probe_problems(credential: dict, base: str) -> list[str]:
    """The structural probes of OB30Inspector, as it runs them on an OpenBadgeCredential."""
    problems = []
    # ContextPropertyProbe: the VC 2.0 context first, an OB 3.0 context second.
    context = credential["@context"]
    if context[0] != "https://www.w3.org/ns/credentials/v2" or not context[1].startswith(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0."
    ):
        problems.append(f"@context order: {context}")
    # TypePropertyProbe
    if not {"VerifiableCredential", "OpenBadgeCredential"} <= set(types(credential)):
        problems.append(f"type: {credential['type']}")
    problems += _subject_problems(credential["credentialSubject"])
    # IssuerProbe
    issuer = credential["issuer"]
    if "Profile" not in types(issuer):
        problems.append("issuer is not a Profile")
    if not str(issuer.get("url", "")).startswith(base):
        problems.append(f"issuer url not ours: {issuer.get('url')}")
    problems += _proof_problems(credential)
    # InlineJsonSchemaProbe reads credentialSchema: the OB 3.0 schema, with 1EdTech's type.
    if credential.get("credentialSchema") != [OB_SCHEMA_ENTRY]:
        problems.append(f"credentialSchema: {credential.get('credentialSchema')}")
    return problems


def conformance_problems(app, client, credential: dict) -> list[str]:
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    problems = schema_problems("achievementcredential.json", credential)  # JsonSchemasProbe
    problems += probe_problems(credential, base)
    # JsonLDValidationProbe: every term defined by the contexts (our signer refuses others).
    with app.app_context():
        try:
            integrity.check_terms(credential)
        except integrity.IntegrityError as error:
            problems.append(str(error))
        # The proof verifies, the key is published and the record is not revoked (the
        # EmbeddedProofProbe, RevocationListProbe, ExpirationProbe and IssuanceProbe).
        result = verification.verify_credential(credential)
        if not result.ok:
            problems.append(result.reason)
    # IssuerProbe: the issuer's url answers.
    url = credential["issuer"]["url"].removeprefix(base)
    if client.get(url).status_code != 200:
        problems.append(f"issuer url {url} does not answer")
    return problems


@pytest.mark.parametrize(("course", "language"), [("alpha", "sl"), ("alpha", "hr"), ("beta", "en")])
def test_issued_credentials_pass_the_validators_checks(
    app, client, courses, make_user, course, language
):
    learner = make_user(language=language, full_name="Ana Šimić")
    with app.app_context():
        if course == "beta":
            get_course("beta").certificate_validity_months = 12
        certificate, _ = services.issue(db.session.get(User, learner), get_course(course))
        db.session.commit()
        credential = dict(certificate.credential)
    assert conformance_problems(app, client, credential) == []
    assert ("validUntil" in credential) == (course == "beta")


def test_each_check_catches_what_it_checks(app, client, courses, make_user):
    """The checks above are not vacuous: a credential broken in each way fails them."""
    learner = make_user()
    with app.app_context():
        certificate, _ = services.issue(db.session.get(User, learner), get_course("alpha"))
        db.session.commit()
        credential = dict(certificate.credential)
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    breakages = [
        lambda c: c.update({"@context": list(reversed(c["@context"]))}),
        lambda c: c.update(type=["VerifiableCredential"]),
        lambda c: c["credentialSubject"].update(type=["Subject"]),
        lambda c: c["credentialSubject"].pop("identifier"),
        lambda c: c["credentialSubject"]["achievement"]["criteria"].pop("narrative"),
        lambda c: c["issuer"].update(type=["Organization"]),
        lambda c: c["proof"][0].update(cryptosuite="eddsa-2022"),
        lambda c: c.pop("credentialSchema"),
    ]
    for index, breakage in enumerate(breakages):
        broken = json.loads(json.dumps(credential))
        breakage(broken)
        assert probe_problems(broken, base), f"breakage {index} went unnoticed"


def test_the_issuer_profile_is_a_valid_ob3_profile(app, client, courses):
    response = client.get("/issuers/bistra-ptuj?format=json")
    assert response.status_code == 200
    profile = response.get_json()
    assert schema_problems("profile.json", profile) == []
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    assert profile["id"] == f"{base}/issuers/bistra-ptuj" == profile["url"]
    assert "Profile" in profile["type"]
    assert profile["address"] == {"type": ["Address"], "addressCountryCode": "SI"}
    with app.app_context():
        assert profile["name"] == institution_by_slug("bistra-ptuj").name
    # The controller document of the keys the credentials name.
    assert profile["verificationMethod"]
    for method in profile["verificationMethod"]:
        assert method["controller"] == profile["id"]
        assert method["id"] == f"{profile['id']}#{method['publicKeyMultibase']}"
    assert set(profile["assertionMethod"]) <= {m["id"] for m in profile["verificationMethod"]}
    # Content negotiation gives the same document to JSON-LD clients.
    negotiated = client.get("/issuers/bistra-ptuj", headers={"Accept": "application/ld+json"})
    assert negotiated.get_json() == profile


@pytest.mark.slow
def test_every_course_of_the_curriculum_in_every_language(app, client, tmp_path):
    """Real certificates of every course in courses/, for learners of each language: valid
    OB 3.0 credentials and valid Europass credentials, both verified by us."""
    with app.app_context():
        sync_folder(CURRICULUM)
        db.session.commit()
        slugs = [course.slug for course in db.session.scalars(db.select(Course))]
    create_signing_keys(app)
    assert len(slugs) >= 6
    number = 0
    for slug in slugs:
        for language in ("sl", "hr", "en"):
            number += 1
            with app.app_context():
                user = create_user(
                    UserData(f"c{number}@example.org", f"Učenka Številka {number}",
                             institution_by_slug("csd-lasko").id, language=language),
                    PASSWORD,
                )  # fmt: skip
                certificate, _ = services.issue(db.session.get(User, user.id), get_course(slug))
                db.session.commit()
                credential = dict(certificate.credential)
                edc = europass.signed_credential(db.session.get(Certificate, certificate.id))
                assert verification.verify_credential(edc).ok, (slug, language)
            assert conformance_problems(app, client, credential) == [], (slug, language)
            assert schema_errors(unsigned(edc)) == [], (slug, language)
            titles = edc["credentialSubject"]["hasClaim"][0]["specifiedBy"]["title"]
            assert set(titles) == {"sl", "hr", "en"}, slug
