"""Multiple answers: the credit is the sum of the chosen choices' weights, never below 0."""

from __future__ import annotations

import re
from typing import Any

from app.questions.model import Answer, Question
from app.questions.registry import (
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
from app.questions.types.choices import ChoiceType, answer_texts, original_index
from app.questions.values import percent_text, percent_to_fraction

# "[ ] text", "[*] text", "[*50%] text", "[-25%] text".
BRACKET_RE = re.compile(r"^\[(?P<marker>[^\]]*)\](?:[ \t]+(?P<text>.*))?$")
WEIGHT_RE = re.compile(r"[ \t]*(\*?)[ \t]*(?:([+-]?\d+(?:[.,]\d+)?)[ \t]*%)?[ \t]*")


def multiple_fractions(specs: list[tuple[bool, float | None]]) -> list[float]:
    """[*] share what [*N%] leave of 100%; each [ ] takes back one correct share."""
    correct = [weight for is_correct, weight in specs if is_correct]
    explicit = sum(weight for weight in correct if weight is not None)
    unweighted = sum(1 for weight in correct if weight is None)
    # Rounded like written weights, so that 1/3 survives a trip through GIFT's percentages.
    share = round((1 - explicit) / unweighted, 9) if unweighted else 0.0
    wrong = round(-1 / len(correct), 9) if correct else 0.0
    return [
        weight if weight is not None else share if is_correct else wrong
        for is_correct, weight in specs
    ]


def _spec(line: AnswerLine, error: ReportError) -> tuple[bool, float | None]:
    """Whether a [..] choice is marked correct, and its weight if it gives one."""
    match = WEIGHT_RE.fullmatch(line.marker)
    if not match:
        error(line.line, f"unknown choice '[{line.marker}]': write [ ], [*], [*50%] or [-25%]")
        return False, 0.0
    correct = bool(match.group(1))
    text = match.group(2)
    weight = None if text is None else percent_to_fraction(float(text.replace(",", ".")))
    if correct and weight is not None and weight <= 0:
        error(line.line, "a correct choice [*...] needs a weight above 0%")
    elif not correct and weight is not None and weight > 0:
        error(line.line, f"a weight above 0% marks a correct choice: write [*{text}%]")
    return correct, weight


def _markers(fractions: list[float]) -> list[str]:
    """[*] and [ ] where the default weights give the same credit, [*N%] or [N%] elsewhere."""
    correct = [fraction > 0 for fraction in fractions]
    defaults = multiple_fractions([(is_correct, None) for is_correct in correct])
    specs: list[tuple[bool, float | None]] = [
        (is_correct, None if fraction == default else fraction)
        for is_correct, fraction, default in zip(correct, fractions, defaults, strict=True)
    ]
    if multiple_fractions(specs) != fractions:
        specs = [
            (is_correct, fraction) for is_correct, fraction in zip(correct, fractions, strict=True)
        ]
    return [
        f"[{'*' if is_correct else ' '}]"
        if weight is None
        else f"[{'*' if is_correct else ''}{percent_text(weight)}%]"
        for is_correct, weight in specs
    ]


@register
class MultipleAnswers(ChoiceType):
    """Several choices may be right: the credit is the sum of the chosen weights, never below 0."""

    name = "multiple"
    position = 20
    noun = "a multiple-answer question"
    markdown_line = BRACKET_RE
    markdown_label = "multiple-answer ([ ])"
    gift_order = 40
    moodle_single = False

    def check_answers(self, question: Question) -> list[Issue]:
        issues = check_texts(question, "choice") + check_fractions(question, -1.0)
        if len(question.answers) < 2:
            issues.append(Issue("a multiple-answer question needs at least two choices"))
        positive = sum(a.fraction for a in question.answers if a.fraction > 0)
        if positive <= 0:
            issues.append(Issue("no correct answer: mark at least one choice as correct"))
        elif abs(positive - 1) > 0.001:
            issues.append(
                Issue(f"the correct choices' weights add up to {positive * 100:g}%, not 100%")
            )
        return issues

    def grade(self, question: Question, response: Any) -> Grade:
        chosen: set[int] = set()
        if isinstance(response, (list, set, tuple, frozenset)):
            for value in response:
                index = as_index(value)
                if index is not None and 0 <= index < len(question.answers):
                    chosen.add(index)
        answers = [question.answers[index] for index in sorted(chosen)]
        total = sum(answer.fraction for answer in answers)
        return self._grade(question, total, [answer.feedback for answer in answers])

    def correct_response(self, question: Question) -> list[int]:
        return [i for i, answer in enumerate(question.answers) if answer.fraction > 0]

    def from_markdown(
        self, question: Question, lines: list[AnswerLine], error: ReportError
    ) -> list[int]:
        specs = [_spec(line, error) for line in lines]
        question.answers = [
            Answer(line.text, fraction, line.feedback)
            for line, fraction in zip(lines, multiple_fractions(specs), strict=True)
        ]
        return [line.line for line in lines]

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        markers = _markers([answer.fraction for answer in question.answers])
        return [
            (marker, answer.text, answer.feedback)
            for marker, answer in zip(markers, question.answers, strict=True)
        ]

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        indexes = (original_index(slot, value) for value in form_values(form, name))
        return sorted(index for index in indexes if index is not None)

    def tally(self, question: dict[str, Any], response: Any) -> list[str]:
        if not isinstance(response, list):
            return []
        texts = answer_texts(question)
        return [texts[i] for i in response if isinstance(i, int) and i < len(texts)]
