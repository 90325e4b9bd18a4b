"""Matching: each left-hand text is matched with one right-hand text from a drop-down."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any

from app.questions.gift_syntax import answer_block, escape, escape_text, restore, split_answers
from app.questions.model import Pair, Question
from app.questions.moodle_xml import one_line, xml_combined
from app.questions.registry import (
    AnswerLine,
    Form,
    Grade,
    Issue,
    QuestionType,
    ReportError,
    as_index,
    form_values,
    register,
)
from app.questions.storage import question_from_dict
from app.questions.types.numerical import EQUALS_RE

if TYPE_CHECKING:
    from app.questions.gift_syntax import GiftBlock
    from app.questions.moodle_xml import XmlReader
    from app.questions.moodle_xml_export import XmlWriter


@register
class Matching(QuestionType):
    """Response: {left index: chosen right-hand text}. Text, not an index, because the options are
    shown shuffled and de-duplicated, so only the text means the same thing on every page."""

    name = "matching"
    position = 60
    noun = "a matching question"
    answer_minutes = 2.0
    markdown_label = "matching (= left -> right)"
    markdown_one_line = "a matching pair"
    markdown_item_feedback = False
    markdown_no_feedback = "matching pairs have no feedback"
    gift_order = 50
    json_list = ("pairs", "pairs")
    moodle_xml_names = ("matching", "match")
    moodle_xml_loses = ()

    def check_answers(self, question: Question) -> list[Issue]:
        issues = [
            Issue(f"pair {index + 1} has no right-hand side", index)
            for index, pair in enumerate(question.pairs)
            if not pair.right.strip()
        ]
        if len([pair for pair in question.pairs if pair.left.strip()]) < 2:
            issues.append(Issue("a matching question needs at least two pairs"))
        return issues

    @staticmethod
    def right_options(question: Question) -> list[str]:
        """Every right-hand text once, distractors included, in a stable order."""
        return sorted({pair.right for pair in question.pairs})

    def grade(self, question: Question, response: Any) -> Grade:
        chosen: dict[int, str] = {}
        if isinstance(response, dict):
            for key, value in response.items():
                index = as_index(key)
                if index is not None and isinstance(value, str):
                    chosen[index] = " ".join(value.split())
        scored = [(i, pair) for i, pair in enumerate(question.pairs) if pair.left.strip()]
        if not scored:
            return self._grade(question, 0.0, [])
        right = sum(1 for i, pair in scored if chosen.get(i) == " ".join(pair.right.split()))
        return self._grade(question, right / len(scored), [])

    def correct_response(self, question: Question) -> dict[int, str]:
        return {i: pair.right for i, pair in enumerate(question.pairs) if pair.left.strip()}

    def markdown_match(self, line: str) -> re.Match[str] | None:
        match = EQUALS_RE.match(line)
        return match if match and "->" in (match["text"] or "") else None

    def from_markdown(
        self, question: Question, lines: list[AnswerLine], error: ReportError
    ) -> list[int]:
        for line in lines:
            if line.marker:
                error(line.line, "matching pairs have no weights")
            left, _, right = line.text.partition("->")
            question.pairs.append(Pair(left.strip(), right.strip()))
        return [line.line for line in lines]

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        return [("=", f"{pair.left} -> {pair.right}".strip(), "") for pair in question.pairs]

    def gift_claims(self, answers: str) -> bool:
        return "=" in answers and "->" in answers

    def from_gift(self, block: GiftBlock, question: Question, answers: str, form: str) -> bool:
        parts = split_answers(answers, "=")
        if len(parts) < 2 or any("->" not in part for part in parts):
            block.warn("a matching question needs at least two '=left -> right' pairs: skipped")
            return False
        for part in parts:
            left, _, right = part.partition("->")
            question.pairs.append(Pair(block.text(left, form)[0], restore(right).strip()))
        return True

    def to_gift(self, question: Question, general: str) -> str | None:
        lines = [
            f"\t={escape_text(pair.left, question.format)} -> {escape(pair.right)}"
            for pair in question.pairs
        ]
        return answer_block(lines, general)

    def from_moodle_xml(
        self, reader: XmlReader, element: Any, question: Question, form: str
    ) -> None:
        for item in element.findall("subquestion"):
            left = reader.formatted(item, form)[0]
            question.pairs.append(Pair(left, one_line(item.findtext("answer/text"))))
        xml_combined(reader, element, question, form)

    def to_moodle_xml(self, writer: XmlWriter, element: Any, question: Question) -> None:
        writer.value(element, "shuffleanswers", "true")
        writer.combined(element, question)
        for pair in question.pairs:
            item = writer.text(element, "subquestion", pair.left, question.format)
            writer.text(item, "answer", pair.right, None)

    def layout(
        self, question: dict[str, Any], shuffle: bool, rng: random.Random
    ) -> tuple[list[int], list[str] | None]:
        options = self.right_options(question_from_dict(question))
        if shuffle:
            rng.shuffle(options)
        return list(range(len(question["answers"]))), options

    def response_text(self, question: dict[str, Any], response: Any) -> str:
        if not isinstance(response, dict):
            return ""
        pairs = question.get("pairs", [])
        shown = []
        for left, right in sorted(response.items(), key=lambda item: str(item[0])):
            index = as_index(left)
            if index is not None and 0 <= index < len(pairs):
                shown.append(f"{pairs[index]['left']} -> {right}")
        return "; ".join(shown)

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        chosen = {}
        for left, _pair in enumerate(slot["question"]["pairs"]):
            picked = form_values(form, f"{name}-{left}")
            if picked and picked[0] in (slot["options"] or []):
                chosen[str(left)] = picked[0]
        return chosen
