"""True or false: two answers, always "True" then "False", one of them worth 100%."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.questions.gift_syntax import escape_text, leading_word
from app.questions.model import Answer, Question
from app.questions.moodle_xml import xml_fraction
from app.questions.registry import (
    AnswerLine,
    Form,
    Grade,
    Issue,
    QuestionType,
    ReportError,
    form_values,
    register,
)
from app.questions.types.choices import lettered_lines

if TYPE_CHECKING:
    from app.questions.gift_syntax import GiftBlock
    from app.questions.moodle_xml import XmlReader
    from app.questions.moodle_xml_export import XmlWriter

# The words a true/false question's two choices may use, in the platform's languages.
TRUE_WORDS = {"true", "drži", "točno"}
FALSE_WORDS = {"false", "ne drži", "netočno"}


@register
class TrueFalse(QuestionType):
    """Two answers, always in this order: "True" then "False", one of them worth 100%."""

    name = "truefalse"
    position = 30
    noun = "a true/false question"
    # Written as two choices, "*a) True" and "b) False", after "Type: truefalse".
    markdown_needs_type = True
    formatted_answers = False
    markdown_written_as = "single"
    markdown_type_mismatch = "Type: truefalse needs two choices: *a) True and b) False"
    gift_order = 60
    json_list = ("answers", "answers")
    moodle_xml_names = ("truefalse",)

    def check_answers(self, question: Question) -> list[Issue]:
        texts = [answer.text for answer in question.answers]
        if texts != ["True", "False"]:
            return [Issue("a true/false question has exactly the answers True and False")]
        fractions = sorted(answer.fraction for answer in question.answers)
        if fractions != [0.0, 1.0]:
            return [Issue("exactly one of True and False must be correct")]
        return []

    def grade(self, question: Question, response: Any) -> Grade:
        if not isinstance(response, bool) or len(question.answers) != 2:
            return self._grade(question, 0.0, [])
        answer = question.answers[0 if response else 1]
        return self._grade(question, answer.fraction, [answer.feedback])

    def correct_response(self, question: Question) -> bool:
        if len(question.answers) != 2:
            return True
        return question.answers[0].fraction >= question.answers[1].fraction

    def from_markdown(
        self, question: Question, lines: list[AnswerLine], error: ReportError
    ) -> list[int]:
        found: dict[bool, AnswerLine] = {}
        for line in lines:
            word = " ".join(line.text.split()).casefold()
            if word in TRUE_WORDS | FALSE_WORDS:
                found.setdefault(word in TRUE_WORDS, line)
        if len(lines) != 2 or len(found) != 2:
            words = "True/False, Drži/Ne drži or Točno/Netočno"
            error(question.line, f"a true/false question has two choices: {words}")
            return []
        question.answers = [
            Answer(label, 1.0 if found[value].marker == "*" else 0.0, found[value].feedback)
            for label, value in (("True", True), ("False", False))
        ]
        return [found[True].line, found[False].line]

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        return lettered_lines(question)

    def gift_claims(self, answers: str) -> bool:
        return leading_word(answers) in ("T", "TRUE", "F", "FALSE")

    def from_gift(self, block: GiftBlock, question: Question, answers: str, form: str) -> bool:
        value, wrong, right = ([*answers.split("#", 2), "", ""])[:3]
        is_true = value.strip() in ("T", "TRUE")
        wrong, right = block.text(wrong, form)[0], block.text(right, form)[0]
        question.answers = [
            Answer("True", 1.0 if is_true else 0.0, right if is_true else wrong),
            Answer("False", 0.0 if is_true else 1.0, wrong if is_true else right),
        ]
        return True

    def to_gift(self, question: Question, general: str) -> str | None:
        is_true = bool(question.answers) and question.answers[0].fraction >= 1
        right = next((a.feedback for a in question.answers if a.fraction >= 1), "")
        wrong = next((a.feedback for a in question.answers if a.fraction < 1), "")
        form = question.format
        feedback = (f"#{escape_text(wrong, form)}" if wrong or right else "") + (
            f"#{escape_text(right, form)}" if right else ""
        )
        return "{" + ("TRUE" if is_true else "FALSE") + feedback + general + "}"

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        values = form_values(form, name)
        return {"true": True, "false": False}.get(values[0]) if values else None

    def tally(self, question: dict[str, Any], response: Any) -> list[str]:
        return [str(response).lower()] if isinstance(response, bool) else []

    def from_moodle_xml(
        self, reader: XmlReader, element: Any, question: Question, form: str
    ) -> None:
        found: dict[bool, Answer] = {}
        for position, item in enumerate(element.findall("answer")):
            word = (item.findtext("text") or "").strip()
            # Moodle: old files name the answers in their language; then true comes first.
            value = word == "true" if word in ("true", "false") else position == 0
            feedback = reader.formatted(item.find("feedback"), form)[0]
            found[value] = Answer("", xml_fraction(item), feedback)
        true, false = found.get(True, Answer("")), found.get(False, Answer(""))
        right = 1.0 if true.fraction >= 1 else 0.0  # true is right when it gives 100%
        question.answers = [
            Answer("True", right, true.feedback),
            Answer("False", 1.0 - right, false.feedback),
        ]

    def to_moodle_xml(self, writer: XmlWriter, element: Any, question: Question) -> None:
        for answer, word in zip(question.answers, ("true", "false"), strict=False):
            written = Answer(word, answer.fraction, answer.feedback)
            writer.answer(element, written, question.format, formatted=False)
