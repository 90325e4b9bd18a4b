"""Item analysis of a quiz, as in Moodle's quiz statistics: facility, discrimination, choices."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.csvexport import csv_text
from app.extensions import db
from app.questions.types import QUESTION_TYPES
from app.quizzes.models import Quiz, QuizAttempt


@dataclass
class ItemStatistics:
    key: str
    type: str
    stem: str
    attempts: int = 0
    facility: float | None = None  # mean score on the item, in %
    discrimination: float | None = None  # correlation with the rest of the test, in %
    choices: list[tuple[str, int]] = field(default_factory=list)  # (choice text, times picked)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def quiz_statistics(quiz: Quiz) -> tuple[int, list[ItemStatistics]]:
    """Finished attempts and per-item statistics; two queries whatever the number of attempts."""
    attempts = list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == "finished")
            .options(selectinload(QuizAttempt.answers))
        )
    )
    items: dict[str, ItemStatistics] = {}
    scores: dict[str, list[tuple[float, float]]] = {}  # key -> (item fraction, rest of test)
    picks: dict[str, Counter[str]] = {}
    for attempt in attempts:
        answers = {answer.slot: answer for answer in attempt.answers}
        total = attempt.score or 0.0
        for index, slot in enumerate(attempt.slots):
            if not slot["points"]:
                continue
            question = slot["question"]
            key = slot["key"]
            stats = items.setdefault(key, ItemStatistics(key, question["type"], question["stem"]))
            answer = answers.get(index)
            fraction = answer.fraction if answer and answer.fraction is not None else 0.0
            scores.setdefault(key, []).append((fraction, total - fraction * slot["points"]))
            stats.attempts += 1
            value = answer.response["value"] if answer and answer.response else None
            counter = picks.setdefault(key, Counter())
            counter.update(QUESTION_TYPES[question["type"]].tally(question, value))
    for key, stats in items.items():
        pairs = scores[key]
        stats.facility = 100 * sum(fraction for fraction, _ in pairs) / len(pairs)
        correlation = _pearson([p[0] for p in pairs], [p[1] for p in pairs])
        stats.discrimination = None if correlation is None else 100 * correlation
        stats.choices = sorted(picks[key].items(), key=lambda pair: -pair[1])
    return len(attempts), list(items.values())


def statistics_csv(items: list[ItemStatistics]) -> str:
    header = ["question", "type", "attempts", "facility_index", "discrimination_index", "choices"]
    return csv_text(
        [
            header,
            *(
                [
                    item.key,
                    item.type,
                    item.attempts,
                    "" if item.facility is None else f"{item.facility:.1f}",
                    "" if item.discrimination is None else f"{item.discrimination:.1f}",
                    "; ".join(f"{text}: {count}" for text, count in item.choices),
                ]
                for item in items
            ),
        ]
    )


ANSWERS_HEADER = [
    "learner",
    "attempt",
    "state",
    "submitted_at",
    "question_number",
    "question",
    "type",
    "response",
    "points",
    "max_points",
    "comment",
]


def answers_csv(quiz: Quiz) -> str:
    """Every answer of every submitted attempt, one row each: for a spreadsheet, formula-safe
    (a typed answer "=1+1" stays text) and UTF-8 with a BOM. Three queries."""
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.state != "in_progress")
        .options(selectinload(QuizAttempt.answers), selectinload(QuizAttempt.user))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    )
    rows: list[list[object]] = [list(ANSWERS_HEADER)]
    for attempt in attempts:
        answers = {answer.slot: answer for answer in attempt.answers}
        for index, slot in enumerate(attempt.slots):
            question = slot["question"]
            answer = answers.get(index)
            value = answer.response.get("value") if answer and answer.response else None
            fraction = answer.fraction if answer else None
            rows.append(
                [
                    attempt.user.full_name,
                    attempt.number,
                    attempt.state,
                    attempt.submitted_at.isoformat() if attempt.submitted_at else "",
                    index + 1,
                    slot["key"],
                    question["type"],
                    QUESTION_TYPES[question["type"]].response_text(question, value),
                    "" if fraction is None else round(fraction * slot["points"], 4),
                    slot["points"],
                    answer.comment if answer else "",
                ]
            )
    return csv_text(rows)
