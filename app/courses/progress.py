"""Enrolment, lessons done and course completion (no request context)."""

from __future__ import annotations

from typing import Any, cast

from flask import Flask
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from app.core import events
from app.core.database import utcnow
from app.core.errors import DomainError
from app.courses import hooks
from app.courses.models import (
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
)
from app.courses.services import active_lessons
from app.extensions import db


def completed_lesson_ids(user_id: int | None, course_id: int) -> set[int]:
    """The ids of the course's lessons the learner has done."""
    if user_id is None:
        return set()
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id == user_id, Lesson.course_id == course_id)
        )
    )


def get_enrolment(user_id: int, course_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def enrol(user_id: int, course: Course) -> Enrolment:
    """Enrol the learner once; a second call returns the same enrolment."""
    enrolment = get_enrolment(user_id, course.id)
    if enrolment is None:
        enrolment = Enrolment(user_id=user_id, course_id=course.id)
        try:
            with db.session.begin_nested():
                db.session.add(enrolment)
        except IntegrityError:
            # Two tabs enrolled at once: the other one won, use its row. Without one, what
            # failed was not the duplicate (no such user, say): that error is the answer.
            existing = get_enrolment(user_id, course.id)
            if existing is None:
                raise
            enrolment = existing
        else:
            events.course_enrolled.send(None, user_id=user_id, course_id=course.id)
    return enrolment


def complete_lesson(user_id: int, course: Course, lesson: Lesson) -> Enrolment:
    """Mark a lesson done (idempotent); the course completes when its rule is met."""
    if lesson.course_id != course.id or lesson.is_retired:
        raise DomainError("lesson is not part of this course")
    if lesson.id not in completed_lesson_ids(user_id, course.id):
        try:
            with db.session.begin_nested():
                db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson.id))
        except IntegrityError:
            pass  # already recorded by a concurrent request
        else:
            events.lesson_completed.send(
                None, user_id=user_id, course_id=course.id, lesson_id=lesson.id
            )
    db.session.flush()
    return update_completion(user_id, course)


def update_completion(user_id: int, course: Course) -> Enrolment:
    """Complete the course once every lesson is done and every requirement is met.

    Sends `course_completed` exactly once per learner and course: the evidence and the
    certificate hang off it.
    """
    enrolment = enrol(user_id, course)
    if enrolment.completed_at is not None:
        return enrolment
    done = completed_lesson_ids(user_id, course.id)
    if not all(item.id in done for item in active_lessons(course)):
        return enrolment
    if not hooks.requirements_met(user_id, course.id):
        return enrolment
    # Claim the completion: of requests completing at the same moment (two tabs, a quiz
    # graded while the last lesson is marked), exactly one goes on.
    # Session.execute is typed to return a Result; for an UPDATE it is a CursorResult, which
    # counts the rows the statement matched.
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.id == enrolment.id, Enrolment.completed_at.is_(None))
            .values(completed_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    db.session.refresh(enrolment)
    if claimed:
        events.course_completed.send(None, user_id=user_id, course_id=course.id)
    return enrolment


def on_attempt_graded(
    _sender: object, *, user_id: int, course_id: int, is_passed: bool, **_details: object
) -> None:
    """A passed quiz may be what completes its course."""
    if is_passed:
        course = db.session.get(Course, course_id)
        if course is not None:
            update_completion(user_id, course)


def init_app(_app: Flask) -> None:
    events.attempt_graded.connect(on_attempt_graded)
