"""The question-type registry: `QuestionType`, the one class a type is, and `QUESTION_TYPES`.

A type is one subclass in its own module under `app/questions/types/`, registered with
`@register`. It holds everything that differs between types: checking and grading, the Markdown
quiz format (reading its answer lines, writing them back), GIFT (reading, writing), its template,
reading a learner's form fields, and what the statistics count. The parsers, the attempts, the
statistics and the templates ask the type and never test a type's name.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from app.questions.values import percent_to_fraction

if TYPE_CHECKING:
    from app.questions.gift_syntax import GiftBlock
    from app.questions.model import Question
    from app.questions.moodle_xml import XmlReader
    from app.questions.moodle_xml_export import XmlWriter

# Credit is compared with this slack so that 1/3 + 1/3 + 1/3 counts as full marks.
EPSILON = 1e-6

# A form as the attempt pages post it: every field name with all its values.
Form = dict[str, list[str]]
# How a reader reports a problem at a line of the author's file.
ReportError = Callable[[int, str], None]


@dataclass(frozen=True)
class Grade:
    """The credit for one response: `fraction` in [0, 1], or None when a person must grade it."""

    fraction: float | None
    feedback: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Issue:
    """Something wrong in a question; `item` indexes the answer, number or pair it is about."""

    message: str
    item: int | None = None


@dataclass(frozen=True)
class AnswerLine:
    """One answer line of a question in a Markdown quiz file, with its continuation lines."""

    line: int
    marker: str
    text: str
    feedback: str = ""


def marker_weight(marker: str) -> float:
    """The credit an answer line's "50" (of "*50%" or "=50%") gives: 100% without one."""
    return percent_to_fraction(float(marker.replace(",", "."))) if marker else 1.0


def clamp(value: float) -> float:
    # Six decimals: three weights of 33.3333333% make full marks.
    value = round(value, 6)
    return 0.0 if value < 0 else 1.0 if value > 1 else value


def as_index(value: Any) -> int | None:
    """A submitted index as an int, or None; forms send strings, so "2" counts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def form_values(form: Form, name: str) -> list[str]:
    """The non-empty values a form sent for one field."""
    return [value for value in form.get(name, []) if value != ""]


class QuestionType:
    """What every type shares; a type overrides what differs.

    The class attributes say how the type takes part: its place in the registry, how messages
    name it, whether it is scored and graded by the computer, and how the Markdown format and
    GIFT recognise it. The methods do the work, each given the question it is about.
    """

    name: ClassVar[str] = ""
    # The registry's order: lists, messages and the editor show the types in this order.
    position: ClassVar[int] = 0
    # How messages name one question of the type: "a description has no score".
    noun: ClassVar[str] = "a question"
    is_graded_automatically: ClassVar[bool] = True
    has_score: ClassVar[bool] = True
    # Minutes a learner needs to answer one, for the estimated workload of a course.
    answer_minutes: ClassVar[float] = 1.0
    # Only short answers may ignore diacritics ("Diacritics: ignore").
    may_ignore_diacritics: ClassVar[bool] = False
    # Whether the answers' texts are written in the question's format (Markdown or HTML);
    # short answers are typed text, true and false fixed words.
    formatted_answers: ClassVar[bool] = True

    # The Markdown quiz format. `markdown_line` recognises the type's answer lines (named
    # groups `marker` and `text`); types without own lines are declared with "Type: <name>"
    # and written with the lines of `markdown_written_as` (None: no answer lines at all).
    markdown_line: ClassVar[re.Pattern[str] | None] = None
    markdown_label: ClassVar[str] = ""
    markdown_needs_type: ClassVar[bool] = False
    markdown_written_as: ClassVar[str | None] = None
    markdown_type_mismatch: ClassVar[str] = ""
    # An answer line whose text must fit on one line: how the message names it.
    markdown_one_line: ClassVar[str | None] = None
    # False when the answer lines take no "..." feedback; the message then says why.
    markdown_item_feedback: ClassVar[bool] = True
    markdown_no_feedback: ClassVar[str] = ""
    # Answer lines that add nothing to the question's items (an essay's "___").
    markdown_has_items: ClassVar[bool] = True

    # GIFT: types are tried in this order on the text between the braces (None: never).
    gift_order: ClassVar[int | None] = None
    # What GIFT cannot say of a question of the type: kept from the quiz on a re-import.
    gift_loses: ClassVar[tuple[str, ...]] = ("points", "correct_feedback", "incorrect_feedback")
    # Moodle XML: the names of Moodle's types this type reads (the first is written), and
    # what Moodle's type cannot say.
    moodle_xml_names: ClassVar[tuple[str, ...]] = ()
    moodle_xml_loses: ClassVar[tuple[str, ...]] = ("correct_feedback", "incorrect_feedback")

    # The JSON of `flask quizzes import-gift --json`: the key and the Question field listed.
    json_list: ClassVar[tuple[str, str] | None] = None

    @property
    def template(self) -> str:
        """The Jinja template with the type's macros: `field` to answer, `answer` to show one."""
        return f"quizzes/types/{self.name}.html"

    # --- Checking and grading --------------------------------------------------------------

    def check(self, question: Question) -> list[Issue]:
        """Problems with the question as written; an empty list means it can be used."""
        issues: list[Issue] = []
        if not question.stem.strip():
            issues.append(Issue("the question text is empty"))
        if self.has_score and not question.points > 0:
            issues.append(Issue("points must be more than 0"))
        level = question.competence_level
        if level is not None and not 0 <= level <= 4:
            issues.append(Issue(f"competence level {level} is outside 0-4"))
        issues.extend(self.check_answers(question))
        return issues

    def check_answers(self, question: Question) -> list[Issue]:
        return []

    def validate(self, question: Question) -> list[str]:
        return [issue.message for issue in self.check(question)]

    def grade(self, question: Question, response: Any) -> Grade:
        raise NotImplementedError

    def correct_response(self, question: Question) -> Any:
        """A response that gets full marks, in the shape `grade` takes (for the review page)."""
        raise NotImplementedError

    @staticmethod
    def _grade(question: Question, fraction: float, feedback: Iterable[str]) -> Grade:
        fraction = clamp(fraction)
        texts = [text for text in feedback if text]
        overall = question.correct_feedback if fraction >= 1 else question.incorrect_feedback
        if overall:
            texts.append(overall)
        return Grade(fraction, texts)

    def to_json(self, question: Question) -> dict[str, Any]:
        """The type's answers in the JSON shape of `Question.to_json`."""
        if self.json_list is None:
            return {}
        key, attribute = self.json_list
        return {key: [item.to_json() for item in getattr(question, attribute)]}

    # --- The Markdown quiz format ----------------------------------------------------------

    def markdown_match(self, line: str) -> re.Match[str] | None:
        """The line as one of this type's answer lines, or None."""
        return self.markdown_line.match(line) if self.markdown_line is not None else None

    def from_markdown(
        self, question: Question, lines: list[AnswerLine], error: ReportError
    ) -> list[int]:
        """Fill the question from its answer lines; the lines that issues' items refer to."""
        return [line.line for line in lines]

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        """The answer lines to write: (marker, text, feedback)."""
        return []

    # --- GIFT ----------------------------------------------------------------------------

    def gift_claims(self, answers: str) -> bool:
        """Whether the text between a GIFT question's braces makes a question of this type."""
        return False

    def from_gift(self, block: GiftBlock, question: Question, answers: str, form: str) -> bool:
        """Read the answers into the question; False when Moodle would refuse the question."""
        return True

    def to_gift(self, question: Question, general: str) -> str | None:
        """The answer block with its braces (`general` is the ####feedback); None: no block."""
        return None

    # --- Moodle XML --------------------------------------------------------------------------

    def moodle_claims(self, element: Any) -> bool:
        """Whether a <question> of one of `moodle_xml_names` is of this type."""
        return True

    def from_moodle_xml(
        self, reader: XmlReader, element: Any, question: Question, form: str
    ) -> None:
        """Read the type's part of a <question> (the name, texts and tags are read already)."""

    def to_moodle_xml(self, writer: XmlWriter, element: Any, question: Question) -> None:
        """Write the type's part of a <question>."""

    # --- Attempts and statistics (on the stored dict: an attempt keeps its own copy) -------

    def layout(
        self, question: dict[str, Any], shuffle: bool, rng: random.Random
    ) -> tuple[list[int], list[str] | None]:
        """The order the answers are shown in, and the options of a drop-down, if any."""
        return list(range(len(question["answers"]))), None

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        """The response as `grade` takes it, from the form fields of one slot."""
        return None

    def tally(self, question: dict[str, Any], response: Any) -> list[str]:
        """What the statistics count as picked in this response (choices, true or false)."""
        return []

    def response_text(self, question: dict[str, Any], response: Any) -> str:
        """A response as text for a spreadsheet: what was picked, or what was typed."""
        picked = self.tally(question, response)
        if picked:
            return "; ".join(picked)
        return response if isinstance(response, str) else ""


QUESTION_TYPES: dict[str, QuestionType] = {}
TypeClass = TypeVar("TypeClass", bound=type[QuestionType])


def register(cls: TypeClass) -> TypeClass:
    """Class decorator: the type is known by its name from now on."""
    if cls.name in QUESTION_TYPES:
        raise ValueError(f"question type {cls.name!r} is registered twice")
    QUESTION_TYPES[cls.name] = cls()
    ordered = sorted(QUESTION_TYPES.values(), key=lambda kind: kind.position)
    QUESTION_TYPES.clear()
    QUESTION_TYPES.update((kind.name, kind) for kind in ordered)
    return cls


def grade(question: Question, response: Any) -> Grade:
    """Grade a response with the question's own type."""
    return QUESTION_TYPES[question.type].grade(question, response)


def check_fractions(question: Question, low: float) -> list[Issue]:
    return [
        Issue(f"weight {answer.fraction * 100:g}% is outside {low * 100:g}% to 100%", index)
        for index, answer in enumerate(question.answers)
        if not low - EPSILON <= answer.fraction <= 1 + EPSILON
    ]


def check_texts(question: Question, what: str) -> list[Issue]:
    return [
        Issue(f"{what} {index + 1} is empty", index)
        for index, answer in enumerate(question.answers)
        if not answer.text.strip()
    ]


def check_unused(question: Question, what: str) -> list[Issue]:
    """For types without answers: answers or right/wrong feedback would never be shown."""
    issues: list[Issue] = []
    if question.answers or question.numerical or question.pairs:
        issues.append(Issue(f"{what} has no answers to choose or type"))
    if question.correct_feedback or question.incorrect_feedback:
        issues.append(Issue(f"{what} is never right or wrong: use general feedback instead"))
    return issues
