"""HR assigns courses with due dates; learners see them; the overdue report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.database import local_today
from app.courses.assignments import AssignmentError, assign, overdue
from app.courses.models import Enrolment
from app.courses.services import get_course
from app.extensions import db
from app.framework.models import JobRole
from tests.conftest import csrf_token, login, post


def role_id(code: str = "social-worker-csd") -> int:
    return db.session.scalar(select(JobRole.id).where(JobRole.code == code))


def test_hr_assigns_to_an_employee_and_to_a_job_role(app, client, courses, make_user):
    hr = make_user(roles={"hr"}, institution="csd-lasko")
    ana = make_user(institution="csd-lasko", full_name="Ana Able")
    with app.app_context():
        db.session.get(User, ana).job_role_id = role_id()
        db.session.commit()
        alpha, beta, role = get_course("alpha").id, get_course("beta").id, role_id()
    login(client, hr)
    due = (local_today() + timedelta(days=30)).isoformat()
    response = post(
        client,
        "/hr/assignments",
        {"course_id": alpha, "user_id": ana, "job_role_id": 0, "due_on": due},
    )
    assert response.status_code == 302
    post(
        client,
        "/hr/assignments",
        {"course_id": beta, "user_id": 0, "job_role_id": role, "due_on": due},
    )
    both = post(
        client,
        "/hr/assignments",
        {"course_id": beta, "user_id": ana, "job_role_id": role, "due_on": due},
    )
    assert "Choose either employees or one job role." in both.get_data(as_text=True)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    past = post(
        client,
        "/hr/assignments",
        {"course_id": alpha, "user_id": ana, "job_role_id": 0, "due_on": yesterday},
    )
    assert "Choose a due date from today on." in past.get_data(as_text=True)
    login(client, ana)
    html = client.get("/my/learning").get_data(as_text=True)
    assert "Assigned to you" in html
    assert "Alpha course" in html
    assert "Beta tečaj" in html
    assert "overdue" not in html


def test_overdue_report(app, courses, ctx, make_user):
    hr = make_user(roles={"hr"}, institution="csd-lasko")
    late = make_user(institution="csd-lasko", full_name="Late Lara")
    on_time = make_user(institution="csd-lasko", full_name="Timely Tim")
    elsewhere = make_user(institution="zrsz", full_name="Other Olga")
    institution = db.session.get(User, hr).institution_id
    for user in (late, on_time, elsewhere):
        db.session.get(User, user).job_role_id = role_id()
    beta = get_course("beta")
    today = date(2026, 6, 1)
    assign(institution, beta.id, date(2026, 5, 1), hr, job_role_id=role_id())
    db.session.add(
        Enrolment(
            user_id=on_time, course_id=beta.id, completed_at=datetime(2026, 4, 20, tzinfo=UTC)
        )
    )
    db.session.add(
        Enrolment(user_id=late, course_id=beta.id, completed_at=datetime(2026, 5, 20, tzinfo=UTC))
    )
    db.session.flush()
    items = overdue(institution, today)
    assert [(item.user.full_name, item.completed_on) for item in items] == [
        ("Late Lara", date(2026, 5, 20))
    ]
    assert overdue(institution, date(2026, 4, 1)) == []  # nothing is due yet
    with pytest.raises(AssignmentError):
        assign(institution, beta.id, today, hr, user_id=elsewhere)


def test_overdue_is_shown_to_hr(app, client, courses, make_user):
    hr = make_user(roles={"hr"}, institution="csd-lasko")
    ana = make_user(institution="csd-lasko", full_name="Ana Able")
    with app.app_context():
        assign(
            db.session.get(User, hr).institution_id,
            get_course("alpha").id,
            local_today() - timedelta(days=3),
            hr,
            user_id=ana,
        )
        db.session.commit()
    login(client, hr)
    html = client.get("/hr/assignments").get_data(as_text=True)
    assert "Ana Able" in html
    assert "not completed" in html
    login(client, ana)
    assert "(overdue)" in client.get("/my/learning").get_data(as_text=True)


def test_hr_change_the_due_date_and_withdraw_their_own_only(app, client, courses, make_user):
    ana = make_user(institution="csd-lasko", full_name="Ana Able")
    with app.app_context():
        row = assign(
            db.session.get(User, ana).institution_id, get_course("alpha").id,
            local_today() + timedelta(days=10), ana, user_id=ana,
        )  # fmt: skip
        db.session.commit()
        assignment = row.id
    login(client, make_user(roles={"hr"}, institution="czss-cakovec"))
    later = (local_today() + timedelta(days=40)).isoformat()
    refused = post(client, f"/hr/assignments/{assignment}/due", {"due_on": later})
    assert refused.status_code == 403  # another institution's
    login(client, make_user(roles={"hr"}, institution="csd-lasko"))
    post(client, f"/hr/assignments/{assignment}/due", {"due_on": later})
    with app.app_context():
        from app.courses.models import CourseAssignment

        assert db.session.get(CourseAssignment, assignment).due_on.isoformat() == later
    past = (local_today() - timedelta(days=1)).isoformat()
    post(client, f"/hr/assignments/{assignment}/due", {"due_on": past})
    assert "Choose a due date from today on." in client.get("/hr/assignments").get_data(
        as_text=True
    )
    post(client, f"/hr/assignments/{assignment}/withdraw")
    assert "The assignment is withdrawn." in client.get("/hr/assignments").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CourseAssignment, assignment) is None


def test_hr_assign_a_course_to_several_people_at_once(app, client, courses, make_user):
    hr = make_user(roles={"hr"}, institution="csd-lasko")
    people = [make_user(institution="csd-lasko", full_name="Ana Able") for _ in range(2)]
    people.append(make_user(institution="csd-lasko", full_name="Bor Busy"))
    with app.app_context():
        alpha = get_course("alpha").id
    login(client, hr)
    html = client.get("/hr/assignments").get_data(as_text=True)
    # Two people of the same name are told apart by their e-mail addresses.
    for person in people[:2]:
        with app.app_context():
            email = db.session.get(User, person).email
        assert f"Ana Able ({email})" in html
    due = (local_today() + timedelta(days=20)).isoformat()
    response = client.post(
        "/hr/assignments",
        data={"csrf_token": csrf_token(client, "/hr/assignments"), "course_id": alpha,
              "user_id": [str(person) for person in people], "job_role_id": 0, "due_on": due},
    )  # fmt: skip
    assert response.status_code == 302
    assert "The course is assigned to 3 people." in client.get("/hr/assignments").get_data(
        as_text=True
    )
    with app.app_context():
        from app.courses.models import CourseAssignment

        rows = db.session.scalars(select(CourseAssignment.user_id)).all()
        assert sorted(rows) == sorted(people)
