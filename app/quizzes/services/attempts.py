"""Quiz attempts: start, autosave, submit and grade once, time limits; reading attempts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.i18n import pick_language
from app.extensions import db
from app.questions.storage import question_from_dict
from app.questions.types import QUESTION_TYPES
from app.quizzes.models import AttemptAnswer, Quiz, QuizAttempt, QuizItem
from app.quizzes.services.grading import finish_scoring, rows_changed, send_graded

# A request that left the browser just before the deadline still counts.
GRACE = timedelta(seconds=30)


class NoAttemptsLeft(DomainError):
    pass


class AttemptClosed(DomainError):
    """The attempt was submitted, or its time ran out and it was graded with what was saved."""


def quiz_for_course(course_id: int) -> Quiz | None:
    return db.session.scalar(
        select(Quiz)
        .where(Quiz.course_id == course_id, Quiz.is_retired.is_(False))
        .options(selectinload(Quiz.items))
    )


def attempts_of(user_id: int, quiz_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
            .order_by(QuizAttempt.number)
        )
    )


def attempts_left(quiz: Quiz, used: int) -> int | None:
    """How many more attempts the learner may start; None means no limit."""
    if quiz.max_attempts is None:
        return None
    return max(0, quiz.max_attempts - used)


def _draw(quiz: Quiz, rng: random.Random) -> list[QuizItem]:
    items = [item for item in quiz.items if not item.is_retired]
    groups: dict[str, list[QuizItem]] = {}
    chosen: list[QuizItem] = []
    for item in items:
        if item.group_name and item.group_name in quiz.groups:
            groups.setdefault(item.group_name, []).append(item)
        else:
            chosen.append(item)
    for name, members in groups.items():
        chosen.extend(rng.sample(members, min(quiz.groups[name], len(members))))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    else:
        chosen.sort(key=lambda item: (item.origin != "file", item.position, item.id))
    return chosen


def _slot(item: QuizItem, language: str, shuffle: bool, rng: random.Random) -> dict[str, Any]:
    chosen = pick_language(set(item.texts), language) or next(iter(item.texts))
    question = item.texts[chosen]
    kind = QUESTION_TYPES[item.type]
    order, options = kind.layout(question, shuffle, rng)
    return {
        "item": item.id,
        "key": item.key,
        "points": item.points if kind.has_score else 0,
        "language": chosen,
        "question": question,
        "order": order,
        "options": options,
        "competence": item.competence_id,
        "level": item.competence_level,
    }


def start_attempt(
    user_id: int, quiz: Quiz, language: str, rng: random.Random | None = None
) -> QuizAttempt:
    """The learner's attempt in progress, or a new one; refuses past the maximum attempts."""
    attempts = attempts_of(user_id, quiz.id)
    for attempt in attempts:
        if attempt.state == "in_progress":
            if finish_if_expired(attempt):
                continue
            return attempt
    if attempts_left(quiz, len(attempts)) == 0:
        raise NoAttemptsLeft(str(quiz.max_attempts))
    rng = rng or random.Random()  # noqa: S311 - shuffling questions, not security
    now = utcnow()
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        user_id=user_id,
        number=len(attempts) + 1,
        language=language,
        started_at=now,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes
        else None,
        slots=[_slot(item, language, quiz.shuffle_choices, rng) for item in _draw(quiz, rng)],
    )
    attempt.max_score = sum(slot["points"] for slot in attempt.slots)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Two tabs started at once: the other request made the attempt; use it.
        return next(a for a in attempts_of(user_id, quiz.id) if a.state == "in_progress")
    return attempt


def is_expired(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    return attempt.deadline_at is not None and (now or utcnow()) > attempt.deadline_at + GRACE


def finish_if_expired(attempt: QuizAttempt) -> bool:
    """Grade an attempt whose time ran out with what was saved; True if it was."""
    if attempt.state == "in_progress" and is_expired(attempt):
        submit_attempt(attempt, None)
        return True
    return False


def _decode(slot: dict[str, Any], form: dict[str, list[str]], index: int) -> Any:
    """A response as the grader wants it, from the form fields of one slot."""
    return QUESTION_TYPES[slot["question"]["type"]].decode(slot, form, f"q{index}")


def responses_from_form(attempt: QuizAttempt, form: dict[str, list[str]]) -> dict[int, Any]:
    """Only the slots the form speaks of, so a partial autosave never blanks other answers."""
    responses = {}
    for index, slot in enumerate(attempt.slots):
        prefix = f"q{index}"
        if any(key == prefix or key.startswith(prefix + "-") for key in form) or (
            f"{prefix}-present" in form
        ):
            responses[index] = _decode(slot, form, index)
    return responses


def _answers(attempt_id: int) -> dict[int, AttemptAnswer]:
    return {
        answer.slot: answer
        for answer in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        )
    }


def _write_answers(
    attempt: QuizAttempt, existing: dict[int, AttemptAnswer], rows: dict[int, dict[str, Any]]
) -> None:
    """Insert and update answer rows in two statements, however many slots there are."""
    inserts = [
        {"attempt_id": attempt.id, "slot": slot, "item_id": attempt.slots[slot]["item"], **values}
        for slot, values in rows.items()
        if slot not in existing
    ]
    updates = [
        {"id": existing[slot].id, **values} for slot, values in rows.items() if slot in existing
    ]
    if inserts:
        db.session.execute(insert(AttemptAnswer), inserts)
    if updates:
        db.session.execute(update(AttemptAnswer), updates)
    db.session.expire(attempt, ["answers"])


def _lock_open_attempt(attempt: QuizAttempt) -> bool:
    """Take the attempt's row lock if it is still open; False if it was submitted meanwhile.

    Saving and submitting take the same lock: two saves at once take turns (the second sees
    the first's rows), and a save that comes after the submit writes nothing.
    """
    locked = rows_changed(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.state == "in_progress")
        .values(state=QuizAttempt.state)
        .execution_options(synchronize_session=False)
    )
    if not locked:
        db.session.refresh(attempt)
    return bool(locked)


def save_responses(attempt: QuizAttempt, responses: dict[int, Any]) -> None:
    """Keep the learner's answers as they go; refuses once the attempt is closed."""
    if attempt.state != "in_progress":
        raise AttemptClosed("submitted")
    if finish_if_expired(attempt):
        raise AttemptClosed("expired")
    if not _lock_open_attempt(attempt):
        raise AttemptClosed("submitted")
    now = utcnow()
    rows = [
        {
            "attempt_id": attempt.id,
            "slot": index,
            "item_id": attempt.slots[index]["item"],
            "response": {"value": response},
            "saved_at": now,
        }
        for index, response in sorted(responses.items())
        if 0 <= index < len(attempt.slots)
    ]
    if not rows:
        return
    # One statement whatever the number of answers: new slots are inserted, saved ones updated.
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(AttemptAnswer)
    db.session.execute(
        statement.values(rows).on_conflict_do_update(
            index_elements=["attempt_id", "slot"],
            set_={"response": statement.excluded.response, "saved_at": statement.excluded.saved_at},
        )
    )
    db.session.expire(attempt, ["answers"])


def submit_attempt(attempt: QuizAttempt, responses: dict[int, Any] | None) -> QuizAttempt:
    """Grade the attempt exactly once, whatever the number of clicks, tabs or questions.

    A fixed number of queries: claim the attempt, read its answers, write them, score it.
    """
    in_time = attempt.state == "in_progress" and not is_expired(attempt)
    now = utcnow()
    claimed = rows_changed(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.state == "in_progress")
        .values(state="needs_grading", submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if not claimed:
        return attempt  # another click or tab already graded it
    existing = _answers(attempt.id)
    given = responses if (responses and in_time) else {}
    rows: dict[int, dict[str, Any]] = {}
    fractions: dict[int, float] = {}
    score, pending = 0.0, False
    for index, slot in enumerate(attempt.slots):
        value, row = _response(index, given, existing, now)
        graded, fraction = _grade_slot(slot, value)
        row.update(graded)
        pending = pending or bool(graded.get("needs_grading"))
        if fraction is not None:
            fractions[index] = fraction
            score += fraction * slot["points"]
        if row or index not in existing:
            rows[index] = {"response": None, **row} if index not in existing else row
    _write_answers(attempt, existing, rows)
    pass_mark, course_id = db.session.execute(
        select(Quiz.pass_mark, Quiz.course_id).where(Quiz.id == attempt.quiz_id)
    ).one()
    finish_scoring(attempt, score, pending, pass_mark)
    db.session.flush()
    if attempt.state == "finished":
        send_graded(attempt, fractions, pass_mark, course_id)
    return attempt


def _response(
    index: int, given: dict[int, Any], existing: dict[int, AttemptAnswer], now: datetime
) -> tuple[Any, dict[str, Any]]:
    """A slot's response, sent with the submit or saved before, and the columns to write."""
    if index in given:
        return given[index], {"response": {"value": given[index]}, "saved_at": now}
    answer = existing.get(index)
    return (answer.response["value"] if answer and answer.response else None), {}


def _grade_slot(slot: dict[str, Any], value: Any) -> tuple[dict[str, Any], float | None]:
    """The grading columns of a slot's answer, and its fraction (None: not scored, or waiting
    for a trainer)."""
    question = question_from_dict(slot["question"])
    kind = QUESTION_TYPES[question.type]
    if not kind.has_score:
        return {}, None
    if not kind.is_graded_automatically and isinstance(value, str) and value.strip():
        return {"needs_grading": True, "fraction": None}, None
    # An essay left empty is worth nothing; Moodle does not queue it for a trainer.
    fraction = (kind.grade(question, value).fraction if value is not None else 0.0) or 0.0
    return {"needs_grading": False, "fraction": fraction}, fraction


def attempts_query(quiz_id: int) -> Select[QuizAttempt]:
    """Every attempt at a quiz with its learner, newest first: a query to page through."""
    return (
        select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz_id)
        .options(selectinload(QuizAttempt.user))
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
    )
