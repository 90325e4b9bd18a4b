"""Short answer: typed text; case and spacing never matter, diacritics only when asked."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from app.questions.gift_syntax import (
    answer_block,
    answer_line,
    leading_word,
    split_answers,
)
from app.questions.model import Answer, Question
from app.questions.moodle_xml import xml_answers
from app.questions.registry import (
    EPSILON,
    AnswerLine,
    Form,
    Grade,
    Issue,
    QuestionType,
    ReportError,
    check_fractions,
    check_texts,
    form_values,
    marker_weight,
    register,
)
from app.questions.values import normalize_text, percent_text

if TYPE_CHECKING:
    from app.questions.gift_syntax import GiftBlock
    from app.questions.moodle_xml import XmlReader
    from app.questions.moodle_xml_export import XmlWriter

# "* text" or "*50% text": an accepted answer and the credit it gives.
SHORT_RE = re.compile(r"^\*(?:(?P<marker>\d+(?:[.,]\d+)?)%)?(?:[ \t]+(?P<text>.*))?$")
# The longest answer a learner's typed field keeps.
MAX_TYPED = 20_000


def accepts(pattern: str, typed: str, ignore_diacritics: bool) -> bool:
    """Whether a normalised typed answer matches an accepted one, where "*" (Moodle's
    wildcard) stands for any text and "\\*" for a star."""
    pattern = normalize_text(pattern, ignore_diacritics)
    if "*" not in pattern:
        return pattern == typed
    pieces = re.split(r"(?<!\\)\*+", pattern)
    expression = ".*".join(re.escape(piece.replace("\\*", "*")) for piece in pieces)
    return re.fullmatch(expression, typed, re.DOTALL) is not None


def typed_text(form: Form, name: str) -> str:
    values = form_values(form, name)
    return values[0][:MAX_TYPED] if values else ""


@register
class ShortAnswer(QuestionType):
    """Typed text; case and spacing never matter, diacritics only when the question says so."""

    name = "shortanswer"
    position = 40
    noun = "a short-answer question"
    may_ignore_diacritics = True
    formatted_answers = False
    markdown_line = SHORT_RE
    markdown_label = "short-answer (*)"
    markdown_one_line = "a short answer"
    gift_order = 70  # last: what is no other type is a short answer, as in Moodle
    json_list = ("answers", "answers")
    moodle_xml_names = ("shortanswer",)

    def check_answers(self, question: Question) -> list[Issue]:
        issues = check_texts(question, "answer") + check_fractions(question, 0.0)
        if not question.answers:
            issues.append(Issue("a short-answer question needs at least one accepted answer"))
        elif not any(answer.fraction >= 1 - EPSILON for answer in question.answers):
            issues.append(Issue("no accepted answer gives full marks"))
        return issues

    def grade(self, question: Question, response: Any) -> Grade:
        text = response if isinstance(response, str) else ""
        typed = normalize_text(text, question.ignore_diacritics)
        if not typed:
            return self._grade(question, 0.0, [])
        # As in Moodle, the first answer that matches gives its credit: a "*" that accepts
        # anything goes last, with the feedback for every other answer.
        for answer in question.answers:
            if accepts(answer.text, typed, question.ignore_diacritics):
                return self._grade(question, answer.fraction, [answer.feedback])
        return self._grade(question, 0.0, [])

    def correct_response(self, question: Question) -> str:
        if not question.answers:
            return ""
        return max(question.answers, key=lambda answer: answer.fraction).text

    def from_markdown(
        self, question: Question, lines: list[AnswerLine], error: ReportError
    ) -> list[int]:
        question.answers = [
            Answer(line.text, marker_weight(line.marker), line.feedback) for line in lines
        ]
        return [line.line for line in lines]

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        return [
            (
                "*" if answer.fraction == 1 else f"*{percent_text(answer.fraction)}%",
                answer.text,
                answer.feedback,
            )
            for answer in question.answers
        ]

    def gift_claims(self, answers: str) -> bool:
        return True

    def from_gift(self, block: GiftBlock, question: Question, answers: str, form: str) -> bool:
        check = leading_word(answers)
        if check.lower() in ("t", "true", "f", "false"):
            block.warn(
                f"'{{{check}}}' is a short answer, as in Moodle: write {{TRUE}} or {{FALSE}}"
            )
        for part in split_answers(answers, "="):
            fraction, rest = block.weight(part, 1.0)
            answer, _, feedback = rest.partition("#")
            text = block.plain(answer)
            question.answers.append(Answer(text, fraction, block.text(feedback, form)[0]))
        return True

    def to_gift(self, question: Question, general: str) -> str | None:
        lines = [
            answer_line(
                "=" if answer.fraction == 1 else f"=%{percent_text(answer.fraction)}%",
                answer.text,
                answer.feedback,
                question.format,
                short=True,
            )
            for answer in question.answers
        ]
        return answer_block(lines, general)

    def from_moodle_xml(
        self, reader: XmlReader, element: Any, question: Question, form: str
    ) -> None:
        if (element.findtext("usecase") or "0").strip() not in ("0", ""):
            reader.warn("case matters in Moodle for this question; here it never does")
        question.answers = xml_answers(reader, element, form, formatted=False)

    def to_moodle_xml(self, writer: XmlWriter, element: Any, question: Question) -> None:
        writer.value(element, "usecase", "0")
        for answer in question.answers:
            writer.answer(element, answer, question.format, formatted=False)

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        return typed_text(form, name)
