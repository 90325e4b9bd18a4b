"""What single-choice and multiple-answer questions share: choices, shown shuffled if asked."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, ClassVar

from app.questions.gift_syntax import answer_block, answer_line, split_answers
from app.questions.model import Answer, Question
from app.questions.moodle_xml import xml_answers, xml_combined
from app.questions.registry import QuestionType
from app.questions.values import percent_text

if TYPE_CHECKING:
    from app.questions.gift_syntax import GiftBlock
    from app.questions.moodle_xml import XmlReader
    from app.questions.moodle_xml_export import XmlWriter


def lettered_lines(question: Question) -> list[tuple[str, str, str]]:
    """Markdown choice lines a), b), ... with a * before the one that gives full marks and
    the credit before one that gives part (50%b)) or takes some away (-25%c))."""
    return [
        (
            f"{choice_marker(answer.fraction)}{chr(ord('a') + index % 26)})",
            answer.text,
            answer.feedback,
        )
        for index, answer in enumerate(question.answers)
    ]


def choice_marker(fraction: float) -> str:
    if fraction >= 1:
        return "*"
    return f"{percent_text(fraction)}%" if fraction else ""


def original_index(slot: dict[str, Any], value: str) -> int | None:
    """The answer's index in the question from its index as shown in the attempt."""
    try:
        shown = int(value)
    except ValueError:
        return None
    order = slot["order"]
    return order[shown] if 0 <= shown < len(order) else None


def answer_texts(question: dict[str, Any]) -> list[str]:
    return [choice["text"] for choice in question["answers"]]


class ChoiceType(QuestionType):
    """Choices to pick from; `shuffle_choices` shows them in a new order in each attempt."""

    json_list = ("answers", "answers")
    moodle_xml_names = ("multichoice",)
    moodle_xml_loses = ()
    # Moodle's <single>: one answer to choose, or several.
    moodle_single: ClassVar[bool] = True

    def layout(
        self, question: dict[str, Any], shuffle: bool, rng: random.Random
    ) -> tuple[list[int], list[str] | None]:
        order = list(range(len(question["answers"])))
        if shuffle:
            rng.shuffle(order)
        return order, None

    def gift_claims(self, answers: str) -> bool:
        return "~" in answers

    def from_gift(self, block: GiftBlock, question: Question, answers: str, form: str) -> bool:
        parts = split_answers(answers.replace("=", "~="), "~")
        if len(parts) < 2:
            block.warn("a multiple-choice question needs at least two answers: skipped")
            return False
        for part in parts:
            fraction, rest = (1.0, part[1:]) if part.startswith("=") else block.weight(part, 0.0)
            text, feedback = block.comment(rest, form)
            question.answers.append(Answer(text, fraction, feedback))
        return True

    def gift_mark(self, answer: Answer) -> str:
        """How an answer's weight is written before it in GIFT."""
        return "~" if answer.fraction == 0 else f"~%{percent_text(answer.fraction)}%"

    def to_gift(self, question: Question, general: str) -> str | None:
        lines = [
            answer_line(self.gift_mark(answer), answer.text, answer.feedback, question.format)
            for answer in question.answers
        ]
        return answer_block(lines, general)

    def moodle_claims(self, element: Any) -> bool:
        single = element.findtext("single")
        # Moodle: "false", "0" or empty mean several answers; no <single> means one.
        several = single is not None and single.strip() in ("false", "0", "")
        return several != self.moodle_single

    def from_moodle_xml(
        self, reader: XmlReader, element: Any, question: Question, form: str
    ) -> None:
        question.answers = xml_answers(reader, element, form, formatted=True)
        xml_combined(reader, element, question, form)

    def to_moodle_xml(self, writer: XmlWriter, element: Any, question: Question) -> None:
        writer.value(element, "single", "true" if self.moodle_single else "false")
        writer.value(element, "shuffleanswers", "true")
        writer.value(element, "answernumbering", "abc")
        writer.value(element, "showstandardinstruction", "0")
        writer.combined(element, question)
        for answer in question.answers:
            writer.answer(element, answer, question.format, formatted=True)
