"""Description: text between questions, with nothing to answer."""

from __future__ import annotations

from app.questions.model import Question
from app.questions.registry import Grade, Issue, QuestionType, check_unused, register


@register
class Description(QuestionType):
    """Text between questions: nothing to answer, no score, not counted in the result."""

    name = "description"
    position = 80
    noun = "a description"
    has_score = False
    answer_minutes = 0.5
    # Written as text only, after "Type: description".
    markdown_needs_type = True
    markdown_written_as = None
    markdown_type_mismatch = "Type: description is text only, without answers"
    moodle_xml_names = ("description",)
    # GIFT writes a description as its text alone, without braces for general feedback.
    gift_loses = ("points", "correct_feedback", "incorrect_feedback", "general_feedback")

    def check_answers(self, question: Question) -> list[Issue]:
        issues = check_unused(question, self.noun)
        if question.competence is not None:
            issues.append(Issue(f"{self.noun} has no score, so it cannot show a competence"))
        return issues

    def grade(self, question: Question, response: object) -> Grade:
        return Grade(None, [])

    def correct_response(self, question: Question) -> None:
        return None
