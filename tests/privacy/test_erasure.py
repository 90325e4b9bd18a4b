"""Erasure on request: personal data removed or pseudonymised, certificates still verifiable
and revocable, counts kept, the act on the record; open assignments need a confirmation."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.certificates.models import Certificate
from app.certificates.services import revoke
from app.certificates.verification import verify_credential
from app.competences.models import Evidence
from app.core.mail import MailMessage
from app.courses.assignments import assign
from app.courses.services import get_course
from app.extensions import db
from app.privacy.models import Erasure
from app.quizzes.models import AttemptAnswer, QuizAttempt
from tests.conftest import PASSWORD, csrf_token, login, post
from tests.privacy.conftest import ESSAY

REASON = "Her letter of 3 December 2026, received by post."


def _admin(make_user) -> int:
    return make_user(roles={"admin"}, institution="csd-lasko")


def _erase_form(client, person_id: int, email: str, reason: str = REASON, **extra):
    return post(
        client,
        f"/admin/users/{person_id}/erase",
        {"email": email, "reason": reason, **extra},
        follow_redirects=True,
    )


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_an_admin_erases_a_person_and_their_records_stay_usable(app, client, person, make_user):
    admin = _admin(make_user)
    login(client, admin)
    page = client.get(f"/admin/users/{person.id}/erase").get_data(as_text=True)
    assert "Vesna Kos" in page
    response = _erase_form(client, person.id, " VESNA.KOS@example.org ")
    assert "The personal data was erased" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, person.id)
        erasure = db.session.scalar(select(Erasure).where(Erasure.user_id == person.id))
        assert erasure.pseudonym in user.full_name
        assert user.email == f"{erasure.pseudonym}@erased.invalid"
        assert not user.is_active
        assert user.password_hash == ""
        assert user.roles == {"learner"}  # every account is a learner; no role is left
        # Their typed words are gone; the choices they ticked still count in item statistics.
        answers = db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == person.attempt_id)
        ).all()
        responses = [(answer.response or {}).get("value") for answer in answers]
        assert ESSAY not in responses
        assert "cas" not in responses
        assert 1 in responses
        assert db.session.get(QuizAttempt, person.attempt_id).score is not None
        evidence = db.session.scalars(select(Evidence).where(Evidence.user_id == person.id)).all()
        assert len(evidence) == 1
        assert evidence[0].comment == ""
        count = select(func.count()).select_from(MailMessage)
        assert db.session.scalar(count.where(MailMessage.user_id == person.id)) == 0
        # The certificate keeps its signed content (the holder's name in it) and verifies.
        certificate = db.session.get(Certificate, person.certificate_id)
        assert certificate.learner_name == "Vesna Kos"
        assert verify_credential(certificate.credential).ok
    assert "valid" in client.get(f"/verify/{person.certificate_code}").get_data(as_text=True)
    with app.app_context():  # and it can still be revoked
        certificate = db.session.get(Certificate, person.certificate_id)
        revoke(certificate, db.session.get(User, admin), "Erased holder asked for it.")
        db.session.commit()
        assert not verify_credential(certificate.credential).ok
    entry = _entries_of(app, "user_erased")[-1]
    assert (entry.actor_id, entry.subject_id) == (admin, person.id)
    assert json.loads(entry.details) == {"reason": REASON}
    # The person can no longer log in, and the old address matches no account.
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "email": person.email, "password": PASSWORD}
    )
    assert "The e-mail or password is not correct." in response.get_data(as_text=True)


def _entries_of(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return rows


def test_aggregate_counts_are_the_same_after_an_erasure(app, client, person, make_user):
    from app.quizzes.services import quiz_for_course
    from app.quizzes.statistics import quiz_statistics

    def counts() -> tuple:
        with app.app_context():
            attempts, items = quiz_statistics(quiz_for_course(get_course("alpha").id))
            return (
                attempts,
                [(item.key, item.attempts, item.facility, item.choices) for item in items],
                db.session.scalar(select(func.count()).select_from(Evidence)),
                db.session.scalar(select(func.count()).select_from(Certificate)),
            )

    before = counts()
    login(client, _admin(make_user))
    _erase_form(client, person.id, person.email)
    assert counts() == before


def test_a_wrong_address_or_a_short_reason_erases_nothing(app, client, person, make_user):
    login(client, _admin(make_user))
    page = _erase_form(client, person.id, "someone@example.org").get_data(as_text=True)
    assert "This is not the e-mail address of this person." in page
    page = _erase_form(client, person.id, person.email, reason="asked").get_data(as_text=True)
    assert "between 10 and 2000 characters" in page
    with app.app_context():
        assert db.session.get(User, person.id).full_name == "Vesna Kos"
    assert "user_erased" not in _actions(app)


def test_an_admin_of_another_institution_cannot_erase(app, client, person, make_user):
    login(client, make_user(roles={"admin"}, institution="czss-cakovec"))
    assert client.get(f"/admin/users/{person.id}/erase").status_code == 403
    response = post(client, f"/admin/users/{person.id}/erase", {"email": person.email})
    assert response.status_code == 403


def test_open_assignments_are_named_and_need_a_confirmation(app, client, person, make_user):
    admin = _admin(make_user)
    with app.app_context():
        user = db.session.get(User, person.id)
        assign(user.institution_id, get_course("alpha").id, date(2030, 1, 1), admin, person.id)
        db.session.commit()
    login(client, admin)
    page = client.get(f"/admin/users/{person.id}/erase").get_data(as_text=True)
    assert "1 assigned course is not completed." in page
    page = _erase_form(client, person.id, person.email).get_data(as_text=True)
    assert "has 1 assigned course that is not completed" in page
    with app.app_context():
        assert db.session.get(User, person.id).full_name == "Vesna Kos"
    held = _entries_of(app, "erasure_held")[-1]
    assert held.subject_id == person.id
    assert json.loads(held.details) == {"open_assignments": 1}
    response = _erase_form(client, person.id, person.email, confirm_open="y")
    assert "The personal data was erased" in response.get_data(as_text=True)
    assert "user_erased" in _actions(app)


def test_the_cli_asks_before_it_erases(app, runner, person):
    result = runner.invoke(args=["users", "erase", person.email, "--reason", REASON], input="n\n")
    assert result.exit_code != 0
    assert "nothing was erased" in result.output
    with app.app_context():
        assert db.session.get(User, person.id).full_name == "Vesna Kos"
    result = runner.invoke(args=["users", "erase", person.email, "--reason", "x"], input="y\n")
    assert result.exit_code != 0
    assert "(vsaj 10 znakov)" in result.output  # the platform's default language
    result = runner.invoke(args=["users", "erase", person.email, "--reason", REASON, "--yes"])
    assert result.exit_code == 0, result.output
    assert "erased: the account is kept as p-" in result.output
    entry = _entries_of(app, "user_erased")[-1]
    assert entry.actor_id is None
    assert entry.subject_id == person.id
    result = runner.invoke(args=["users", "erase", person.email, "--reason", REASON, "--yes"])
    assert "no account has the e-mail" in result.output


def test_the_erased_person_appears_under_the_pseudonym_in_the_trail(app, client, person, make_user):
    admin = _admin(make_user)
    login(client, admin)
    _erase_form(client, person.id, person.email)
    page = client.get(f"/admin/audit?person={person.id}").get_data(as_text=True)
    assert "Personal data erased" in page
    assert "Certificate issued" in page
    assert "Vesna Kos" not in page
    assert "Erased person p-" in page
