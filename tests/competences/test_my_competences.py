"""My competences: verified level, target of the job role, gap, courses, self-assessment."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.competences.models import Evidence
from app.competences.services import EvidenceInput, record_evidence
from app.core.database import count_queries
from app.extensions import db
from app.framework.models import Competence, JobRole
from tests.conftest import login, post


def with_role(app, user_id: int, role: str = "social-worker-csd") -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        user.job_role_id = db.session.scalar(select(JobRole.id).where(JobRole.code == role))
        db.session.commit()


def test_page_shows_levels_targets_gaps_and_courses(app, client, courses, make_user):
    learner = make_user()
    with_role(app, learner)
    login(client, learner)
    html = client.get("/my/competences").get_data(as_text=True)
    # Targets of social-worker-csd: activation-planning 3, cooperation 2. Nothing earned yet.
    assert "Targets for your job role: Social worker." in html
    assert "3 levels missing" in html
    assert "2 levels missing" in html
    # Neither course reaches the targets (alpha gives 2, beta 1), so none is offered...
    assert 'href="/courses/alpha/"' not in html
    with app.app_context():
        cooperation = db.session.scalar(
            select(Competence.id).where(Competence.code == "cooperation")
        )
        record_evidence(
            [
                EvidenceInput(
                    learner,
                    cooperation,
                    2,
                    "rating",
                    recorded_by_id=learner,
                    comment="Observed in a case conference.",
                )
            ]
        )
        db.session.commit()
    html = client.get("/my/competences").get_data(as_text=True)
    assert "✓ met" in html
    assert "Observed in a case conference." in html


def test_courses_that_close_a_gap_are_offered(app, client, courses, make_user):
    learner = make_user()
    with app.app_context():
        role = db.session.scalar(select(JobRole).where(JobRole.code == "social-worker-csd"))
        from app.framework.models import JobRoleTarget

        for target in db.session.scalars(
            select(JobRoleTarget).where(JobRoleTarget.job_role_id == role.id)
        ):
            target.level = 1
        db.session.commit()
    with_role(app, learner)
    login(client, learner)
    html = client.get("/my/competences").get_data(as_text=True)
    assert 'href="/courses/alpha/"' in html
    assert 'href="/courses/beta/"' in html


def test_self_assessment_is_kept_but_not_verified(app, client, courses, make_user):
    learner = make_user()
    login(client, learner)
    with app.app_context():
        planning = db.session.scalar(
            select(Competence.id).where(Competence.code == "activation-planning")
        )
    response = post(client, "/my/competences", {"competence_id": planning, "level": 3})
    assert response.status_code == 302
    html = client.get("/my/competences").get_data(as_text=True)
    assert "self-assessment" in html
    with app.app_context():
        row = db.session.scalar(select(Evidence))
        assert (row.source, row.level, row.is_verified) == ("self", 3, False)
    bad = post(client, "/my/competences", {"competence_id": planning, "level": 9})
    assert bad.status_code == 200
    assert "Not a valid choice" in bad.get_data(as_text=True)


def test_no_level_is_chosen_in_advance(app, client, courses, make_user):
    login(client, make_user())
    html = client.get("/my/competences").get_data(as_text=True)
    level_select = html.split('name="level"', 1)[1].split("</select>", 1)[0]
    assert '<option selected value="">Choose a level</option>' in level_select
    with app.app_context():
        planning = db.session.scalar(
            select(Competence.id).where(Competence.code == "activation-planning")
        )
    response = post(client, "/my/competences", {"competence_id": planning, "level": ""})
    assert "This field is required." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Evidence)) is None  # nothing recorded


def test_my_competences_runs_a_fixed_number_of_queries(app, client, courses, make_user):
    learner = make_user()
    with_role(app, learner)
    login(client, learner)
    with app.app_context():
        cid = db.session.scalar(select(Competence.id))
        from app.courses.models import Course

        course = db.session.scalar(select(Course.id))
        record_evidence(
            [EvidenceInput(learner, cid, 1, "rating", recorded_by_id=learner, course_id=course)]
        )
        db.session.commit()
    with app.app_context(), count_queries() as few:
        client.get("/my/competences")
    with app.app_context():
        ids = db.session.scalars(select(Competence.id)).all()
        from app.courses.models import Course

        courses = db.session.scalars(select(Course.id)).all()
        record_evidence(
            [
                EvidenceInput(learner, cid, 1 + n % 3, "course", course_id=courses[n % 2])
                for n, cid in enumerate(ids * 5)
            ]
        )
        db.session.commit()
    with app.app_context(), count_queries() as many:
        client.get("/my/competences")
    assert few.count == many.count
