"""Notifications that follow what happens: an assignment, a certificate, a graded essay; each
arrives at a real SMTP server in its reader's language, with its link, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import User
from app.core.database import local_today
from app.core.jobs import JobFailure
from app.core.mail import MailMessage
from app.courses.models import CourseAssignment
from app.courses.services import get_course
from app.extensions import db
from app.notifications.jobs import notify_assignment
from app.notifications.models import SentNotice
from app.quizzes import services as quizzes
from app.quizzes.models import AttemptAnswer
from tests.conftest import assign_trainer, login, post
from tests.mailserver import html_of, link_in, text_of
from tests.notifications.helpers import give_job_role, subject

ESSAY_RIGHT = {0: 1, 1: [0, 1], 2: True, 3: "cas", 4: "7", 5: "An essay."}


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_an_assigned_course_is_mailed_with_its_due_date_in_the_readers_language(
    app, client, courses, make_user, inbox
):
    hr = make_user(roles={"hr"})
    mojca = make_user(full_name="Mojca Kos", email="mojca@example.org", language="sl")
    login(client, hr)
    with app.app_context():
        alpha = get_course("alpha").id
    due = local_today() + timedelta(days=30)
    response = post(client, "/hr/assignments",
                    {"course_id": alpha, "user_id": mojca, "job_role_id": 0,
                     "due_on": due.isoformat()})  # fmt: skip
    assert response.status_code == 302
    (message,) = inbox.wait(1)
    assert message["To"] == "Mojca Kos <mojca@example.org>"
    assert subject(message) == "Nov tečaj za vas: Alfa tečaj"
    assert message["Content-Language"] == "sl"
    assert "CSD Laško" in message["From"] or "Laško" in message["From"]
    body = text_of(message)
    assert body.startswith("Spoštovani/spoštovana Mojca Kos,")
    months = ["januar", "februar", "marec", "april", "maj", "junij", "julij", "avgust",
              "september", "oktober", "november", "december"]  # fmt: skip
    assert f"{due.day}. {months[due.month - 1]} {due.year}" in body
    link = link_in(message, "/courses/alpha/")
    assert link == app.config["PUBLIC_BASE_URL"] + "/courses/alpha/"
    assert 'lang="sl"' in html_of(message)
    assert app.config["PUBLIC_BASE_URL"] + "/account" in body  # where to switch it off
    # The job again (a retry, a worker that ran it twice): nothing more.
    with app.app_context():
        assignment = db.session.scalar(select(CourseAssignment.id))
    notify_assignment.call_local(assignment)
    assert len(inbox.wait(2, timeout=1)) == 1


def test_a_job_role_assignment_reaches_its_staff_but_not_who_completed_it(
    app, client, courses, make_user, inbox
):
    hr = make_user(roles={"hr"})
    ana = make_user(email="ana@example.org", language="hr")
    bo = make_user(email="bo@example.org", language="en")
    done = make_user(email="done@example.org")
    make_user(email="other@example.org")  # no job role
    elsewhere = make_user(email="far@example.org", institution="czss-cakovec")
    for person in (ana, bo, done, elsewhere):
        role = give_job_role(app, person)
    login(client, done)
    post(client, "/courses/beta/lessons/only/complete")  # beta completed
    inbox.clear()
    login(client, hr)
    with app.app_context():
        beta = get_course("beta").id
    due = (local_today() + timedelta(days=20)).isoformat()
    post(client, "/hr/assignments", {"course_id": beta, "user_id": 0, "job_role_id": role,
                                     "due_on": due})  # fmt: skip
    messages = inbox.wait(2)
    assert sorted(str(m["To"]).split("<")[1] for m in messages) == [
        "ana@example.org>",
        "bo@example.org>",
    ]
    subjects = {str(m["To"]).split("<")[1]: subject(m) for m in messages}
    assert subjects["ana@example.org>"] == "Novi tečaj za vas: Beta tečaj"
    assert subjects["bo@example.org>"] == "New course for you: Beta tečaj"
    assert not inbox.to("done@example.org")
    assert not inbox.to("other@example.org")
    assert not inbox.to("far@example.org")


def test_a_certificate_is_mailed_with_its_links(app, client, courses, make_user, inbox):
    learner = make_user(email="lea@example.org", full_name="Lea Learner")
    login(client, learner)
    post(client, "/courses/beta/lessons/only/complete")  # the job issues the certificate
    (message,) = inbox.wait(1)
    assert subject(message) == "Your certificate: Beta tečaj"
    body = text_of(message)
    with app.app_context():
        code = db.session.scalar(select(func.min(SentNotice.object_key)))
        from app.certificates.models import Certificate

        certificate = db.session.scalar(select(Certificate))
    assert code == f"certificate:{certificate.id}"
    assert certificate.serial in body
    verify = link_in(message, f"/verify/{certificate.code}")
    assert app.test_client().get(_path(verify)).status_code == 200
    mine = link_in(message, "/my/certificates")
    page = client.get(_path(mine)).get_data(as_text=True)
    assert certificate.serial in page


def test_a_graded_essay_is_mailed_once_the_last_one_is_graded(app, client, courses, make_user,
                                                             inbox):  # fmt: skip
    learner = make_user(email="eva@example.org", language="hr")
    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")
    with app.app_context():
        attempt = quizzes.start_attempt(learner, quizzes.quiz_for_course(get_course("alpha").id),
                                        "hr")  # fmt: skip
        quizzes.submit_attempt(attempt, ESSAY_RIGHT)
        db.session.commit()
        attempt_id = attempt.id
        essay = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.needs_grading))
        assert not inbox.wait(1, timeout=0.5)  # nothing graded yet
        quizzes.grade_answer(essay, trainer, 1.0, "Dobro.")
        db.session.commit()
    messages = [m for m in inbox.wait(1) if "eva@example.org" in str(m["To"])]
    graded = [m for m in messages if "ocijenjen" in subject(m)]
    assert len(graded) == 1
    assert subject(graded[0]) == "Vaš je kviz u tečaju Alfa tečaj na hrvatskom ocijenjen"
    link = link_in(graded[0], f"/quiz/attempts/{attempt_id}/result")
    login(client, learner)
    assert client.get(_path(link)).status_code == 200


def test_a_switched_off_kind_is_not_sent(app, client, courses, make_user, inbox):
    learner = make_user(email="quiet@example.org")
    with app.app_context():
        db.session.get(User, learner).notification_optout = ["certificate-issued"]
        db.session.commit()
    login(client, learner)
    post(client, "/courses/beta/lessons/only/complete")
    assert inbox.wait(1, timeout=1) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SentNotice)) == 0
        from app.certificates.models import Certificate

        assert db.session.scalar(select(Certificate.user_id)) == learner  # issued all the same


def test_a_mail_server_that_is_down_does_not_stop_the_assignment(
    app, client, courses, make_user, smtp_server
):
    from app.extensions import mail

    hr = make_user(roles={"hr"})
    learner = make_user(email="down@example.org")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port + 1)  # nobody there
    mail.init_app(app)
    login(client, hr)
    with app.app_context():
        alpha = get_course("alpha").id
    response = post(client, "/hr/assignments",
                    {"course_id": alpha, "user_id": learner, "job_role_id": 0,
                     "due_on": (local_today() + timedelta(days=9)).isoformat()})  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CourseAssignment.user_id)) == learner
        message = db.session.scalar(
            select(MailMessage).where(MailMessage.kind == "assignment-made")
        )
        assert message.status == "failed"
        failure = db.session.scalar(select(JobFailure))
        assert failure.name.endswith("deliver")
        assert failure.retries_left > 0  # it will be tried again
