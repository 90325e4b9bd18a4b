"""The quiz services, one module per responsibility; this is what the views, the CLI, the other
packages and the tests call.

attempts: start, autosave, submit and grade once, time limits, reading attempts.
grading: scores, the trainer's grading of essays and the grading queue.
review: the review policy and what a submitted attempt shows.
"""

from app.quizzes.services.attempts import (
    GRACE,
    AttemptClosed,
    NoAttemptsLeft,
    attempts_left,
    attempts_of,
    attempts_query,
    finish_if_expired,
    is_expired,
    quiz_for_course,
    responses_from_form,
    save_responses,
    start_attempt,
    submit_attempt,
)
from app.quizzes.services.grading import (
    AlreadyGraded,
    GradingRefused,
    grade_answer,
    grading_query,
)
from app.quizzes.services.review import SlotReview, has_passed, may_review, review

__all__ = [
    "GRACE",
    "AlreadyGraded",
    "AttemptClosed",
    "GradingRefused",
    "NoAttemptsLeft",
    "SlotReview",
    "attempts_left",
    "attempts_of",
    "attempts_query",
    "finish_if_expired",
    "grade_answer",
    "grading_query",
    "has_passed",
    "is_expired",
    "may_review",
    "quiz_for_course",
    "responses_from_form",
    "review",
    "save_responses",
    "start_attempt",
    "submit_attempt",
]
