"""Loading a course's quiz files into Quiz and QuizItem rows, when the course is loaded."""

from __future__ import annotations

from typing import Any

from app.core.markdown import LinkResolver
from app.courses.rendering import link_resolver
from app.extensions import db
from app.questions.bank import content_hash
from app.questions.gift import gift_uncarried
from app.questions.markdown_fit import fit_quiz_file
from app.questions.markdown_format import QuizSource
from app.questions.storage import question_from_dict, question_to_dict
from app.quizzes.models import Quiz, QuizItem


def item_keys(source: QuizSource) -> list[str]:
    """Each question's stable key: its id, else its title, else its position. Two questions
    with the same title are still two items (the second key gets " (2)")."""
    keys: list[str] = []
    for index, question in enumerate(source.questions):
        title = question.title.strip()
        key = f"id:{question.id}" if question.id else title or f"q{index + 1}"
        key, number = key[:190], 2
        while key in keys:
            key = f"{key[:190]} ({number})"
            number += 1
        keys.append(key)
    return keys


def sync_quiz(
    course_id: int,
    sources: dict[str, QuizSource],
    primary: str,
    competences: dict[str, int],
    content_hash: str,
    resolver: LinkResolver | None = None,
) -> list[str]:
    """Create or update the course's quiz from its files; retire questions that are gone.

    `sources` has one parsed file per language; `primary` is the language whose titles give
    the questions their stable keys. Attempts keep their own copies, so nothing here changes
    an attempt already taken.
    """
    quiz = db.session.scalar(db.select(Quiz).where(Quiz.course_id == course_id))
    if not sources:
        return _retire(quiz) if quiz is not None and not quiz.is_retired else []
    if quiz is not None and quiz.content_hash == content_hash and not quiz.is_retired:
        return []
    changes = []
    if quiz is None:
        quiz = Quiz(course_id=course_id, titles={})
        db.session.add(quiz)
        changes.append("created quiz")
    else:
        changes.append("updated quiz")
    _settings(quiz, sources, sources[primary])
    quiz.content_hash = content_hash
    _items(quiz, sources, sources[primary], competences, resolver)
    _retire_moved(quiz, sources[primary], primary)
    db.session.flush()
    return changes


def _retire(quiz: Quiz) -> list[str]:
    """The quiz file is gone: its questions retire, and the quiz too unless GIFT ones remain."""
    changes = []
    for item in quiz.items:
        if item.origin == "file" and not item.is_retired:
            item.is_retired = True
            changes = ["retired quiz questions"]
    # Questions imported from GIFT keep the quiz alive without a quiz file.
    if not any(item.origin != "file" and not item.is_retired for item in quiz.items):
        quiz.is_retired = True
        changes = ["retired quiz"]
    return changes


def _settings(quiz: Quiz, sources: dict[str, QuizSource], main: QuizSource) -> None:
    settings = main.settings
    quiz.titles = {language: source.settings.title for language, source in sources.items()}
    quiz.pass_mark = settings.pass_mark
    quiz.max_attempts = settings.max_attempts
    quiz.time_limit_minutes = settings.time_limit_minutes
    quiz.shuffle_questions = settings.shuffle_questions
    quiz.shuffle_choices = settings.shuffle_choices
    quiz.show_answers = settings.show_answers
    quiz.groups = {group.name: group.pick for group in main.groups}
    quiz.is_retired = False


def _items(
    quiz: Quiz,
    sources: dict[str, QuizSource],
    main: QuizSource,
    competences: dict[str, int],
    resolver: LinkResolver | None,
) -> None:
    """One item per question of the primary file, found again by its key; others retire."""
    group_of = {index: group.name for group in main.groups for index in group.question_indexes}
    items = {item.key: item for item in quiz.items if item.origin == "file"}
    seen = set()
    for index, (key, question) in enumerate(zip(item_keys(main), main.questions, strict=True)):
        seen.add(key)
        item = items.get(key)
        if item is None:
            item = QuizItem(key=key, origin="file", texts={})
            quiz.items.append(item)
        item.position = index
        item.type = question.type
        item.group_name = group_of.get(index)
        item.points = question.points
        item.competence_id = competences.get(question.competence or "")
        item.competence_level = question.competence_level
        item.texts = {
            language: question_to_dict(source.questions[index], resolver)
            for language, source in sources.items()
        }
        item.is_retired = False
    for key, item in items.items():
        if key not in seen:
            item.is_retired = True


def _retire_moved(quiz: Quiz, main: QuizSource, language: str) -> None:
    """Questions imported from GIFT before imports went through the draft sit beside the quiz
    file ("gift" items). Once the quiz file has one of them (its export imported into the
    draft), the old copy retires, so that it is not asked twice."""
    in_file = {content_hash(question, gift_uncarried(question)) for question in main.questions}
    for item in quiz.items:
        if item.origin == "file" or item.is_retired or not item.texts:
            continue
        question = question_from_dict(item.texts.get(language) or next(iter(item.texts.values())))
        fit_quiz_file(question)
        if content_hash(question, gift_uncarried(question)) in in_file:
            item.is_retired = True


def on_course_loaded(
    _sender: object, *, course_id: int, source: Any, competences: dict[str, int], **_: Any
) -> list[str]:
    """The course sync's `course_loaded` event: its quiz files become the course's quiz."""
    primary = source.languages[0] if source.languages else "sl"
    resolver = link_resolver(source.slug)
    return sync_quiz(course_id, source.quiz, primary, competences, source.quiz_hash, resolver)
