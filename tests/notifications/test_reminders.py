"""The nightly reminders and HR's weekly overview, run as the worker runs them (call_local):
due dates, overdue courses, expiring certificates and competences; digests, opt-outs, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.certificates.models import Certificate
from app.competences.services import EvidenceInput, record_evidence
from app.core.database import local_today, utcnow
from app.extensions import db
from app.framework.models import Competence
from app.notifications import reminders
from app.notifications.jobs import nightly_reminders, weekly_overdue_digest
from tests.certificates.conftest import issue
from tests.conftest import login, post
from tests.mailserver import html_of, link_in, text_of
from tests.notifications.helpers import assign, subject


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_several_reminders_of_one_night_come_as_one_digest(app, client, courses, make_user,
                                                          inbox):  # fmt: skip
    hr = make_user(roles={"hr"})
    ana = make_user(email="ana@example.org", full_name="Ana Novak")
    bor = make_user(email="bor@example.org", full_name="Bor Kralj", language="hr")
    today = local_today()
    assign(app, "alpha", today + timedelta(days=5), hr, user_id=ana)  # the 7-day reminder
    assign(app, "beta", today - timedelta(days=3), hr, user_id=ana)  # overdue
    assign(app, "alpha", today + timedelta(days=1), hr, user_id=bor)  # the 1-day reminder
    inbox.clear()  # the "assigned" mails

    nightly_reminders.call_local()
    messages = inbox.wait(2)
    assert len(messages) == 2
    (digest,) = inbox.to("ana@example.org")
    assert subject(digest) == "2 reminders from the learning platform"
    body = text_of(digest)
    assert "Alpha course is due in 5 days" in body
    assert "Beta tečaj was due on" in body
    assert link_in(digest, "/courses/alpha/")
    assert link_in(digest, "/courses/beta/")
    assert "<ul" in html_of(digest)
    (single,) = inbox.to("bor@example.org")
    assert subject(single) == "Podsjetnik: Alfa tečaj na hrvatskom dospijeva za 1 dan"
    assert link_in(single, "/courses/alpha/")

    # The next night: nothing is sent twice.
    nightly_reminders.call_local()
    assert len(inbox.wait(3, timeout=1)) == 2

    # Four nights later Ana's alpha is due tomorrow: its 1-day reminder, alone (her overdue
    # beta was told already); Bor's alpha is overdue by then.
    with app.app_context():
        assert reminders.send_reminders(today + timedelta(days=4)) == 2
        db.session.commit()
    inbox.wait(4)
    assert [subject(m) for m in inbox.to("ana@example.org")][1:] == [
        "Reminder: Alpha course is due in 1 day"
    ]
    assert subject(inbox.to("bor@example.org")[1]) == "Kasni: Alfa tečaj na hrvatskom"


def test_a_completed_course_and_an_assignment_made_inside_the_window_get_no_reminder(
    app, client, courses, make_user, inbox
):
    hr = make_user(roles={"hr"})
    fresh = make_user(email="fresh@example.org")
    done = make_user(email="done@example.org")
    today = local_today()
    # Assigned today, due in 5 days: the assignment's own mail gave the date.
    assign(app, "alpha", today + timedelta(days=5), hr, user_id=fresh, made_days_ago=0)
    assign(app, "beta", today - timedelta(days=2), hr, user_id=done)
    login(client, done)
    post(client, "/courses/beta/lessons/only/complete")  # late, but completed
    inbox.clear()
    nightly_reminders.call_local()
    assert inbox.wait(1, timeout=1) == []


def test_a_switched_off_reminder_is_not_sent_the_others_are(app, courses, make_user, inbox):
    hr = make_user(roles={"hr"})
    ana = make_user(email="ana@example.org")
    with app.app_context():
        db.session.get(User, ana).notification_optout = ["assignment-due"]
        db.session.commit()
    today = local_today()
    assign(app, "alpha", today + timedelta(days=1), hr, user_id=ana)
    assign(app, "beta", today - timedelta(days=1), hr, user_id=ana)
    inbox.clear()
    nightly_reminders.call_local()
    (message,) = inbox.wait(1)
    assert subject(message) == "Overdue: Beta tečaj"  # one left: a mail of its own
    assert "The course “Beta tečaj” assigned to you was due on" in text_of(message)


def test_an_expiring_certificate_is_reminded_at_60_and_at_14_days(app, courses, make_user, inbox):
    learner = make_user(email="cert@example.org", language="sl")
    revoked_learner = make_user(email="revoked@example.org")
    certificate = issue(app, learner)
    other = issue(app, revoked_learner)
    inbox.clear()  # the "issued" mails
    today = local_today()
    with app.app_context():
        for row_id in (certificate.id, other.id):
            row = db.session.get(Certificate, row_id)
            row.issued_on = today - timedelta(days=700)
            row.expires_on = today + timedelta(days=40)
        db.session.get(Certificate, other.id).revoked_at = utcnow()
        db.session.commit()
    nightly_reminders.call_local()
    (message,) = inbox.wait(1)
    assert message["To"].addresses[0].addr_spec == "cert@example.org"
    assert subject(message).startswith("Vaše potrdilo za Beta tečaj poteče")
    assert certificate.serial in text_of(message)
    assert link_in(message, "/my/certificates")
    nightly_reminders.call_local()
    assert len(inbox.wait(2, timeout=1)) == 1
    with app.app_context():
        assert reminders.send_reminders(today + timedelta(days=30)) == 1  # 10 days left
        db.session.commit()
    assert len(inbox.wait(2)) == 2


def test_a_competence_about_to_lapse_is_reminded_unless_another_record_holds_it(
    app, courses, make_user, inbox
):
    lapsing = make_user(email="lapsing@example.org")
    held = make_user(email="held@example.org")
    rater = make_user(roles={"hr"})
    with app.app_context():
        competence = db.session.scalar(
            select(Competence).where(Competence.code == "activation-planning")
        )
        records = record_evidence(
            [EvidenceInput(person, competence.id, 3, "rating", recorded_by_id=rater)
             for person in (lapsing, held)]
        )  # fmt: skip
        for record in records:
            record.created_at = utcnow() - timedelta(days=1000)
            record.expires_at = utcnow() + timedelta(days=20)
        # Held's level 3 is also earned for good (no expiry) elsewhere.
        (lasting,) = record_evidence([EvidenceInput(held, competence.id, 3, "rating",
                                                    recorded_by_id=rater)])  # fmt: skip
        lasting.expires_at = None
        db.session.commit()
    nightly_reminders.call_local()
    (message,) = inbox.wait(1)
    assert "lapsing@example.org" in str(message["To"])
    assert subject(message).startswith("Your competence “Activation planning” expires on")
    assert "level 3" in text_of(message)
    assert link_in(message, "/my/competences")


def test_hr_get_a_weekly_overview_of_their_institutions_overdue_courses(
    app, client, courses, make_user, inbox
):
    hr_sl = make_user(roles={"hr"}, email="hr1@example.org")
    make_user(roles={"hr"}, email="hr2@example.org", language="hr")
    far_hr = make_user(roles={"hr"}, email="far@example.org", institution="czss-cakovec")
    late = make_user(full_name="Late Lara")
    later = make_user(full_name="Later Luka")
    on_time = make_user(full_name="On Time")
    today = local_today()
    for person in (late, later):
        assign(app, "alpha", today - timedelta(days=4), hr_sl, user_id=person)
    assign(app, "alpha", today + timedelta(days=20), hr_sl, user_id=on_time)
    inbox.clear()
    weekly_overdue_digest.call_local()
    messages = inbox.wait(2)
    assert len(messages) == 2
    assert not inbox.to("far@example.org")
    (english,) = inbox.to("hr1@example.org")
    assert subject(english) == "2 overdue courses in CSD Laško"
    body = text_of(english)
    assert "Late Lara: Alpha course, due on" in body
    assert "Later Luka" in body
    assert "On Time" not in body
    link = link_in(english, "/hr/assignments")
    login(client, hr_sl)
    assert "Late Lara" in client.get(_path(link)).get_data(as_text=True)
    assert "<table" in html_of(english)
    (croatian,) = inbox.to("hr2@example.org")
    assert subject(croatian) == "2 tečaja u kašnjenju u ustanovi CSD Laško"
    weekly_overdue_digest.call_local()  # the same week again: nothing
    assert len(inbox.wait(3, timeout=1)) == 2
    assert far_hr  # HR elsewhere hear nothing of csd-lasko
