"""Plain data for one parsed quiz question, shared by the formats, grading and the JSON export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.questions.registry import QUESTION_TYPES


@dataclass
class Answer:
    """A choice or an accepted answer; `fraction` is the credit it gives, from -1 to 1."""

    text: str
    fraction: float = 0.0
    feedback: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "fraction": self.fraction, "feedback": self.feedback}


@dataclass
class NumericalAnswer:
    """An accepted number: `value` within `tolerance`, or a range from `min` to `max`."""

    value: float | None = None
    tolerance: float = 0.0
    min: float | None = None
    max: float | None = None
    fraction: float = 1.0
    feedback: str = ""

    @property
    def is_range(self) -> bool:
        return self.min is not None and self.max is not None

    def accepts(self, number: float) -> bool:
        # A small slack so that 3.4 is within 3.5 +- 0.1 despite binary floating point.
        if self.min is not None and self.max is not None:
            slack = 1e-9 * max(1.0, abs(self.min), abs(self.max))
            return self.min - slack <= number <= self.max + slack
        if self.value is None:
            return False
        slack = 1e-9 * max(1.0, abs(self.value))
        return abs(number - self.value) <= abs(self.tolerance) + slack

    def to_json(self) -> dict[str, Any]:
        if self.min is not None and self.max is not None:
            return {
                "min": self.min,
                "max": self.max,
                "fraction": self.fraction,
                "feedback": self.feedback,
            }
        return {
            "value": self.value,
            "tolerance": self.tolerance,
            "fraction": self.fraction,
            "feedback": self.feedback,
        }


@dataclass
class Pair:
    """A matching pair; an empty `left` makes a distractor, an option that matches nothing."""

    left: str
    right: str

    def to_json(self) -> dict[str, Any]:
        return {"left": self.left, "right": self.right}


@dataclass
class Question:
    """One question of any type; the fields a type does not use stay empty."""

    type: str
    title: str = ""
    stem: str = ""
    answers: list[Answer] = field(default_factory=list)
    numerical: list[NumericalAnswer] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    general_feedback: str = ""
    category: str = ""
    competence: str | None = None
    competence_level: int | None = None
    points: float = 1.0
    correct_feedback: str = ""
    incorrect_feedback: str = ""
    ignore_diacritics: bool = False
    # Moodle's idnumber ("[id:...]"): kept, exported again, and how a re-import finds the question.
    id: str = ""
    tags: list[str] = field(default_factory=list)
    # How the texts are written: "markdown" (the default), or "html" for a bank whose texts
    # came as HTML (kept, sanitised when rendered). Short answers and matching right-hand
    # sides are plain text in either.
    format: str = "markdown"
    # Where the question starts in its file; not part of what a question *is*, so two parses
    # of the same question written differently still compare equal.
    line: int = field(default=0, compare=False)

    def map_texts(self, change: Callable[[str, bool], str]) -> None:
        """Replace every text written in the question's format with `change(text, inline)`:
        the stem, feedback, choices and left-hand sides (inline: shown inside a label), but not
        short answers or matching right-hand sides, which are plain text."""
        kind = QUESTION_TYPES[self.type]
        for name in ("stem", "general_feedback", "correct_feedback", "incorrect_feedback"):
            setattr(self, name, change(getattr(self, name), False))
        for answer in self.answers:
            if kind.formatted_answers:
                answer.text = change(answer.text, True)
            answer.feedback = change(answer.feedback, False)
        for number in self.numerical:
            number.feedback = change(number.feedback, False)
        for pair in self.pairs:
            pair.left = change(pair.left, True)

    def to_json(self) -> dict[str, Any]:
        """The question in the shape `flask quizzes import-gift --json` prints."""
        data: dict[str, Any] = {"type": self.type, "title": self.title, "stem": self.stem}
        data.update(QUESTION_TYPES[self.type].to_json(self))
        data["general_feedback"] = self.general_feedback
        data["correct_feedback"] = self.correct_feedback
        data["incorrect_feedback"] = self.incorrect_feedback
        data["category"] = self.category
        data["id"] = self.id
        data["tags"] = list(self.tags)
        data["format"] = self.format
        data["points"] = self.points
        return data
