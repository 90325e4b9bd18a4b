"""`flask demo seed --employees N`: deterministic synthetic staff, and the matrix stays at a
fixed number of queries for a realistic institution (250 employees, 40 competences)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import User
from app.competences import reports
from app.competences.models import Evidence
from app.core.database import count_queries, local_today, utcnow
from app.courses.models import CourseAssignment, Enrolment
from app.extensions import db
from app.framework.models import Competence, CompetenceArea
from app.quizzes.models import Quiz, QuizAttempt
from tests.conftest import login


def fingerprint(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            select(User.email, User.full_name, User.job_role_id)
            .where(User.email.like("employee%"))
            .order_by(User.email)
        ).all()


def test_demo_employees_are_deterministic_and_idempotent(app, runner, courses):
    result = runner.invoke(args=["demo", "seed", "--employees", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "40 synthetic employees created (0 existed)" in result.output
    first = fingerprint(app)
    again = runner.invoke(args=["demo", "seed", "--employees", "40", "--seed", "7"])
    assert "0 synthetic employees created (40 existed)" in again.output
    assert fingerprint(app) == first
    with app.app_context():
        assert db.session.scalar(select(func.count(Evidence.id))) > 0
        institutions = db.session.scalar(
            select(func.count(func.distinct(User.institution_id))).where(
                User.email.like("employee%")
            )
        )
        assert institutions > 3


def test_matrix_of_250_by_40_runs_a_fixed_number_of_queries(app, client, runner, courses,
                                                            make_user):  # fmt: skip
    with app.app_context():
        area = db.session.scalar(select(CompetenceArea.id))
        db.session.add_all(
            Competence(code=f"extra-{n}", area_id=area, position=10 + n, names={"en": f"C{n}"},
                       descriptions={"en": "x"})
            for n in range(38)
        )  # fmt: skip
        db.session.commit()
    hr = make_user(roles={"hr"}, institution="csd-lasko")
    login(client, hr)
    with app.app_context(), count_queries() as few:
        assert client.get("/hr/matrix").status_code == 200
    runner.invoke(args=["demo", "seed", "--employees", "1500"])
    with app.app_context():
        lasko = db.session.get(User, hr).institution_id
        staff = db.session.scalar(select(func.count(User.id)).where(User.institution_id == lasko))
        assert staff >= 100
        matrix = reports.build_matrix(reports.MatrixFilter(institution_id=lasko))
        assert len(matrix.competences) == 40
    with app.app_context(), count_queries() as many:
        assert client.get("/hr/matrix").status_code == 200
    assert few.count == many.count


def test_synthetic_data_tell_a_consistent_story(app, runner, courses):
    """Passed means passed at the quiz's own mark; completed only after enrolling and only by
    passing; due dates around today, some met or overdue, some ahead."""
    result = runner.invoke(args=["demo", "seed", "--employees", "300", "--seed", "11"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        marks = {row.id: (row.course_id, row.pass_mark) for row in db.session.scalars(select(Quiz))}
        passed: set[tuple[int, int]] = set()
        attempts = list(db.session.scalars(select(QuizAttempt)))
        assert attempts
        for attempt in attempts:
            course_id, mark = marks[attempt.quiz_id]
            assert attempt.is_passed == (attempt.percent >= mark), attempt.percent
            assert attempt.submitted_at <= utcnow()
            if attempt.is_passed:
                passed.add((attempt.user_id, course_id))
        quiz_courses = {course_id for course_id, _mark in marks.values()}
        enrolments = list(db.session.scalars(select(Enrolment)))
        completed = [row for row in enrolments if row.completed_at]
        assert completed
        assert len(completed) < len(enrolments)
        for row in enrolments:
            if row.completed_at:
                assert row.enrolled_at <= row.completed_at <= utcnow()
            if row.course_id in quiz_courses:
                assert ((row.user_id, row.course_id) in passed) == bool(row.completed_at)
        due = [row.due_on for row in db.session.scalars(select(CourseAssignment))]
        today = local_today()
        assert due
        assert all(today - timedelta(days=30) <= day <= today + timedelta(days=60) for day in due)
        assert any(day < today for day in due)
        assert any(day >= today for day in due)
