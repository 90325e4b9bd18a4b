"""The dashboard at /: where to go on, what is assigned, progress, certificates, what lapses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.services import institution_by_slug
from app.competences.expiry import expiring_soon
from app.competences.models import Evidence
from app.competences.services import EvidenceInput, record_evidence
from app.core.database import local_today, utcnow
from app.courses import assignments
from app.courses.services import get_course
from app.extensions import db
from app.framework.models import Competence
from tests.certificates.conftest import issue
from tests.conftest import login, post


def test_a_visitor_is_sent_to_the_catalogue(client, courses):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/")


def test_the_dashboard_leads_a_learner_on(app, client, courses, make_user):
    learner = make_user(full_name="Ana Novak")
    login(client, learner)
    html = client.get("/").get_data(as_text=True)
    assert "Welcome, Ana Novak" in html
    assert "You have no course under way." in html
    assert "No course is assigned to you." in html

    post(client, "/courses/alpha/enrol")
    post(client, "/courses/alpha/lessons/first/complete")
    with app.app_context():
        assignments.assign(
            institution_by_slug("csd-lasko").id,
            get_course("beta").id,
            local_today() - timedelta(days=1),
            learner,
            user_id=learner,
        )
        db.session.commit()
    issue(app, learner, "beta")
    html = client.get("/").get_data(as_text=True)
    # Where the learner left off: the first lesson not yet read.
    assert "/courses/alpha/lessons/second" in html
    assert "Continue with “Second lesson en”" in html
    assert "1 of 3 lessons complete" in html
    assert "(overdue)" in html  # beta was due yesterday
    assert "/my/certificates" in html


def test_every_lesson_read_leads_to_the_course_page(app, client, courses, make_user):
    login(client, make_user())
    post(client, "/courses/alpha/enrol")
    for lesson in ("first", "second", "third"):
        post(client, f"/courses/alpha/lessons/{lesson}/complete")
    html = client.get("/").get_data(as_text=True)
    assert "You have read every lesson of" in html
    assert 'href="/courses/alpha/"' in html


def test_competences_about_to_lapse_are_listed_soonest_first(app, client, courses, make_user):
    learner = make_user()
    with app.app_context():
        codes = {row.code: row.id for row in db.session.scalars(select(Competence))}
        planning = codes["activation-planning"]  # valid 36 months
        # Recorded almost three years ago: lapses within 90 days.
        old = utcnow() - timedelta(days=3 * 365 - 30)
        record_evidence([EvidenceInput(learner, planning, 3, "course")], now=old)
        db.session.commit()
        (item,) = expiring_soon(learner)
        assert item.competence.code == "activation-planning"
        assert item.level == 3
        # Renewed at the same level: it no longer lapses soon.
        record_evidence([EvidenceInput(learner, planning, 3, "rating")])
        db.session.commit()
        assert expiring_soon(learner) == []
        # A lower level renewed does not keep the higher one alive.
        db.session.execute(db.delete(Evidence).where(Evidence.source == "rating"))
        record_evidence([EvidenceInput(learner, planning, 1, "rating")])
        db.session.commit()
        assert [row.level for row in expiring_soon(learner)] == [3]
    login(client, learner)
    html = client.get("/").get_data(as_text=True)
    assert "Activation planning" in html
    assert "level 3 until" in html


def test_staff_see_what_waits_for_them(app, client, courses, make_user):
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    html = client.get("/").get_data(as_text=True)
    assert "0 answers to grade" in html
    assert "0 failed background jobs" in html
    login(client, make_user())
    html = client.get("/").get_data(as_text=True)
    assert "answers to grade" not in html
