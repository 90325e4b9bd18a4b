"""What a learner or a trainer sees of a submitted attempt: the review policy and its rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from sqlalchemy import func, select

from app.extensions import db
from app.questions.storage import question_from_dict
from app.questions.types import QUESTION_TYPES
from app.quizzes.models import Quiz, QuizAttempt
from app.quizzes.services.attempts import attempts_left


def may_review(quiz: Quiz, attempt: QuizAttempt, attempts_used: int, has_passed: bool) -> bool:
    """Whether correct answers and feedback may be shown for a submitted attempt.

    after_last_attempt: once no attempt is left, or, with unlimited attempts, once passed.
    """
    if attempt.state == "in_progress":
        return False
    if quiz.show_answers == "immediately":
        return True
    if quiz.show_answers == "after_last_attempt":
        left = attempts_left(quiz, attempts_used)
        return left == 0 if left is not None else has_passed
    return False


def has_passed(user_id: int, quiz_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(QuizAttempt.id)).where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.quiz_id == quiz_id,
                QuizAttempt.is_passed.is_(True),
            )
        )
    )


@dataclass
class SlotReview:
    """One slot of a submitted attempt as the result page shows it."""

    index: int
    slot: dict[str, Any]
    response: Any
    fraction: float | None
    needs_grading: bool
    comment: str
    feedback: list[str]  # HTML, rendered when the quiz was loaded
    correct: Any


def feedback_html(slot: dict[str, Any], texts: list[str]) -> list[str]:
    """The feedback as the quiz rendered it (Markdown or HTML); a question frozen into an
    attempt before feedback was rendered shows its text as typed."""
    rendered = slot["question"].get("html", {}).get("feedback", {})
    return [rendered[text] if text in rendered else str(escape(text)) for text in texts]


def review(attempt: QuizAttempt, with_answers: bool) -> list[SlotReview]:
    answers = {answer.slot: answer for answer in attempt.answers}
    rows = []
    for index, slot in enumerate(attempt.slots):
        answer = answers.get(index)
        question = question_from_dict(slot["question"])
        kind = QUESTION_TYPES[question.type]
        value = answer.response["value"] if answer and answer.response else None
        feedback: list[str] = []
        correct = None
        if with_answers and kind.has_score and kind.is_graded_automatically:
            feedback = feedback_html(slot, kind.grade(question, value).feedback)
            correct = kind.correct_response(question)
        rows.append(
            SlotReview(
                index=index,
                slot=slot,
                response=value,
                fraction=answer.fraction if answer else None,
                needs_grading=bool(answer and answer.needs_grading),
                comment=answer.comment if answer else "",
                feedback=feedback,
                correct=correct,
            )
        )
    return rows
