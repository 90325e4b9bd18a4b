"""The live quiz of a course as a question bank for Moodle: GIFT, or Moodle XML with images."""

from __future__ import annotations

from sqlalchemy import select

from app.core.storage import BadKey, storage
from app.courses.models import Course
from app.extensions import db
from app.questions.bank import category_of
from app.questions.gift import export_gift
from app.questions.model import Question
from app.questions.moodle_xml_export import export_moodle_xml
from app.questions.storage import question_from_dict
from app.quizzes.models import Quiz, QuizItem

FORMATS = ("gift", "xml")


def _questions(quiz: Quiz, language: str) -> list[Question]:
    """The quiz's questions in one language (another where it has none), each group's
    questions together as one category."""
    groups = list(quiz.groups or {})
    items = [item for item in quiz.items if not item.is_retired and item.texts]

    def order(item: QuizItem) -> tuple[int, int, int]:
        group = groups.index(item.group_name) if item.group_name in groups else -1
        return (group, item.position, item.id or 0)

    questions = []
    for item in sorted(items, key=order):
        question = question_from_dict(item.texts.get(language) or next(iter(item.texts.values())))
        question.category = category_of(item.group_name if item.group_name in groups else None)
        questions.append(question)
    return questions


def export_course(course: Course, language: str, form: str = "gift") -> str:
    """The course's live questions as GIFT or Moodle XML that Moodle imports."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
    if quiz is None:
        return ""
    questions = _questions(quiz, language)
    if form != "xml":
        return export_gift(questions)
    files = storage()

    def read_file(path: str) -> bytes | None:
        try:
            return files.read(f"courses/{course.slug}/{path}")
        except BadKey:  # a link that would leave the course's files
            return None

    return export_moodle_xml(questions, read_file)
