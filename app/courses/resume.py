"""Where a learner left off: the course they worked on last and its next lesson to read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.courses.models import Course, Enrolment, Lesson, LessonProgress, LessonText
from app.courses.services import course_card, lesson_text
from app.extensions import db


@dataclass(frozen=True)
class ResumePoint:
    course_slug: str
    course_title: str
    course_language: str
    lesson_slug: str | None  # None: every lesson is read, what is left is the quiz
    lesson_title: str
    lesson_language: str


def resume_point(user_id: int, language: str) -> ResumePoint | None:
    """The unfinished course with the learner's latest lesson, and its first lesson not yet
    read; None when no course is under way. Three queries."""
    latest = db.session.execute(
        select(Lesson.course_id)
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .join(
            Enrolment,
            (Enrolment.course_id == Lesson.course_id) & (Enrolment.user_id == user_id),
        )
        .where(LessonProgress.user_id == user_id, Enrolment.completed_at.is_(None))
        .order_by(LessonProgress.completed_at.desc(), LessonProgress.id.desc())
        .limit(1)
    ).scalar()
    if latest is None:
        return None
    course = db.session.scalar(
        select(Course)
        .where(Course.id == latest, Course.is_retired.is_(False))
        .options(
            selectinload(Course.texts),
            # Titles only: the lessons' bodies are not needed to point at the next one.
            selectinload(Course.lessons)
            .selectinload(Lesson.texts)
            .load_only(LessonText.lesson_id, LessonText.language, LessonText.title),
        )
    )
    if course is None:
        return None
    done = set(
        db.session.scalars(
            select(LessonProgress.lesson_id)
            .join(Lesson)
            .where(LessonProgress.user_id == user_id, Lesson.course_id == course.id)
        )
    )
    card = course_card(course, language)
    lessons = sorted(
        (row for row in course.lessons if not row.is_retired), key=lambda row: row.position
    )
    following = next((row for row in lessons if row.id not in done), None)
    if following is None:
        return ResumePoint(course.slug, card.title, card.language, None, "", card.language)
    text = lesson_text(following, language)
    return ResumePoint(
        course.slug, card.title, card.language, following.slug, text.title, text.language
    )
