"""Certificates signed by an earlier release still verify: an upgrade of the canonicaliser (or of
anything else) must not invalidate what institutions have issued. The fixtures in
data/previous-release were signed by release 04fa20e (its manifest says how)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from app.auth.models import User
from app.auth.services import UserData, create_user, institution_by_slug
from app.certificates import verification
from app.certificates.models import Certificate, InstitutionKey
from app.courses.services import get_course
from app.extensions import db
from tests.conftest import PASSWORD

FIXTURES = Path(__file__).parent / "data" / "previous-release"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def records(app, courses_without_keys) -> None:
    """The issuers' published keys and the certificates' records, as the release left them."""
    app.config["PUBLIC_BASE_URL"] = MANIFEST["public_base_url"]
    with app.app_context():
        keys = {}
        for row in MANIFEST["keys"]:
            key = InstitutionKey(
                institution_id=institution_by_slug(row["institution"]).id,
                public_key_multibase=row["public_key_multibase"],
                created_at=datetime.fromisoformat(row["created_at"]),
            )
            db.session.add(key)
            keys[row["institution"]] = key
        db.session.flush()
        for number, row in enumerate(MANIFEST["certificates"], 1):
            user = create_user(
                UserData(f"old{number}@example.org", row["learner_name"],
                         institution_by_slug("csd-lasko").id),
                PASSWORD,
            )  # fmt: skip
            document = json.loads((FIXTURES / row["file"]).read_text(encoding="utf-8"))
            db.session.add(
                Certificate(
                    serial=row["serial"], code=row["code"], user_id=user.id,
                    course_id=get_course(row["course"]).id,
                    institution_id=institution_by_slug(row["institution"]).id,
                    learner_name=row["learner_name"], language="sl", course_titles={},
                    content_version="", workload_hours=1, competences=[], signatory_name="",
                    signatory_title="", issued_at=datetime.fromisoformat(row["issued_at"]),
                    issued_on=date.fromisoformat(row["issued_on"]),
                    status_index=row["status_index"],
                    key_id=keys[row["institution"]].id, credential=document, pdf_languages=["sl"],
                )
            )  # fmt: skip
        db.session.commit()


@pytest.mark.parametrize("row", MANIFEST["certificates"], ids=lambda row: row["serial"])
def test_a_credential_of_the_previous_release_verifies(app, records, row):
    document = json.loads((FIXTURES / row["file"]).read_text(encoding="utf-8"))
    with app.app_context():
        result = verification.verify_credential(document)
        assert result.ok, result.reason
        assert result.certificate.serial == row["serial"]
        assert db.session.get(User, result.certificate.user_id) is not None


def test_a_changed_credential_of_the_previous_release_does_not(app, records):
    row = MANIFEST["certificates"][1]
    document = json.loads((FIXTURES / row["file"]).read_text(encoding="utf-8"))
    document["credentialSubject"]["achievement"]["name"] = "Something else"
    with app.app_context():
        assert not verification.verify_credential(document).ok
