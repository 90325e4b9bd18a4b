"""Numerical: a typed number, right within a tolerance or a range."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from app.questions.gift_syntax import answer_block, escape_text, split_answers
from app.questions.model import Answer, NumericalAnswer, Question
from app.questions.moodle_xml import xml_fraction, xml_number
from app.questions.registry import (
    EPSILON,
    AnswerLine,
    Form,
    Grade,
    Issue,
    QuestionType,
    ReportError,
    marker_weight,
    register,
)
from app.questions.types.shortanswer import typed_text
from app.questions.values import format_number, parse_number, percent_text

if TYPE_CHECKING:
    from app.questions.gift_syntax import GiftBlock
    from app.questions.moodle_xml import XmlReader
    from app.questions.moodle_xml_export import XmlWriter

# "= 42", "=50% 3.5 +- 0.1": an accepted number and the credit it gives (matching pairs, with
# "->", start with "=" too).
EQUALS_RE = re.compile(r"^=(?:(?P<marker>\d+(?:[.,]\d+)?)%)?(?:[ \t]+(?P<text>.*))?$")
PLUS_MINUS_RE = re.compile(r"(.*?)[ \t]*(?:\+-|±)[ \t]*(.*)")


def read_number(text: str) -> NumericalAnswer | str:
    """`42`, `3.5 +- 0.1`, `100 +- 5%` or `[1, 5]`; a message when it is none of them."""
    text = text.replace("_", "")  # text2qti allows 1_000
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1]
        parts = re.split(r";|,[ \t]+", inner) if re.search(r";|,[ \t]", inner) else inner.split(",")
        bounds = [parse_number(part) for part in parts]
        if len(parts) != 2 or None in bounds:
            return f"a range is written [min, max], not '{text}'"
        return NumericalAnswer(min=bounds[0], max=bounds[1])
    match = PLUS_MINUS_RE.fullmatch(text)
    value_text, tolerance_text = match.groups() if match else (text, "0")
    value = parse_number(value_text)
    if value is None:
        return f"'{value_text}' is not a number"
    percent = tolerance_text.endswith("%")
    tolerance = parse_number(tolerance_text.removesuffix("%"))
    if tolerance is None or tolerance < 0:
        return f"the tolerance '{tolerance_text}' is not a number of 0 or more"
    if percent:
        tolerance = abs(value) * tolerance / 100
    return NumericalAnswer(value=value, tolerance=tolerance)


def number_text(answer: NumericalAnswer) -> str:
    """An accepted number as the Markdown format writes it."""
    if answer.min is not None and answer.max is not None:
        return f"[{format_number(answer.min)}, {format_number(answer.max)}]"
    if answer.value is None:
        return ""
    if answer.tolerance:
        return f"{format_number(answer.value)} +- {format_number(answer.tolerance)}"
    return format_number(answer.value)


def _gift_number(raw: str, fraction: float, feedback: str) -> NumericalAnswer | None:
    """GIFT's `value`, `value:tolerance` or `min..max`; None when it is not a number."""
    if raw.find("..") > 0:
        low, high = (parse_number(bound) for bound in raw.split("..", 1))
        if low is None or high is None:
            return None
        return NumericalAnswer(min=low, max=high, fraction=fraction, feedback=feedback)
    value_text, _, tolerance_text = raw.partition(":") if raw.find(":") > 0 else (raw, "", "0")
    value, tolerance = parse_number(value_text), parse_number(tolerance_text)
    if value is None or tolerance is None:
        return None
    return NumericalAnswer(value, tolerance or 0.0, fraction=fraction, feedback=feedback)


def _gift_value(number: NumericalAnswer) -> str | None:
    """An accepted number as GIFT writes it; None when it has none."""
    if number.min is not None and number.max is not None:
        return f"{format_number(number.min)}..{format_number(number.max)}"
    if number.value is None:
        return None
    value = format_number(number.value)
    return value + (f":{format_number(number.tolerance)}" if number.tolerance else "")


@register
class Numerical(QuestionType):
    name = "numerical"
    position = 50
    noun = "a numerical question"
    answer_minutes = 1.5
    markdown_label = "numerical (=)"
    markdown_one_line = "a number"
    gift_order = 20
    json_list = ("answers", "numerical")
    # GIFT and Moodle XML keep the feedback for any other number ("*").
    gift_loses = ("points", "correct_feedback")
    moodle_xml_names = ("numerical",)
    moodle_xml_loses = ("correct_feedback",)

    def check_answers(self, question: Question) -> list[Issue]:
        issues: list[Issue] = []
        if not question.numerical:
            issues.append(Issue("a numerical question needs at least one accepted number"))
        for index, answer in enumerate(question.numerical):
            issues.extend(_check_number(answer, index))
        if question.numerical and not any(a.fraction >= 1 - EPSILON for a in question.numerical):
            issues.append(Issue("no accepted number gives full marks"))
        return issues

    def grade(self, question: Question, response: Any) -> Grade:
        number = parse_number(response)
        if number is None:
            return self._grade(question, 0.0, [])
        matches = [answer for answer in question.numerical if answer.accepts(number)]
        if not matches:
            return self._grade(question, 0.0, [])
        best = max(matches, key=lambda answer: answer.fraction)
        return self._grade(question, best.fraction, [best.feedback])

    def correct_response(self, question: Question) -> str:
        if not question.numerical:
            return ""
        best = max(question.numerical, key=lambda answer: answer.fraction)
        if best.min is not None and best.max is not None:
            return format_number((best.min + best.max) / 2)
        return format_number(best.value or 0.0)

    def markdown_match(self, line: str) -> re.Match[str] | None:
        match = EQUALS_RE.match(line)
        return match if match and "->" not in (match["text"] or "") else None

    def from_markdown(
        self, question: Question, lines: list[AnswerLine], error: ReportError
    ) -> list[int]:
        for line in lines:
            answer = read_number(line.text)
            if isinstance(answer, str):
                error(line.line, answer)
                answer = NumericalAnswer()
            answer.fraction, answer.feedback = marker_weight(line.marker), line.feedback
            question.numerical.append(answer)
        return [line.line for line in lines]

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        return [
            (
                "=" if answer.fraction == 1 else f"={percent_text(answer.fraction)}%",
                number_text(answer),
                answer.feedback,
            )
            for answer in question.numerical
        ]

    def gift_claims(self, answers: str) -> bool:
        return answers.startswith("#")

    def from_gift(self, block: GiftBlock, question: Question, answers: str, form: str) -> bool:
        answers, tilde, wrong = answers[1:].partition("~")
        if tilde:  # "~#feedback" is Moodle's feedback for any other number
            question.incorrect_feedback = block.comment(wrong, form)[1]
        parts = split_answers(answers, "=")
        if not parts:
            block.warn("a numerical question needs at least one number: skipped")
            return False
        for part in parts:
            fraction, rest = block.weight(part, 1.0)
            number, _, comment = rest.partition("#")
            raw, feedback = block.plain(number), block.text(comment, form)[0]
            if raw == "*":  # Moodle's "any other answer"
                question.incorrect_feedback = question.incorrect_feedback or feedback
                continue
            answer = _gift_number(raw, fraction, feedback)
            if answer is None:
                block.warn(
                    f"'{raw}' is not a number, a number:tolerance or a min..max range: skipped"
                )
                return False
            question.numerical.append(answer)
        return True

    def to_gift(self, question: Question, general: str) -> str | None:
        form = question.format
        lines = []
        for number in question.numerical:
            value = _gift_value(number)
            if value is None:
                continue
            mark = "=" if number.fraction == 1 else f"=%{percent_text(number.fraction)}%"
            feedback = f"#{escape_text(number.feedback, form)}" if number.feedback else ""
            lines.append(f"\t{mark}{value}{feedback}")
        if question.incorrect_feedback:
            lines.append(f"\t~#{escape_text(question.incorrect_feedback, form)}")
        return answer_block(lines, general, "{#")

    def from_moodle_xml(
        self, reader: XmlReader, element: Any, question: Question, form: str
    ) -> None:
        for item in element.findall("answer"):
            text = (item.findtext("text") or "").strip()
            feedback = reader.formatted(item.find("feedback"), form)[0]
            if text in ("*", ""):  # Moodle's "any other answer"
                question.incorrect_feedback = feedback
                continue
            value = parse_number(text)
            if value is None:
                reader.warn(f"'{text}' is not a number: that answer is left out")
                continue
            tolerance = abs(xml_number(item.findtext("tolerance")))
            question.numerical.append(
                NumericalAnswer(value, tolerance, fraction=xml_fraction(item), feedback=feedback)
            )
        if element.find("units/unit") is not None:
            reader.warn("units are left out: the learner types the number only")

    def to_moodle_xml(self, writer: XmlWriter, element: Any, question: Question) -> None:
        """Moodle has no ranges: min..max is written as its middle and half its width."""
        for number in question.numerical:
            if number.min is not None and number.max is not None:
                value, tolerance = (number.min + number.max) / 2, (number.max - number.min) / 2
            else:
                value, tolerance = number.value or 0.0, number.tolerance
            answer = Answer(format_number(value), number.fraction, number.feedback)
            item = writer.answer(element, answer, question.format, formatted=False)
            writer.value(item, "tolerance", format_number(tolerance))
        if question.incorrect_feedback:
            answer = Answer("*", 0.0, question.incorrect_feedback)
            item = writer.answer(element, answer, question.format, formatted=False)
            writer.value(item, "tolerance", "0")

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        return typed_text(form, name)


def _check_number(answer: NumericalAnswer, index: int) -> list[Issue]:
    issues: list[Issue] = []
    if answer.min is not None and answer.max is not None:
        if answer.min > answer.max:
            issues.append(Issue("the range's minimum is above its maximum", index))
    elif answer.value is None:
        issues.append(Issue("the accepted number is missing", index))
    elif answer.tolerance < 0:
        issues.append(Issue("the tolerance is negative", index))
    if not -EPSILON <= answer.fraction <= 1 + EPSILON:
        issues.append(Issue(f"weight {answer.fraction * 100:g}% is outside 0% to 100%", index))
    return issues
