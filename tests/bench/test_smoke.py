"""The benchmark scenarios S2, S3 and S4 at scale S as a CI smoke test: every request answers as
it should and stays within its SQL query budget, on SQLite and PostgreSQL. No wall-clock times:
CI machines are too noisy for them; `make bench` measures those."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bench import scenarios
from bench.generate import SCALES, Generated, generate, write_courses
from tests.conftest import BACKENDS, _url_for, empty_database, make_app

S = SCALES["S"]
# Filling scale S with answered attempts takes minutes: CI runs it, a local run does not.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=BACKENDS)
def bench_data(request, database_urls, tmp_path_factory) -> Iterator[tuple[Flask, Generated]]:
    """A database filled with the S-scale data, shared by the tests of this module."""
    url = _url_for(request.param, request, database_urls)
    work = tmp_path_factory.mktemp("bench")
    application = make_app(url, work / "storage")
    try:
        with application.app_context():
            generated = generate(S, work)
        yield application, generated
    finally:
        empty_database(application)


def test_generator_makes_the_scale_it_promises(bench_data):
    _app, generated = bench_data
    assert (generated.employees, generated.competences, generated.courses) == (500, 40, 4)
    assert generated.lessons == 4 * 8
    assert generated.questions >= S.questions
    assert (generated.attempts, generated.evidence, generated.certificates) == (
        30_000,
        20_000,
        2_000,
    )


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_generated_courses_are_the_same_every_time(tmp_path):
    write_courses(tmp_path / "one", S, ["csd-lasko"], courses=2, lessons_per_course=2)
    write_courses(tmp_path / "two", S, ["csd-lasko"], courses=2, lessons_per_course=2)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")
    lesson = (tmp_path / "one" / "bench-001" / "01-lesson-1.sl.md").read_bytes()
    assert 10_000 <= len(lesson) <= 12_000


def _assert_clean(probes: dict[str, scenarios.Probe], *names: str) -> None:
    for name in names:
        probe = probes[name]
        assert probe.statuses, f"{name}: no requests made"
        assert not probe.errors, f"{name}: {probe.errors[:3]}"
        assert probe.max_queries <= scenarios.QUERY_BUDGET[name], (
            f"{name}: {probe.max_queries} queries, budget {scenarios.QUERY_BUDGET[name]}"
        )


def test_s2_lesson_view_answers_within_a_constant_query_budget(bench_data):
    app, _generated = bench_data
    probes: dict[str, scenarios.Probe] = {}
    scenarios.run_s2(app, probes, scenarios.learners(app, 4), lessons=8)
    _assert_clean(probes, "S2 lesson")
    assert len(probes["S2 lesson"].statuses) == 4 * 8
    # The same for every lesson of every course and every learner, whatever their progress.
    assert len(set(probes["S2 lesson"].queries)) == 1


def test_s3_quiz_autosave_and_submit_grade_within_budget(bench_data):
    app, _generated = bench_data
    probes: dict[str, scenarios.Probe] = {}
    scenarios.run_s3(app, probes, scenarios.learners(app, 4)[1:], saves=10)
    _assert_clean(probes, "S3 start", "S3 attempt page", "S3 autosave", "S3 submit")
    assert probes["S3 submit"].statuses == [302, 302, 302]
    # Saving one answer costs the same whichever answer of the ten it is.
    assert len(set(probes["S3 autosave"].queries)) == 1
    assert len(probes["S3 autosave"].queries) == 3 * 10


def test_s3_quiz_page_does_not_grow_with_earlier_attempts(bench_data):
    app, _generated = bench_data
    probes: dict[str, scenarios.Probe] = {}
    scenarios.run_s3(app, probes, scenarios.learners(app, 1), saves=1)
    _assert_clean(probes, "S3 quiz page")


def test_s4_matrix_queries_do_not_depend_on_the_institution(bench_data):
    app, _generated = bench_data
    hr, staff = scenarios.hr_of_largest_institution(app)
    assert staff >= 30
    probes: dict[str, scenarios.Probe] = {}
    scenarios.run_s4(app, probes, hr)
    _assert_clean(probes, "S4 matrix", "S4b matrix xlsx")
    with app.app_context():
        from sqlalchemy import select

        from app.auth.models import User, UserRole
        from app.extensions import db

        other = db.session.scalar(
            select(User.id)
            .join(UserRole)
            .where(UserRole.role == "hr", User.id != hr)
            .order_by(User.id.desc())
        )
    smaller: dict[str, scenarios.Probe] = {}
    scenarios.run_s4(app, smaller, other, repeat=1)
    assert smaller["S4 matrix"].queries[0] == probes["S4 matrix"].queries[0]


def test_h0_and_s1_within_budget(bench_data):
    app, _generated = bench_data
    probes: dict[str, scenarios.Probe] = {}
    scenarios.run_h0(app, probes)
    scenarios.run_s1(app, probes, scenarios.learners(app, 2))
    _assert_clean(probes, "H0", "S1 catalogue anonymous", "S1 catalogue logged in")


def test_every_attempt_is_answered_as_people_answer(bench_data):
    """Realistic attempts: every slot answered, a share right and a share wrong, essays with
    text and a trainer's grade, the score the sum of the answers."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from app.extensions import db
    from app.quizzes.models import AttemptAnswer, QuizAttempt, QuizItem
    from bench.generate import BASE_TIME, QUESTIONS_PER_ATTEMPT

    app, generated = bench_data
    with app.app_context():
        # The generator's own attempts (the scenarios add some of their own).
        made = (
            select(func.count(AttemptAnswer.id))
            .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
            .where(QuizAttempt.started_at <= BASE_TIME + timedelta(minutes=generated.attempts))
        )
        answers = db.session.scalar(made)
        assert answers == generated.attempts * QUESTIONS_PER_ATTEMPT
        right = db.session.scalar(
            select(func.count(AttemptAnswer.id)).where(AttemptAnswer.fraction >= 0.999)
        )
        assert 0.4 < right / answers < 0.85
        essays = db.session.execute(
            select(AttemptAnswer.response, AttemptAnswer.fraction)
            .join(QuizItem, QuizItem.id == AttemptAnswer.item_id)
            .where(QuizItem.type == "essay")
            .limit(50)
        ).all()
        assert essays
        assert all(
            len(response["value"]) > 40 and fraction is not None for response, fraction in essays
        )
        attempt = db.session.scalar(select(QuizAttempt).limit(1))
        total = sum(
            (answer.fraction or 0) * attempt.slots[answer.slot]["points"]
            for answer in attempt.answers
        )
        assert attempt.score == pytest.approx(total)


def test_s8_staff_reports_stay_within_budget_and_size(bench_data):
    app, _generated = bench_data
    probes: dict[str, scenarios.Probe] = {}
    hr, _staff = scenarios.hr_of_largest_institution(app)
    scenarios.run_s8(app, probes, hr, *scenarios.staff_of_busiest_course(app))
    _assert_clean(probes, *scenarios.S8_PAGES, "S8 certificates", "S8 summary")
    # The same queries on every request: nothing grows with the data.
    for name in probes:
        assert len(set(probes[name].queries)) == 1, name
