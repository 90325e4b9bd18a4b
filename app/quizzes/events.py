"""How quizzes take part in courses: the quiz loaded with its course, completion, the page."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.core import events
from app.courses import hooks
from app.courses.models import Course
from app.extensions import db
from app.quizzes.models import Quiz, QuizAttempt
from app.quizzes.services import quiz_for_course
from app.quizzes.sync import on_course_loaded


def quiz_passed(user_id: int, course_id: int) -> bool:
    """A course with a quiz is complete only once the learner has passed it."""
    quiz_id = db.session.scalar(
        select(Quiz.id).where(Quiz.course_id == course_id, Quiz.is_retired.is_(False))
    )
    if quiz_id is None:
        return True
    passed = db.session.scalar(
        select(func.count(QuizAttempt.id)).where(
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.is_passed.is_(True),
        )
    )
    return bool(passed)


def course_page(course: Course) -> dict[str, Any]:
    return {"quiz": quiz_for_course(course.id)}


def init_app(_app: Flask) -> None:
    events.course_loaded.connect(on_course_loaded)
    hooks.add_requirement(quiz_passed)
    hooks.add_page_context(course_page)
