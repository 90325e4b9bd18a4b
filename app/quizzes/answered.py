"""Which questions of an attempt have an answer that says something (the summary, the
navigator, the guard against submitting an empty attempt)."""

from __future__ import annotations

from typing import Any

from app.questions.types import QUESTION_TYPES
from app.quizzes.models import QuizAttempt


def is_answered(value: Any) -> bool:
    """A response that says something: not empty text, not an empty choice."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return any(
            is_answered(item) for item in (value.values() if isinstance(value, dict) else value)
        )
    return True


def answered_slots(attempt: QuizAttempt) -> dict[int, bool]:
    """For each question to answer (not a description): does its saved response say anything?"""
    saved = {answer.slot: (answer.response or {}).get("value") for answer in attempt.answers}
    return {
        index: is_answered(saved.get(index))
        for index, slot in enumerate(attempt.slots)
        if QUESTION_TYPES[slot["question"]["type"]].has_score
    }
