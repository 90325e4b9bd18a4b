"""Essay: free text that a trainer grades."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from app.questions.model import Question
from app.questions.moodle_xml import xml_number
from app.questions.registry import (
    Form,
    Grade,
    Issue,
    QuestionType,
    check_unused,
    register,
)
from app.questions.types.shortanswer import typed_text

if TYPE_CHECKING:
    from app.questions.moodle_xml import XmlReader
    from app.questions.moodle_xml_export import XmlWriter

# "___" (three or more) after the question text: a box to write in.
ESSAY_RE = re.compile(r"^_{3,}$")


@register
class Essay(QuestionType):
    """Free text that a person grades: `grade` gives fraction None."""

    name = "essay"
    position = 70
    noun = "an essay"
    is_graded_automatically = False
    answer_minutes = 20.0
    markdown_line = ESSAY_RE
    markdown_label = "essay (___)"
    markdown_has_items = False
    gift_order = 10  # first: "{}" is an essay
    moodle_xml_names = ("essay",)
    # Moodle's defaults for an essay answered in its editor, without files.
    MOODLE_SETTINGS = (
        ("responseformat", "editor"),
        ("responserequired", "1"),
        ("responsefieldlines", "15"),
        ("attachments", "0"),
        ("attachmentsrequired", "0"),
    )

    def check_answers(self, question: Question) -> list[Issue]:
        return check_unused(question, self.noun)

    def grade(self, question: Question, response: Any) -> Grade:
        return Grade(None, [])

    def correct_response(self, question: Question) -> None:
        return None

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        return [("____", "", "")]

    def gift_claims(self, answers: str) -> bool:
        return answers == ""

    def to_gift(self, question: Question, general: str) -> str | None:
        return "{" + general + "}"

    def from_moodle_xml(
        self, reader: XmlReader, element: Any, question: Question, form: str
    ) -> None:
        for name in ("graderinfo", "responsetemplate"):
            if (element.findtext(f"{name}/text") or "").strip():
                reader.warn(f"the essay's {name} is left out")
        if xml_number(element.findtext("attachments")) != 0:
            reader.warn("file attachments to an essay are not possible here")

    def to_moodle_xml(self, writer: XmlWriter, element: Any, question: Question) -> None:
        for tag, value in self.MOODLE_SETTINGS:
            writer.value(element, tag, value)
        writer.text(element, "graderinfo", "", "html")
        writer.text(element, "responsetemplate", "", "html")

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        return typed_text(form, name)
