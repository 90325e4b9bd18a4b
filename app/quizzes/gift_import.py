"""Importing Moodle GIFT files into a course's question pool, and exporting it as GIFT."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from app.core.sources import Problem
from app.courses.models import Course
from app.extensions import db
from app.questions.gift import export_gift, parse_gift
from app.questions.model import Question
from app.questions.storage import question_from_dict, question_to_dict
from app.quizzes.models import Quiz, QuizItem

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ImportResult:
    questions: list[Question] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: int = 0


def _quiz(course: Course) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
    if quiz is None:
        titles = {text.language: text.title for text in course.texts}
        quiz = Quiz(course_id=course.id, titles=titles, groups={}, content_hash="")
        db.session.add(quiz)
        db.session.flush()
    return quiz


def _key(question: Question) -> str:
    digest = hashlib.sha256(question.stem.encode()).hexdigest()[:12]
    return f"gift:{question.title[:150] or digest}"


def import_gift(
    course: Course, text: str, language: str, dry_run: bool = False, path: str = "-"
) -> ImportResult:
    """Parse GIFT and, unless a dry run, add its questions to the course's quiz pool.

    A `$CATEGORY:` becomes a question group from which every question is asked; a question
    already imported (same title, or same text) is updated rather than added twice.
    """
    questions, warnings = parse_gift(text, path)
    result = ImportResult(questions, warnings)
    if dry_run or not questions:
        return result
    quiz = _quiz(course)
    existing = {item.key: item for item in quiz.items if item.origin == "gift"}
    position = max((item.position for item in quiz.items), default=0)
    for question in questions:
        key = _key(question)
        item = existing.get(key)
        if item is None:
            position += 1
            item = QuizItem(key=key, origin="gift", position=position, texts={})
            quiz.items.append(item)
            existing[key] = item
            result.created += 1
        item.type = question.type
        item.points = question.points
        item.group_name = None
        item.texts = {**item.texts, language: question_to_dict(question)}
        item.is_retired = False
    db.session.flush()
    return result


def export_course_gift(course: Course, language: str) -> str:
    """The course's questions in one language as GIFT that Moodle imports."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
    if quiz is None:
        return ""
    questions = []
    for item in quiz.items:
        if item.is_retired or not item.texts:
            continue
        data = item.texts.get(language) or next(iter(item.texts.values()))
        questions.append(question_from_dict(data))
    return export_gift(questions)
