"""Single choice: exactly one choice gives full marks; others may give part or negative credit."""

from __future__ import annotations

import re
from typing import Any

from app.questions.model import Answer, Question
from app.questions.registry import (
    EPSILON,
    AnswerLine,
    Form,
    Grade,
    Issue,
    ReportError,
    as_index,
    check_fractions,
    check_texts,
    form_values,
    register,
)
from app.questions.types.choices import ChoiceType, answer_texts, lettered_lines, original_index
from app.questions.values import percent_to_fraction

# "a) text", "*b) text": the star marks the right choice; "50%c)" gives part of the credit,
# "-25%d)" takes some away.
CHOICE_RE = re.compile(r"^(?P<marker>\*|-?\d+(?:[.,]\d+)?%)?[A-Za-z]\)(?:[ \t]+(?P<text>.*))?$")


def _credit(marker: str) -> float:
    """ "*" gives full credit, "50%" part of it, "-25%" takes some away, no marker none."""
    if marker == "*":
        return 1.0
    return percent_to_fraction(float(marker[:-1].replace(",", "."))) if marker else 0.0


@register
class SingleChoice(ChoiceType):
    name = "single"
    position = 10
    noun = "a single-choice question"
    markdown_line = CHOICE_RE
    markdown_label = "single-choice (a))"
    gift_order = 30

    def check_answers(self, question: Question) -> list[Issue]:
        issues = check_texts(question, "choice") + check_fractions(question, -1.0)
        if len(question.answers) < 2:
            issues.append(Issue("a single-choice question needs at least two choices"))
        correct = [i for i, a in enumerate(question.answers) if a.fraction >= 1 - EPSILON]
        if not correct:
            issues.append(Issue("no correct answer: mark one choice as correct"))
        for index in correct[1:]:
            issues.append(Issue("more than one correct answer in a single-choice question", index))
        return issues

    def grade(self, question: Question, response: Any) -> Grade:
        index = as_index(response)
        if index is None or not 0 <= index < len(question.answers):
            return self._grade(question, 0.0, [])
        answer = question.answers[index]
        return self._grade(question, answer.fraction, [answer.feedback])

    def correct_response(self, question: Question) -> int | None:
        if not question.answers:
            return None
        return max(range(len(question.answers)), key=lambda i: question.answers[i].fraction)

    def from_markdown(
        self, question: Question, lines: list[AnswerLine], error: ReportError
    ) -> list[int]:
        question.answers = [
            Answer(line.text, _credit(line.marker), line.feedback) for line in lines
        ]
        return [line.line for line in lines]

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        return lettered_lines(question)

    def gift_claims(self, answers: str) -> bool:
        # Moodle: an "=" marks the one right answer; without one, several may be chosen.
        return "~" in answers and "=" in answers

    def gift_mark(self, answer: Answer) -> str:
        return "=" if answer.fraction == 1 else super().gift_mark(answer)

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        values = form_values(form, name)
        return original_index(slot, values[0]) if values else None

    def tally(self, question: dict[str, Any], response: Any) -> list[str]:
        texts = answer_texts(question)
        if isinstance(response, int) and response < len(texts):
            return [texts[response]]
        return []
