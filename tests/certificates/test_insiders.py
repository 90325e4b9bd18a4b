"""What an insider may not do with certificates: the security review's findings, tried."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import func, select

from app.auth.models import Institution, User
from app.certificates import stored
from app.certificates.models import Certificate, InstitutionKey
from app.competences.models import Evidence
from app.core.storage import storage
from app.courses.models import Enrolment
from app.courses.services import get_course
from app.extensions import db
from tests.certificates.conftest import issue
from tests.conftest import assign_trainer, at_once, login, post

REASON = "In-person workshop, Čakovec, 3 December 2026"


def hand_issue(client, app, email: str, slug: str = "beta", reason: str = REASON):
    with app.app_context():
        course_id = get_course(slug).id
    return post(
        client, "/certificates/issue", {"email": email, "course": str(course_id), "reason": reason}
    )


def certificates(app) -> list[Certificate]:
    with app.app_context():
        return list(db.session.scalars(select(Certificate)))


def test_a_trainer_of_another_course_cannot_issue(app, client, courses, make_user):
    make_user(email="friend@example.org")
    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")  # alpha, not beta
    login(client, trainer)
    page = client.get("/certificates/issue").get_data(as_text=True)
    assert "Beta" not in page
    assert "Alpha" in page
    response = hand_issue(client, app, "friend@example.org", "beta")
    assert response.status_code in (200, 409)
    assert certificates(app) == []


def test_nobody_issues_a_certificate_to_themselves(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"}, email="trainer@example.org")
    assign_trainer(app, trainer, "beta")
    login(client, trainer)
    response = hand_issue(client, app, "trainer@example.org")
    assert response.status_code == 409
    assert "Nobody may issue a certificate to themselves." in response.get_data(as_text=True)
    assert certificates(app) == []


def test_an_admin_issues_only_for_their_own_institution(app, client, courses, make_user):
    make_user(email="learner@example.org")
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    response = hand_issue(client, app, "learner@example.org", "beta")  # beta: czss-cakovec
    assert response.status_code in (200, 409)
    assert certificates(app) == []
    login(client, make_user(roles={"admin"}, institution="czss-cakovec"))
    response = hand_issue(client, app, "learner@example.org", "beta")
    assert response.status_code == 302
    (certificate,) = certificates(app)
    assert certificate.issue_reason == REASON


def test_a_reason_is_required_and_shown_to_staff(app, client, courses, make_user):
    make_user(email="learner@example.org")
    admin = make_user(roles={"admin"}, institution="czss-cakovec", full_name="Admin Čakovec")
    login(client, admin)
    response = hand_issue(client, app, "learner@example.org", reason="   ok   ")
    assert response.status_code == 409
    assert "Give the reason for issuing by hand" in response.get_data(as_text=True)
    assert hand_issue(client, app, "learner@example.org").status_code == 302
    (certificate,) = certificates(app)
    assert certificate.issued_by_id == admin
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert REASON in page
    assert "Admin Čakovec" in page


def test_the_learner_must_belong_to_an_institution_that_takes_part(app, client, courses, make_user):
    with app.app_context():
        db.session.add(
            Institution(slug="outsider", name="Outsider d.o.o.", short_name="Outsider",
                        country="SI", kind="social-enterprise", partner_role="none")
        )  # fmt: skip
        db.session.commit()
    make_user(email="outsider@example.org", institution="outsider")
    login(client, make_user(roles={"admin"}, institution="czss-cakovec"))
    response = hand_issue(client, app, "outsider@example.org")
    assert response.status_code == 409
    assert "does not take part in the project" in response.get_data(as_text=True)
    assert certificates(app) == []


def test_the_cli_needs_a_reason_and_records_it(app, runner, courses, make_user):
    make_user(email="ana@example.org")
    refused = runner.invoke(
        args=["certificates", "issue", "--user", "ana@example.org", "--course", "beta",
              "--reason", "x"]
    )  # fmt: skip
    assert refused.exit_code != 0
    assert "Navedite razlog za ročno izdajo" in refused.output  # the CLI speaks the default, sl
    result = runner.invoke(
        args=["certificates", "issue", "--user", "ana@example.org", "--course", "beta",
              "--reason", REASON]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (certificate,) = certificates(app)
    assert certificate.issue_reason == REASON


def test_an_anonymous_status_list_request_creates_no_key(app, client, courses_without_keys):
    assert client.get("/issuers/czss-cakovec/status/revocation").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(InstitutionKey.id))) == 0


def test_two_keygens_at_once_leave_one_active_key(app, courses_without_keys):
    from app.auth.services import institution_by_slug
    from app.certificates.keys import KeyConflict, generate_key, private_key

    def work(_index: int) -> None:
        with app.app_context():
            generate_key(institution_by_slug("zrsz"))
            db.session.commit()

    errors = at_once(4, work)
    with app.app_context():
        active = db.session.scalars(
            select(InstitutionKey).where(InstitutionKey.retired_at.is_(None))
        ).all()
        assert len(active) == 1
        # The active key signs; the retired ones no longer hold a private half at all.
        assert private_key(active[0].institution, active[0]) is not None
        retired = db.session.scalars(
            select(InstitutionKey).where(InstitutionKey.retired_at.is_not(None))
        ).all()
        assert all(key.private_key_encrypted is None for key in retired)
    # Those that lost the race said so.
    assert all(isinstance(e, KeyConflict) or "locked" in str(e) for e in errors), errors


def test_completion_waits_for_a_key_and_is_issued_when_an_admin_creates_it(
    app, client, courses_without_keys, make_user
):
    learner = make_user()
    login(client, learner)
    assert post(client, "/courses/beta/lessons/only/complete").status_code == 302
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner))
        assert enrolment.completed_at is not None  # the learner's completion stands
    assert certificates(app) == []
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    login(client, admin)
    response = post(client, "/issuers/czss-cakovec/keys", follow_redirects=True)
    assert "1 certificate that waited for the key was issued." in response.get_data(as_text=True)
    (certificate,) = certificates(app)
    assert certificate.user_id == learner
    # An admin of another institution cannot make keys for it.
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    assert post(client, "/issuers/czss-cakovec/keys").status_code == 403


def test_generated_pdfs_and_keys_are_readable_by_the_server_only(app, courses, make_user):
    certificate = issue(app, make_user())
    with app.app_context():
        key = stored.storage_key(db.session.get(Certificate, certificate.id))
        path = storage().path(key)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) & 0o077 == 0


def test_twenty_completions_at_once_give_one_record_of_each(app, courses, make_user):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrent writers are tried on PostgreSQL; SQLite runs one at a time")
    learner = make_user()
    clients = []
    for _ in range(20):
        browser = app.test_client()
        login(browser, learner)
        token = __import__("tests.conftest", fromlist=["csrf_token"]).csrf_token(browser)
        clients.append((browser, token))

    def work(index: int) -> None:
        browser, token = clients[index]
        response = browser.post("/courses/beta/lessons/only/complete", data={"csrf_token": token})
        assert response.status_code == 302

    assert at_once(20, work) == []
    with app.app_context():
        course_id = get_course("beta").id
        evidence = db.session.scalar(
            select(func.count(Evidence.id)).where(
                Evidence.user_id == learner, Evidence.source == "course"
            )
        )
        assert evidence == len(get_course("beta").competences)
        assert len(certificates(app)) == 1
        enrolments = db.session.scalars(
            select(Enrolment).where(Enrolment.user_id == learner, Enrolment.course_id == course_id)
        ).all()
        assert len(enrolments) == 1
        assert db.session.get(User, learner) is not None
