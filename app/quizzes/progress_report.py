"""A course's progress report for its trainers: per learner (started, completed, stuck, best
quiz result) and per lesson (how many of the enrolled have read it), aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, Subquery, and_, case, func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.database import utcnow
from app.courses.models import Course, Enrolment, Lesson, LessonProgress, LessonText
from app.courses.services import lesson_text
from app.extensions import db
from app.quizzes.models import Quiz, QuizAttempt

# A learner with no lesson read for this long, course not completed, is shown as stuck.
STUCK_AFTER = timedelta(days=14)
STATUSES = ("not_started", "in_progress", "stuck", "completed")


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    institution_id: int
    enrolled_at: datetime
    completed_at: datetime | None
    lessons_done: int
    last_activity: datetime
    attempts: int
    best_percent: float | None
    status: str


@dataclass(frozen=True)
class LessonRow:
    position: int
    title: str
    language: str
    completed: int  # of the learners enrolled


def _lessons_read(course: Course) -> Subquery:
    return (
        select(
            LessonProgress.user_id.label("user_id"),
            func.count(LessonProgress.id).label("done"),
            func.max(LessonProgress.completed_at).label("last"),
        )
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.course_id == course.id, Lesson.is_retired.is_(False))
        .group_by(LessonProgress.user_id)
        .subquery()
    )


def _quiz_results(quiz: Quiz | None) -> Subquery:
    percent = case(
        (QuizAttempt.max_score > 0, 100 * QuizAttempt.score / QuizAttempt.max_score), else_=None
    )
    return (
        select(
            QuizAttempt.user_id.label("user_id"),
            func.count(QuizAttempt.id).label("attempts"),
            func.max(case((QuizAttempt.state == "finished", percent), else_=None)).label("best"),
        )
        .where(QuizAttempt.quiz_id == (quiz.id if quiz else -1))
        .group_by(QuizAttempt.user_id)
        .subquery()
    )


def learners_query(
    course: Course, quiz: Quiz | None, status: str | None = None, now: datetime | None = None
) -> Select[Any]:
    """One row per enrolled learner, by name: a query to page through (two joins to
    aggregates, so a page costs the same whatever the number of learners)."""
    now = now or utcnow()
    read, results = _lessons_read(course), _quiz_results(quiz)
    done = func.coalesce(read.c.done, 0)
    last = func.coalesce(read.c.last, Enrolment.enrolled_at)
    is_stuck = and_(Enrolment.completed_at.is_(None), last < now - STUCK_AFTER)
    state = case(
        (Enrolment.completed_at.is_not(None), "completed"),
        (is_stuck, "stuck"),
        (done > 0, "in_progress"),
        else_="not_started",
    ).label("status")
    query = (
        select(
            User.id,
            User.full_name,
            User.institution_id,
            Enrolment.enrolled_at,
            Enrolment.completed_at,
            done.label("done"),
            last.label("last"),
            func.coalesce(results.c.attempts, 0).label("attempts"),
            results.c.best,
            state,
        )
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(read, read.c.user_id == Enrolment.user_id)
        .outerjoin(results, results.c.user_id == Enrolment.user_id)
        .where(Enrolment.course_id == course.id, User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )
    if status in STATUSES:
        query = query.where(state == status)
    return query


def learner_rows(rows: list[Row[Any]]) -> list[LearnerRow]:
    return [LearnerRow(*tuple(row)) for row in rows]


def status_counts(course: Course, quiz: Quiz | None) -> dict[str, int]:
    """How many learners are in each state: one aggregate query."""
    inner = learners_query(course, quiz).order_by(None).subquery()
    counts = dict.fromkeys(STATUSES, 0)
    query = select(inner.c.status, func.count()).group_by(inner.c.status)
    for status, count in db.session.execute(query).all():
        counts[status] = count
    return counts


def lesson_rows(course: Course, language: str) -> list[LessonRow]:
    """Each lesson with how many of the course's learners have read it; three queries."""
    enrolled = select(Enrolment.user_id).where(Enrolment.course_id == course.id)
    completed = dict(
        db.session.execute(
            select(Lesson.id, func.count(LessonProgress.id))
            .outerjoin(
                LessonProgress,
                and_(
                    LessonProgress.lesson_id == Lesson.id,
                    LessonProgress.user_id.in_(enrolled),
                ),
            )
            .where(Lesson.course_id == course.id, Lesson.is_retired.is_(False))
            .group_by(Lesson.id)
        ).all()
    )
    lessons = db.session.scalars(
        select(Lesson)
        .where(Lesson.course_id == course.id, Lesson.is_retired.is_(False))
        .order_by(Lesson.position)
        # Titles only: a report has no use for the lessons' bodies.
        .options(
            selectinload(Lesson.texts).load_only(
                LessonText.lesson_id, LessonText.language, LessonText.title
            )
        )
    )
    rows = []
    for number, lesson in enumerate(lessons, start=1):
        text = lesson_text(lesson, language)
        rows.append(LessonRow(number, text.title, text.language, completed.get(lesson.id, 0)))
    return rows
