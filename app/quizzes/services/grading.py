"""Scoring attempts, and the trainer's grading of essays: the queue, a grade, the final score."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Select, or_, select, update
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import events
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.search import like_patterns
from app.extensions import db
from app.quizzes.models import AttemptAnswer, Quiz, QuizAttempt


def rows_changed(statement: Executable) -> int:
    """How many rows an UPDATE changed: a claim that changed none lost the race to another."""
    return cast("CursorResult[Any]", db.session.execute(statement)).rowcount


def send_graded(
    attempt: QuizAttempt, fractions: dict[int, float], pass_mark: float, course_id: int
) -> None:
    """Tell the packages above that the attempt has its final grade: the competences its
    tagged questions evidence, and whether it passes (which may complete the course)."""
    scored = [
        (slot["competence"], slot.get("level") or 0, fractions.get(index, 0.0), slot["points"])
        for index, slot in enumerate(attempt.slots)
        if slot.get("competence") and slot["points"]
    ]
    events.attempt_graded.send(
        None,
        attempt_id=attempt.id,
        user_id=attempt.user_id,
        course_id=course_id,
        is_passed=bool(attempt.is_passed),
        scored=scored,
        threshold=pass_mark / 100,
    )


def finish_scoring(attempt: QuizAttempt, score: float, pending: bool, pass_mark: float) -> None:
    """The attempt's score; final and passed or not unless an essay is `pending` a trainer."""
    attempt.score = round(score, 4)
    if pending:
        attempt.state, attempt.is_passed = "needs_grading", None
        return
    attempt.state = "finished"
    attempt.graded_at = utcnow()
    percent = attempt.percent if attempt.max_score else 100.0
    attempt.is_passed = percent is not None and percent + 1e-9 >= pass_mark


def _score(attempt: QuizAttempt) -> None:
    """Score an attempt from its stored answers (after a trainer grades an essay)."""
    answers = {answer.slot: answer for answer in attempt.answers}
    score, pending = 0.0, False
    for index, slot in enumerate(attempt.slots):
        answer = answers.get(index)
        if not slot["points"] or answer is None:
            continue
        if answer.needs_grading:
            pending = True
        elif answer.fraction is not None:
            score += answer.fraction * slot["points"]
    finish_scoring(attempt, score, pending, attempt.quiz.pass_mark)
    if attempt.state == "finished":
        fractions = {answer.slot: answer.fraction or 0.0 for answer in attempt.answers}
        db.session.flush()
        send_graded(attempt, fractions, attempt.quiz.pass_mark, attempt.quiz.course_id)


class GradingRefused(DomainError):
    """A trainer may not grade this answer (their own)."""


class AlreadyGraded(DomainError):
    """Another trainer graded the answer first."""


def grade_answer(answer: AttemptAnswer, grader_id: int, fraction: float, comment: str) -> None:
    """A trainer's grade for an essay; the attempt is final when nothing is left to grade."""
    if not 0 <= fraction <= 1:
        raise DomainError("fraction out of range")
    attempt = answer.attempt
    if attempt.user_id == grader_id:
        raise GradingRefused("own answer")
    # Graders of one attempt take turns (a row lock on it), so whoever grades its last essay
    # sees all the other grades and finishes the attempt exactly once.
    db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id)
        .values(state=QuizAttempt.state)
        .execution_options(synchronize_session=False)
    )
    claimed = rows_changed(
        update(AttemptAnswer)
        .where(AttemptAnswer.id == answer.id, AttemptAnswer.needs_grading.is_(True))
        .values(
            fraction=fraction,
            comment=comment.strip(),
            needs_grading=False,
            grader_id=grader_id,
            graded_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if not claimed:
        raise AlreadyGraded("graded meanwhile")
    # Read the attempt and all its answers again under the lock: other trainers' grades of
    # its other essays, and this one's, replace what this session loaded before.
    db.session.refresh(attempt)
    db.session.scalars(
        select(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == attempt.id)
        .execution_options(populate_existing=True)
    ).all()
    db.session.expire(attempt, ["answers"])
    events.answer_graded.send(
        None,
        answer_id=answer.id,
        attempt_id=attempt.id,
        learner_id=attempt.user_id,
        grader_id=grader_id,
        fraction=fraction,
    )
    _score(attempt)
    db.session.flush()


def grading_query(
    course_ids: list[int] | None = None, grader_id: int | None = None, learner: str = ""
) -> Select[AttemptAnswer]:
    """Essays waiting for a trainer, oldest first, without the grader's own: a query to page
    through, with each answer's attempt, learner and quiz loaded alongside."""
    query = (
        select(AttemptAnswer)
        .join(QuizAttempt)
        .join(Quiz)
        .where(AttemptAnswer.needs_grading.is_(True))
        .options(
            selectinload(AttemptAnswer.attempt).selectinload(QuizAttempt.user),
            selectinload(AttemptAnswer.attempt).selectinload(QuizAttempt.quiz),
        )
        .order_by(QuizAttempt.submitted_at, AttemptAnswer.slot)
    )
    if course_ids is not None:
        query = query.where(Quiz.course_id.in_(course_ids))
    if grader_id is not None:
        query = query.where(QuizAttempt.user_id != grader_id)
    if learner:
        # The same folding as the users' search: "simic" finds Šimić, "šimić" finds Simic.
        matches = or_(
            *(User.search_text.like(pattern, escape="\\") for pattern in like_patterns(learner))
        )
        query = query.where(QuizAttempt.user_id.in_(select(User.id).where(matches)))
    return query
