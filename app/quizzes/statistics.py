"""Item analysis of a quiz, as in Moodle's quiz statistics: facility, discrimination, choices."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, cast, func, select
from sqlalchemy.orm import selectinload

from app.core.csvexport import csv_text
from app.core.database import upsert, utcnow
from app.core.i18n import pick_language
from app.extensions import db
from app.questions.types import QUESTION_TYPES, QuestionType
from app.quizzes.models import AttemptAnswer, Quiz, QuizAttempt, QuizItem, QuizStatistics


@dataclass
class ItemStatistics:
    key: str
    type: str
    stem: str
    attempts: int = 0
    facility: float | None = None  # mean score on the item, in %
    discrimination: float | None = None  # correlation with the rest of the test, in %
    choices: list[tuple[str, int]] = field(default_factory=list)  # (choice text, times picked)
    item_id: int = 0


def _scored_types() -> list[str]:
    return [name for name, kind in QUESTION_TYPES.items() if kind.has_score]


def _tallied_types() -> list[str]:
    # Only the types that count picks (choices, true/false): an essay has no distractors.
    return [
        name for name, kind in QUESTION_TYPES.items() if type(kind).tally is not QuestionType.tally
    ]


def _pearson(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    """The correlation of x and y from the sums SQL gives (n, Σx, Σy, Σx², Σy², Σxy)."""
    if n < 2:
        return None
    cov = sxy - sx * sy / n
    var_x = sxx - sx * sx / n
    var_y = syy - sy * sy / n
    # Sums of floats: a variance that is zero in exact arithmetic may come out a hair off it.
    if var_x <= 1e-9 or var_y <= 1e-9:
        return None
    return max(-1.0, min(1.0, cov / math.sqrt(var_x * var_y)))


def _finished(quiz: Quiz) -> tuple[ColumnElement[bool], ...]:
    return (QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == "finished")


def _question(item: QuizItem, language: str) -> dict[str, Any]:
    chosen = pick_language(set(item.texts), language) or next(iter(item.texts))
    question: dict[str, Any] = item.texts[chosen]
    return question


def _answers() -> Select[Any]:
    return (
        select()
        .select_from(AttemptAnswer)
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .join(QuizItem, QuizItem.id == AttemptAnswer.item_id)
    )


def _picks(quiz: Quiz, items: dict[int, QuizItem]) -> dict[int, Counter[str]]:
    """How often each choice was picked: the distinct responses counted in SQL, a handful per
    question, then named by the question's type."""
    picks: dict[int, Counter[str]] = {item_id: Counter() for item_id in items}
    response = cast(AttemptAnswer.response, Text)
    rows = db.session.execute(
        _answers()
        .add_columns(AttemptAnswer.item_id, QuizAttempt.language, response, func.count())
        .where(*_finished(quiz), QuizItem.type.in_(_tallied_types()))
        .where(AttemptAnswer.response.is_not(None))
        .group_by(AttemptAnswer.item_id, QuizAttempt.language, response)
    )
    for item_id, language, text, count in rows:
        item = items.get(item_id)
        value = json.loads(text).get("value") if text and text != "null" else None
        if item is None or value is None:
            continue
        for choice in QUESTION_TYPES[item.type].tally(_question(item, language), value):
            picks[item_id][choice] += count
    return picks


def _compute(quiz: Quiz, language: str) -> list[ItemStatistics]:
    # x: the item's fraction; y: the rest of the test (the attempt's score without the item).
    x = func.coalesce(AttemptAnswer.fraction, 0.0)
    y = func.coalesce(QuizAttempt.score, 0.0) - x * QuizItem.points
    sums = db.session.execute(
        _answers()
        .add_columns(
            QuizItem.id,
            func.count(),
            func.sum(x),
            func.sum(y),
            func.sum(x * x),
            func.sum(y * y),
            func.sum(x * y),
        )
        .where(*_finished(quiz), QuizItem.points > 0, QuizItem.type.in_(_scored_types()))
        .group_by(QuizItem.id)
    ).all()
    items = {
        item.id: item
        for item in db.session.scalars(
            select(QuizItem).where(QuizItem.id.in_([row[0] for row in sums]))
        )
    }
    picks = _picks(quiz, items)
    found = []
    for item_id, n, sx, sy, sxx, syy, sxy in sums:
        item = items[item_id]
        sx, sy, sxx, syy, sxy = (float(value or 0.0) for value in (sx, sy, sxx, syy, sxy))
        correlation = _pearson(n, sx, sy, sxx, syy, sxy)
        stats = ItemStatistics(item.key, item.type, _question(item, language).get("stem", ""))
        stats.item_id = item.id
        stats.attempts = n
        stats.facility = 100 * sx / n
        stats.discrimination = None if correlation is None else 100 * correlation
        stats.choices = sorted(picks[item_id].items(), key=lambda pair: (-pair[1], pair[0]))
        found.append((item.origin != "file", item.position, item.id, stats))
    return [stats for *_order, stats in sorted(found, key=lambda row: row[:3])]


@dataclass
class StatisticsReport:
    attempts: int
    items: list[ItemStatistics]
    computed_at: datetime
    # Attempts finished since computed_at, not yet counted (0: the statistics are current).
    newer: int = 0
    # Computed by this request: the caller commits, so every server gets them.
    computed: bool = False


def _state(quiz: Quiz) -> tuple[int, str]:
    """The finished attempts' count and a key of their state (count and last grading)."""
    count, last = db.session.execute(
        select(func.count(), func.max(QuizAttempt.graded_at)).where(*_finished(quiz))
    ).one()
    return count, f"{count}|{last}"


def _store(quiz: Quiz, attempts: int, state: str, items: list[ItemStatistics]) -> datetime:
    """Keep the computed statistics for every server; the later of two writers wins."""
    now = utcnow()
    values = {
        "quiz_id": quiz.id,
        "computed_at": now,
        "attempts": attempts,
        "state": state,
        "items": [
            {"id": item.item_id, "attempts": item.attempts, "facility": item.facility,
             "discrimination": item.discrimination, "choices": item.choices}
            for item in items
        ],
    }  # fmt: skip
    upsert(QuizStatistics, values, "quiz_id")
    return now


def _stored_items(row: QuizStatistics, quiz: Quiz, language: str) -> list[ItemStatistics]:
    """The kept numbers, with each question's text in the reader's language."""
    items = {item.id: item for item in quiz.items}  # loaded with the quiz
    found = []
    for kept in row.items:
        item = items.get(kept["id"])
        if item is None:
            continue
        stats = ItemStatistics(item.key, item.type, _question(item, language).get("stem", ""))
        stats.item_id = item.id
        stats.attempts = kept["attempts"]
        stats.facility = kept["facility"]
        stats.discrimination = kept["discrimination"]
        stats.choices = [(text, count) for text, count in kept["choices"]]
        found.append(stats)
    return found


def quiz_report(quiz: Quiz, language: str = "en", max_age: float = 0) -> StatisticsReport:
    """Finished attempts and per-item statistics, computed in SQL, never by loading attempts:
    per question the sums of x, y, x², y² and xy give the facility and the discrimination (the
    correlation of the question with the rest of the test), and the distinct responses their
    picks. The result is kept in the database for every server: while the attempts have not
    changed it is current; after they changed, it is still shown for up to `max_age` seconds
    (with how many attempts came since), as Moodle does, then computed again."""
    count, state = _state(quiz)
    row = db.session.get(QuizStatistics, quiz.id)
    if row is not None and row.state == state:
        return StatisticsReport(count, _stored_items(row, quiz, language), row.computed_at)
    if (
        row is not None
        and count >= row.attempts
        and (utcnow() - row.computed_at).total_seconds() < max_age
    ):
        items = _stored_items(row, quiz, language)
        return StatisticsReport(row.attempts, items, row.computed_at, count - row.attempts)
    # The attempts were counted by _state just before: counting them again would be a query more.
    items = _compute(quiz, language)
    computed_at = _store(quiz, count, state, items)
    return StatisticsReport(count, items, computed_at, computed=True)


def quiz_statistics(quiz: Quiz, language: str = "en") -> tuple[int, list[ItemStatistics]]:
    """The statistics of every finished attempt, up to date (see quiz_report)."""
    report = quiz_report(quiz, language)
    return report.attempts, report.items


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


def answer_rows(quiz: Quiz, chunk: int = 500) -> Iterator[list[object]]:
    """Every answer of every submitted attempt, one row each, header first: read `chunk`
    attempts at a time, so an export of a busy quiz is streamed, never held whole."""
    yield list(ANSWERS_HEADER)
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.state != "in_progress")
        .options(selectinload(QuizAttempt.answers), selectinload(QuizAttempt.user))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
        .execution_options(yield_per=chunk)
    )
    for attempt in attempts:
        answers = {answer.slot: answer for answer in attempt.answers}
        for index, slot in enumerate(attempt.slots):
            question = slot["question"]
            answer = answers.get(index)
            value = answer.response.get("value") if answer and answer.response else None
            fraction = answer.fraction if answer else None
            yield [
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
