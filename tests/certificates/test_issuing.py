"""Issuing certificates: on completion, by hand, exactly once, with per-institution serials."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app.auth.models import User
from app.certificates import services
from app.certificates.models import Certificate, InstitutionKey
from app.courses.services import get_course
from app.extensions import db
from app.quizzes import services as quizzes
from tests.certificates.conftest import issue
from tests.conftest import assign_trainer, login, post

SERIAL_RE = re.compile(r"^[A-Z-]+-\d{4}-\d{6}$")


def test_completing_a_course_issues_its_certificate_once(app, client, courses, make_user):
    learner = make_user(full_name="Čedomir Šuštar")
    login(client, learner)
    post(client, "/courses/beta/lessons/only/complete")
    post(client, "/courses/beta/lessons/only/complete")
    with app.app_context():
        (certificate,) = db.session.scalars(select(Certificate)).all()
        assert certificate.user_id == learner
        assert certificate.learner_name == "Čedomir Šuštar"
        assert certificate.course_titles == {"sl": "Beta tečaj"}
        assert certificate.institution.slug == "czss-cakovec"
        assert certificate.workload_hours == 2
        assert certificate.content_version == get_course("beta").content_hash
        assert [(c["code"], c["level"]) for c in certificate.competences] == [("cooperation", 1)]
        assert SERIAL_RE.match(certificate.serial)
        assert certificate.serial.startswith("CZSS-CAKOVEC-")
        # At least 80 random bits, in an alphabet without look-alike letters.
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{16}", certificate.code)
        assert certificate.expires_on is None


def test_a_course_with_a_quiz_issues_only_after_the_quiz_is_passed(app, client, courses, make_user):
    learner = make_user()
    login(client, learner)
    for lesson in ("first", "second", "third"):
        post(client, f"/courses/alpha/lessons/{lesson}/complete")
    with app.app_context():
        assert db.session.scalars(select(Certificate)).all() == []
        quiz = quizzes.quiz_for_course(get_course("alpha").id)
        attempt = quizzes.start_attempt(learner, quiz, "en")
        quizzes.submit_attempt(attempt, {0: 1, 1: [0, 1], 2: True, 3: "cas", 4: "7"})
        db.session.commit()
        (certificate,) = db.session.scalars(select(Certificate)).all()
        assert certificate.course.slug == "alpha"
        assert certificate.serial.startswith("BISTRA-PTUJ-")


def test_serials_count_per_institution_and_restart_each_year(app, courses, make_user):
    users = [make_user() for _ in range(3)]
    first = issue(app, users[0], "beta", date(2026, 5, 1))
    second = issue(app, users[1], "beta", date(2026, 5, 2))
    other = issue(app, users[0], "alpha", date(2026, 5, 3))
    next_year = issue(app, users[2], "beta", date(2027, 1, 2))
    assert [first.serial, second.serial] == [
        "CZSS-CAKOVEC-2026-000001",
        "CZSS-CAKOVEC-2026-000002",
    ]
    assert other.serial == "BISTRA-PTUJ-2026-000001"
    assert next_year.serial == "CZSS-CAKOVEC-2027-000001"
    # Status-list slots never restart: each certificate of an institution has its own bit.
    assert [first.status_index, second.status_index, next_year.status_index] == [0, 1, 2]


def test_two_simultaneous_issues_give_one_certificate(app, courses, make_user):
    learner = make_user()
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                user, course = db.session.get(User, learner), get_course("beta")
                barrier.wait(timeout=5)
                certificate, created = services.issue(user, course)
                db.session.commit()
                results.append((certificate.id, created))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(created for _id, created in results) == [False, True]
    assert len({certificate_id for certificate_id, _ in results}) == 1
    with app.app_context():
        assert len(db.session.scalars(select(Certificate)).all()) == 1


def test_different_learners_issued_at_once_get_consecutive_serials(app, courses, make_user):
    learners = [make_user() for _ in range(4)]
    barrier = threading.Barrier(len(learners))
    errors: list[BaseException] = []

    def run(user_id: int) -> None:
        try:
            with app.app_context():
                user, course = db.session.get(User, user_id), get_course("beta")
                barrier.wait(timeout=5)
                services.issue(user, course)
                db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(user,)) for user in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with app.app_context():
        serials = sorted(db.session.scalars(select(Certificate.serial)))
        year = serials[0].split("-")[2]
        assert serials == [f"CZSS-CAKOVEC-{year}-{n:06d}" for n in range(1, 5)]


def test_expiry_is_set_per_course(app, courses, make_user):
    with app.app_context():
        get_course("beta").certificate_validity_months = 24
        db.session.commit()
    certificate = issue(app, make_user(), "beta", date(2024, 2, 29))
    assert certificate.expires_on == date(2026, 2, 28)


def test_the_signatory_is_frozen_on_the_certificate(app, courses, make_user, runner):
    result = runner.invoke(
        args=["institutions", "signatory", "--institution", "czss-cakovec", "--name",
              "Marija Primjer", "--title", "Ravnateljica"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    certificate = issue(app, make_user())
    assert (certificate.signatory_name, certificate.signatory_title) == (
        "Marija Primjer",
        "Ravnateljica",
    )


def test_issue_command_prints_serial_and_code_and_issues_once(app, courses, make_user, runner):
    make_user(email="ana@example.org")
    reason = ["--reason", "Training in Čakovec on 3 December 2026"]
    first = runner.invoke(
        args=["certificates", "issue", "--user", "ana@example.org", "--course", "beta", *reason]
    )
    assert first.exit_code == 0, first.output
    serial = re.search(r"serial: (\S+)", first.output).group(1)
    code = re.search(r"code: (\S+)", first.output).group(1)
    assert SERIAL_RE.match(serial)
    assert re.fullmatch(r"(\w{4}-){3}\w{4}", code)
    again = runner.invoke(
        args=["certificates", "issue", "--user", "ana@example.org", "--course", "beta", *reason]
    )
    assert again.exit_code == 0
    assert f"serial: {serial}" in again.output
    assert "already issued" in again.output
    unknown = runner.invoke(
        args=["certificates", "issue", "--user", "nobody@example.org", "--course", "beta", *reason]
    )
    assert unknown.exit_code != 0
    assert "no account" in unknown.output


def test_trainer_issues_by_hand_in_the_form(app, client, courses, make_user):
    learner = make_user(email="learner@example.org")
    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "beta")
    login(client, trainer)
    with app.app_context():
        course_id = get_course("beta").id
    reason = "Workshop in Čakovec, 3 December 2026"
    form = {"email": "learner@example.org", "course": str(course_id), "reason": reason}
    response = post(client, "/certificates/issue", form, follow_redirects=True)
    assert "issued" in response.get_data(as_text=True)
    response = post(client, "/certificates/issue", form, follow_redirects=True)
    assert "already has certificate" in response.get_data(as_text=True)
    with app.app_context():
        (certificate,) = db.session.scalars(select(Certificate)).all()
        assert certificate.user_id == learner
        assert certificate.issued_by_id == trainer
        assert certificate.issue_reason == reason
    # A mistyped e-mail keeps what was entered and says what is wrong.
    response = post(client, "/certificates/issue", {**form, "email": "nobody@example.org"})
    page = response.get_data(as_text=True)
    assert "There is no account with this e-mail address." in page
    assert 'value="nobody@example.org"' in page


def test_keygen_rotates_and_keeps_the_old_key_published(app, runner, client):
    first = runner.invoke(args=["certificates", "keygen", "--institution", "zrsz"])
    second = runner.invoke(args=["certificates", "keygen", "--institution", "zrsz"])
    assert first.exit_code == second.exit_code == 0
    keys = [re.search(r"public key: (z6Mk\w+)", r.output).group(1) for r in (first, second)]
    assert "PRIVATE KEY" not in first.output + second.output
    with app.app_context():
        rows = db.session.scalars(select(InstitutionKey).order_by(InstitutionKey.id)).all()
        assert [row.public_key_multibase for row in rows] == keys
        assert rows[0].retired_at is not None
        assert rows[1].retired_at is None
    page = client.get("/issuers/zrsz").get_data(as_text=True)
    assert keys[0] in page
    assert keys[1] in page
    assert "Retired on" in page
    # A retired key is no longer used but still verifies what it signed: it is not revoked,
    # and it stays an assertion method, so outside verifiers accept the older certificates.
    profile = client.get("/issuers/zrsz?format=json").get_json()
    assert [m["publicKeyMultibase"] for m in profile["verificationMethod"]] == keys[::-1]
    assert not any("revoked" in method for method in profile["verificationMethod"])
    assert profile["assertionMethod"] == [m["id"] for m in profile["verificationMethod"]]
    assert runner.invoke(args=["certificates", "keygen", "--institution", "nope"]).exit_code != 0


def test_a_key_the_kek_cannot_open_refuses_to_issue(app, courses, make_user):
    """A database restored without its key-encryption key issues nothing rather than fail."""
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    with app.app_context(), pytest.raises(services.DomainError, match="flask certificates keygen"):
        services.issue(db.session.get(User, make_user()), get_course("beta"))
