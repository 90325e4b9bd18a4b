"""Evidence from what happened in courses and quizzes: the competences they develop."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.competences.services import evidence_from_course, evidence_from_quiz
from app.core import events
from app.courses.models import CourseCompetence
from app.extensions import db


def on_course_completed(_sender: object, *, user_id: int, course_id: int, **_: Any) -> None:
    """A completed course is evidence of each competence it develops, at its level."""
    claims = db.session.execute(
        select(CourseCompetence.competence_id, CourseCompetence.level).where(
            CourseCompetence.course_id == course_id
        )
    ).all()
    evidence_from_course(user_id, course_id, [(row[0], row[1]) for row in claims])


def on_attempt_graded(
    _sender: object,
    *,
    attempt_id: int,
    user_id: int,
    course_id: int,
    scored: list[tuple[int, int, float, float]],
    threshold: float,
    **_: Any,
) -> None:
    """A graded attempt is evidence of the competences its tagged questions test."""
    if scored:
        evidence_from_quiz(user_id, attempt_id, course_id, scored, threshold)


def init_app(_app: Flask) -> None:
    events.course_completed.connect(on_course_completed)
    events.attempt_graded.connect(on_attempt_graded)
