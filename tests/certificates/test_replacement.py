"""Issuing a revoked certificate again: who may, what the new one carries, what verifiers see."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.certificates import services, verification
from app.certificates.models import Certificate
from app.extensions import db
from tests.certificates.conftest import issue
from tests.conftest import login, post

REASON = "The surname was misspelt: Babic instead of Babić."


def revoked(app, make_user, **user) -> tuple[Certificate, int]:
    """A certificate of course beta (issued by czss-cakovec), revoked; and its learner's id."""
    learner = make_user(full_name="Ivana Babic", **user)
    certificate = issue(app, learner, today=date(2026, 3, 2))
    with app.app_context():
        admin = db.session.get(User, make_user(roles={"admin"}, institution="czss-cakovec"))
        row = db.session.get(Certificate, certificate.id)
        services.revoke(row, admin, "Surname misspelt on the certificate.")
        db.session.get(User, learner).full_name = "Ivana Babić"
        db.session.commit()
    return certificate, learner


def replacement_of(certificate_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.replaces_id == certificate_id))


def test_an_admin_of_the_issuer_issues_a_corrected_certificate(app, client, courses, make_user):
    old, learner = revoked(app, make_user)
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    login(client, admin)
    detail = client.get(f"/certificates/{old.id}").get_data(as_text=True)
    assert f"/certificates/{old.id}/replace" in detail
    response = post(client, f"/certificates/{old.id}/replace", {"reason": REASON})
    assert response.status_code == 302
    with app.app_context():
        new = replacement_of(old.id)
        assert new is not None
        assert (new.serial, new.code) != (old.serial, old.code)
        assert new.learner_name == "Ivana Babić"
        assert new.issued_by_id == admin
        assert new.issue_reason == REASON
        assert new.expires_on == old.expires_on  # the validity is not extended
        assert new.revoked_at is None
        assert services.certificate_for(learner, old.course_id).id == new.id
        assert verification.verify_credential(json.loads(json.dumps(new.credential))).ok
        new_id, new_code, new_serial = new.id, new.code, new.serial
    assert response.headers["Location"].endswith(f"/certificates/{new_id}")
    page = client.get(f"/certificates/{new_id}").get_data(as_text=True)
    assert old.serial in page
    assert REASON in page
    # Verifiers of the old code learn that it was replaced, by serial, not the new code.
    public = client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert "Revoked" in public
    assert new_serial in public
    assert new_code not in public
    assert "Valid" in client.get(f"/verify/{new_code}").get_data(as_text=True)
    # Once replaced, it cannot be replaced a second time.
    again = post(client, f"/certificates/{old.id}/replace", {"reason": REASON})
    assert again.status_code == 400
    assert f"already replaced by {new_serial}" in again.get_data(as_text=True)
    assert f"/certificates/{old.id}/replace" not in client.get(f"/certificates/{old.id}").text


def test_the_reason_must_say_what_was_wrong(app, client, courses, make_user):
    old, _learner = revoked(app, make_user)
    login(client, make_user(roles={"admin"}, institution="czss-cakovec"))
    for reason in ("", "Typo.", "   wrong     name   "):
        response = post(client, f"/certificates/{old.id}/replace", {"reason": reason})
        assert response.status_code == 400, reason
    assert "at least 20 characters" in response.get_data(as_text=True)
    with app.app_context():
        assert replacement_of(old.id) is None


def test_the_reason_is_asked_in_the_users_language(app, client, courses, make_user):
    old, _learner = revoked(app, make_user)
    login(client, make_user(roles={"admin"}, institution="czss-cakovec", language="hr"))
    response = post(client, f"/certificates/{old.id}/replace", {"reason": "Krivo."})
    assert "najmanje 20 znakova" in response.get_data(as_text=True)


def test_a_valid_certificate_cannot_be_issued_again(app, client, courses, make_user):
    certificate = issue(app, make_user())
    login(client, make_user(roles={"admin"}, institution="czss-cakovec"))
    response = post(client, f"/certificates/{certificate.id}/replace", {"reason": REASON})
    assert response.status_code == 400
    assert "Only a revoked certificate" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("roles", "institution"),
    [
        ({"admin"}, "bistra-ptuj"),
        ({"hr"}, "czss-cakovec"),
        ({"trainer"}, "czss-cakovec"),
        ((), "czss-cakovec"),
    ],
)
def test_only_an_admin_of_the_issuer_may(app, client, courses, make_user, roles, institution):
    old, _learner = revoked(app, make_user)
    login(client, make_user(roles=roles, institution=institution))
    assert client.get(f"/certificates/{old.id}/replace").status_code == 403
    assert post(client, f"/certificates/{old.id}/replace", {"reason": REASON}).status_code == 403
    with app.app_context():
        assert replacement_of(old.id) is None


def test_an_admin_cannot_issue_their_own_certificate_again(app, client, courses, make_user):
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    certificate = issue(app, admin)
    with app.app_context():
        other = db.session.get(User, make_user(roles={"admin"}, institution="czss-cakovec"))
        services.revoke(db.session.get(Certificate, certificate.id), other, "Wrong course.")
        db.session.commit()
    login(client, admin)
    response = post(client, f"/certificates/{certificate.id}/replace", {"reason": REASON})
    assert "Nobody may issue a certificate to themselves." in response.get_data(as_text=True)


def test_completing_again_does_not_bring_a_revoked_certificate_back(app, courses, make_user):
    old, learner = revoked(app, make_user)
    again = issue(app, learner)
    assert again.id == old.id
    assert again.revoked_at is not None


def test_the_database_holds_one_current_certificate_per_learner_and_course(app, courses, make_user):
    certificate = issue(app, make_user())
    with app.app_context():
        row = db.session.get(Certificate, certificate.id)
        copy = Certificate(
            **{
                column.key: getattr(row, column.key)
                for column in Certificate.__table__.columns
                if column.key not in ("id", "serial", "code", "status_index")
            },
            serial=row.serial + "-X",
            code="X" * 16,
            status_index=row.status_index + 1000,
        )
        db.session.add(copy)
        with pytest.raises(IntegrityError):
            db.session.flush()
