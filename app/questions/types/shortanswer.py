"""Short answer: typed text; case and spacing never matter, diacritics only when asked."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from app.questions.gift_syntax import (
    answer_block,
    answer_line,
    leading_word,
    restore,
    split_answers,
)
from app.questions.model import Answer, Question
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

# "* text" or "*50% text": an accepted answer and the credit it gives.
SHORT_RE = re.compile(r"^\*(?:(?P<marker>\d+(?:[.,]\d+)?)%)?(?:[ \t]+(?P<text>.*))?$")
# The longest answer a learner's typed field keeps.
MAX_TYPED = 20_000


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
    markdown_line = SHORT_RE
    markdown_label = "short-answer (*)"
    markdown_one_line = "a short answer"
    gift_order = 70  # last: what is no other type is a short answer, as in Moodle
    json_list = ("answers", "answers")

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
        matches = [
            answer
            for answer in question.answers
            if normalize_text(answer.text, question.ignore_diacritics) == typed
        ]
        if not matches:
            return self._grade(question, 0.0, [])
        best = max(matches, key=lambda answer: answer.fraction)
        return self._grade(question, best.fraction, [best.feedback])

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
            text = restore(answer).strip()
            question.answers.append(Answer(text, fraction, block.text(feedback, form)[0]))
        return True

    def to_gift(self, question: Question, general: str) -> str | None:
        lines = [
            answer_line(
                "=" if answer.fraction == 1 else f"=%{percent_text(answer.fraction)}%",
                answer.text,
                answer.feedback,
                short=True,
            )
            for answer in question.answers
        ]
        return answer_block(lines, general)

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        return typed_text(form, name)
