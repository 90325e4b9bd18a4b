"""Statements from the domain events: what learners did becomes a learning record.

Nothing is recorded unless an LRS is configured (XAPI_LRS_URL). Each receiver adds its
statements to the outbox in the sender's transaction, and the job that sends them is queued
when that transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import NamedSignal
from flask import Flask, current_app
from sqlalchemy import delete, select, update

from app.auth.models import User
from app.certificates.models import Certificate
from app.core import events, jobs
from app.core.database import utcnow
from app.courses.models import Course, CourseText, Lesson, LessonText
from app.extensions import db
from app.framework.models import Competence
from app.quizzes.models import AttemptAnswer, QuizAttempt
from app.xapi import sender
from app.xapi import statements as xs
from app.xapi.models import XapiActor, XapiStatement


def enabled() -> bool:
    return bool(current_app.config["XAPI_LRS_URL"])


def _queue(user: User, made: list[dict[str, Any]]) -> None:
    rows = [
        XapiStatement(
            statement_id=item["id"],
            user_id=user.id,
            verb=item["verb"]["display"]["en-US"],
            statement=item,
        )
        for item in made
    ]
    db.session.add_all(rows)
    jobs.after_commit(sender.send_statements, [item["id"] for item in made])


def _course(course_id: int) -> tuple[Course, xs.Activity]:
    course = db.session.get(Course, course_id)
    assert course is not None  # the event names a course that exists
    titles = dict(
        db.session.execute(
            select(CourseText.language, CourseText.title).where(CourseText.course_id == course_id)
        ).all()
    )
    return course, xs.course_activity(course.slug, titles)


def on_enrolled(_sender: object, *, user_id: int, course_id: int, **_: Any) -> None:
    user = db.session.get(User, user_id)
    if not enabled() or user is None:
        return
    _course_row, course = _course(course_id)
    _queue(user, [xs.statement(user, "launched", course, utcnow())])


def on_lesson_completed(
    _sender: object, *, user_id: int, course_id: int, lesson_id: int, **_: Any
) -> None:
    user, lesson = db.session.get(User, user_id), db.session.get(Lesson, lesson_id)
    if not enabled() or user is None or lesson is None:
        return
    course_row, course = _course(course_id)
    titles = dict(
        db.session.execute(
            select(LessonText.language, LessonText.title).where(LessonText.lesson_id == lesson_id)
        ).all()
    )
    target = xs.lesson_activity(course_row.slug, lesson.slug, titles)
    result = {"completion": True}
    _queue(user, [xs.statement(user, "completed", target, utcnow(), result=result, parent=course)])


def _answered(
    user: User, attempt: QuizAttempt, slug: str, quiz: xs.Activity, course: xs.Activity
) -> list[dict[str, Any]]:
    answers = {
        answer.slot: answer
        for answer in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    made = []
    when = attempt.graded_at or utcnow()
    for index, slot in enumerate(attempt.slots):
        answer = answers.get(index)
        if not slot["points"] or answer is None or answer.fraction is None or not answer.response:
            continue  # a description, or a question left unanswered (graded 0, not "answered")
        question = xs.question_activity(slug, slot["item"], slot["key"], slot["language"])
        result = {
            "score": xs.score(answer.fraction * slot["points"], slot["points"]),
            "success": answer.fraction >= 1.0,
            "completion": True,
        }
        made.append(
            xs.statement(
                user, "answered", question, when, result=result, parent=quiz, grouping=course
            )
        )
    return made


def on_attempt_graded(
    _sender: object,
    *,
    attempt_id: int,
    user_id: int,
    course_id: int,
    is_passed: bool,
    **_: Any,
) -> None:
    user, attempt = db.session.get(User, user_id), db.session.get(QuizAttempt, attempt_id)
    if not enabled() or user is None or attempt is None:
        return
    course_row, course = _course(course_id)
    quiz = xs.quiz_activity(course_row.slug, dict(attempt.quiz.titles))
    made = _answered(user, attempt, course_row.slug, quiz, course)
    result = {
        "score": xs.score(attempt.score or 0.0, attempt.max_score),
        "success": is_passed,
        "completion": True,
    }
    verb = "passed" if is_passed else "failed"
    made.append(
        xs.statement(user, verb, quiz, attempt.graded_at or utcnow(), result=result, parent=course)
    )
    _queue(user, made)


def on_course_completed(_sender: object, *, user_id: int, course_id: int, **_: Any) -> None:
    user = db.session.get(User, user_id)
    if not enabled() or user is None:
        return
    _course_row, course = _course(course_id)
    _queue(user, [xs.statement(user, "completed", course, utcnow(), result={"completion": True})])


def on_certificate_issued(
    _sender: object, *, certificate_id: int, user_id: int, course_id: int, **_: Any
) -> None:
    user, certificate = db.session.get(User, user_id), db.session.get(Certificate, certificate_id)
    if not enabled() or user is None or certificate is None:
        return
    _course_row, course = _course(course_id)
    target = xs.certificate_activity(certificate.code, dict(certificate.course_titles))
    _queue(user, [xs.statement(user, "earned", target, certificate.issued_at, grouping=course)])


def on_evidence(_sender: object, *, records: list[dict[str, Any]], **_: Any) -> None:
    """A verified level of a competence (not a self-assessment) is a level reached."""
    verified = [item for item in records if item["is_verified"]]
    if not enabled() or not verified:
        return
    names = {
        row.id: row
        for row in db.session.scalars(
            select(Competence).where(
                Competence.id.in_({item["competence_id"] for item in verified})
            )
        )
    }
    for item in verified:
        user, competence = db.session.get(User, item["user_id"]), names.get(item["competence_id"])
        if user is None or competence is None or item["level"] < 1:
            continue
        target = xs.competence_activity(competence.code, item["level"], dict(competence.names))
        result = {"success": True, "extensions": {xs.LEVEL_EXTENSION: item["level"]}}
        _queue(user, [xs.statement(user, "mastered", target, utcnow(), result=result)])


def on_user_erased(_sender: object, *, user_id: int, **_: Any) -> None:
    """The pseudonym is forgotten, so nothing here links the LRS's statements to the person;
    statements still waiting are sent under the old pseudonym, and no longer name the account."""
    db.session.execute(delete(XapiActor).where(XapiActor.user_id == user_id))
    db.session.execute(
        update(XapiStatement)
        .where(XapiStatement.user_id == user_id)
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )


RECEIVERS: dict[NamedSignal, Callable[..., None]] = {
    events.course_enrolled: on_enrolled,
    events.lesson_completed: on_lesson_completed,
    events.attempt_graded: on_attempt_graded,
    events.course_completed: on_course_completed,
    events.certificate_issued: on_certificate_issued,
    events.evidence_recorded: on_evidence,
    events.user_erased: on_user_erased,
}


def init_app(_app: Flask) -> None:
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver)
