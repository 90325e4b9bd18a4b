"""Essay: free text that a trainer grades."""

from __future__ import annotations

import re
from typing import Any

from app.questions.model import Question
from app.questions.registry import (
    Form,
    Grade,
    Issue,
    QuestionType,
    check_unused,
    register,
)
from app.questions.types.shortanswer import typed_text

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

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        return typed_text(form, name)
