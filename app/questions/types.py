"""Question types: what each checks in a question, how it grades a response, what is right."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from app.questions.model import Question

# Credit is compared with this slack so that 1/3 + 1/3 + 1/3 counts as full marks.
EPSILON = 1e-6
NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


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


def strip_diacritics(text: str) -> str:
    """č -> c, ć -> c, š -> s, ž -> z, and đ -> d, which has no Unicode decomposition."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize_text(text: str, ignore_diacritics: bool = False) -> str:
    """A typed answer as compared: trimmed, inner whitespace collapsed, case-folded."""
    text = " ".join(text.split()).casefold()
    if ignore_diacritics:
        return strip_diacritics(text)
    # NFC so that a "č" typed as c + combining caron equals the precomposed one.
    return unicodedata.normalize("NFC", text)


def parse_number(text: Any) -> float | None:
    """A number as people type it: "3,5" and "3.5" alike, "1 000,5" and "1,000.5" too."""
    if not isinstance(text, str):
        return None
    compact = re.sub(r"[\s'\u00a0\u202f]", "", text.replace("\u2212", "-"))
    if "," in compact and "." in compact:
        # Both separators: the last one is the decimal separator, the other groups thousands.
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    elif compact.count(",") == 1:
        compact = compact.replace(",", ".")
    elif compact.count(",") > 1 or compact.count(".") > 1:
        separator = "," if "," in compact else "."
        if not re.fullmatch(rf"[+-]?[0-9]{{1,3}}(?:{re.escape(separator)}[0-9]{{3}})+", compact):
            return None
        compact = compact.replace(separator, "")
    if not NUMBER_RE.fullmatch(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def percent_to_fraction(percent: float) -> float:
    """50 -> 0.5; rounded so that a weight written back as a percentage reads back the same."""
    return round(percent / 100, 9)


def _clamp(value: float) -> float:
    # Six decimals: three weights of 33.3333333% make full marks.
    value = round(value, 6)
    return 0.0 if value < 0 else 1.0 if value > 1 else value


def _index(value: Any) -> int | None:
    """A submitted index as an int, or None; forms send strings, so "2" counts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


class QuestionType:
    """What every type shares; subclasses override what differs."""

    name: ClassVar[str] = ""
    is_graded_automatically: ClassVar[bool] = True
    has_score: ClassVar[bool] = True

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
        fraction = _clamp(fraction)
        texts = [text for text in feedback if text]
        overall = question.correct_feedback if fraction >= 1 else question.incorrect_feedback
        if overall:
            texts.append(overall)
        return Grade(fraction, texts)


def _check_fractions(question: Question, low: float) -> list[Issue]:
    return [
        Issue(f"weight {answer.fraction * 100:g}% is outside {low * 100:g}% to 100%", index)
        for index, answer in enumerate(question.answers)
        if not low - EPSILON <= answer.fraction <= 1 + EPSILON
    ]


def _check_texts(question: Question, what: str) -> list[Issue]:
    return [
        Issue(f"{what} {index + 1} is empty", index)
        for index, answer in enumerate(question.answers)
        if not answer.text.strip()
    ]


class SingleChoice(QuestionType):
    name = "single"

    def check_answers(self, question: Question) -> list[Issue]:
        issues = _check_texts(question, "choice") + _check_fractions(question, -1.0)
        if len(question.answers) < 2:
            issues.append(Issue("a single-choice question needs at least two choices"))
        correct = [i for i, a in enumerate(question.answers) if a.fraction >= 1 - EPSILON]
        if not correct:
            issues.append(Issue("no correct answer: mark one choice as correct"))
        for index in correct[1:]:
            issues.append(Issue("more than one correct answer in a single-choice question", index))
        return issues

    def grade(self, question: Question, response: Any) -> Grade:
        index = _index(response)
        if index is None or not 0 <= index < len(question.answers):
            return self._grade(question, 0.0, [])
        answer = question.answers[index]
        return self._grade(question, answer.fraction, [answer.feedback])

    def correct_response(self, question: Question) -> int | None:
        if not question.answers:
            return None
        return max(range(len(question.answers)), key=lambda i: question.answers[i].fraction)


class MultipleAnswers(QuestionType):
    """Several choices may be right: the credit is the sum of the chosen weights, never below 0."""

    name = "multiple"

    def check_answers(self, question: Question) -> list[Issue]:
        issues = _check_texts(question, "choice") + _check_fractions(question, -1.0)
        if len(question.answers) < 2:
            issues.append(Issue("a multiple-answer question needs at least two choices"))
        positive = sum(a.fraction for a in question.answers if a.fraction > 0)
        if positive <= 0:
            issues.append(Issue("no correct answer: mark at least one choice as correct"))
        elif abs(positive - 1) > 0.001:
            issues.append(
                Issue(f"the correct choices' weights add up to {positive * 100:g}%, not 100%")
            )
        return issues

    def grade(self, question: Question, response: Any) -> Grade:
        chosen: set[int] = set()
        if isinstance(response, (list, set, tuple, frozenset)):
            for value in response:
                index = _index(value)
                if index is not None and 0 <= index < len(question.answers):
                    chosen.add(index)
        answers = [question.answers[index] for index in sorted(chosen)]
        total = sum(answer.fraction for answer in answers)
        return self._grade(question, total, [answer.feedback for answer in answers])

    def correct_response(self, question: Question) -> list[int]:
        return [i for i, answer in enumerate(question.answers) if answer.fraction > 0]


class TrueFalse(QuestionType):
    """Two answers, always in this order: "True" then "False", one of them worth 100%."""

    name = "truefalse"

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


class ShortAnswer(QuestionType):
    """Typed text; case and spacing never matter, diacritics only when the question says so."""

    name = "shortanswer"

    def check_answers(self, question: Question) -> list[Issue]:
        issues = _check_texts(question, "answer") + _check_fractions(question, 0.0)
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


def format_number(value: float) -> str:
    """A float written so that reading it back gives the same float: 3 not 3.0, 0.1 not 0.10000."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class Numerical(QuestionType):
    name = "numerical"

    def check_answers(self, question: Question) -> list[Issue]:
        issues: list[Issue] = []
        if not question.numerical:
            issues.append(Issue("a numerical question needs at least one accepted number"))
        for index, answer in enumerate(question.numerical):
            if answer.min is not None and answer.max is not None:
                if answer.min > answer.max:
                    issues.append(Issue("the range's minimum is above its maximum", index))
            elif answer.value is None:
                issues.append(Issue("the accepted number is missing", index))
            elif answer.tolerance < 0:
                issues.append(Issue("the tolerance is negative", index))
            if not -EPSILON <= answer.fraction <= 1 + EPSILON:
                message = f"weight {answer.fraction * 100:g}% is outside 0% to 100%"
                issues.append(Issue(message, index))
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


class Matching(QuestionType):
    """Response: {left index: chosen right-hand text}. Text, not an index, because the options are
    shown shuffled and de-duplicated, so only the text means the same thing on every page."""

    name = "matching"

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
                index = _index(key)
                if index is not None and isinstance(value, str):
                    chosen[index] = " ".join(value.split())
        scored = [(i, pair) for i, pair in enumerate(question.pairs) if pair.left.strip()]
        if not scored:
            return self._grade(question, 0.0, [])
        right = sum(1 for i, pair in scored if chosen.get(i) == " ".join(pair.right.split()))
        return self._grade(question, right / len(scored), [])

    def correct_response(self, question: Question) -> dict[int, str]:
        return {i: pair.right for i, pair in enumerate(question.pairs) if pair.left.strip()}


class Essay(QuestionType):
    """Free text that a person grades: `grade` gives fraction None."""

    name = "essay"
    is_graded_automatically = False

    def check_answers(self, question: Question) -> list[Issue]:
        return _check_unused(question, "an essay")

    def grade(self, question: Question, response: Any) -> Grade:
        return Grade(None, [])

    def correct_response(self, question: Question) -> None:
        return None


class Description(QuestionType):
    """Text between questions: nothing to answer, no score, not counted in the result."""

    name = "description"
    has_score = False

    def check_answers(self, question: Question) -> list[Issue]:
        issues = _check_unused(question, "a description")
        if question.competence is not None:
            issues.append(Issue("a description has no score, so it cannot show a competence"))
        return issues

    def grade(self, question: Question, response: Any) -> Grade:
        return Grade(None, [])

    def correct_response(self, question: Question) -> None:
        return None


def _check_unused(question: Question, what: str) -> list[Issue]:
    issues: list[Issue] = []
    if question.answers or question.numerical or question.pairs:
        issues.append(Issue(f"{what} has no answers to choose or type"))
    if question.correct_feedback or question.incorrect_feedback:
        issues.append(Issue(f"{what} is never right or wrong: use general feedback instead"))
    return issues


QUESTION_TYPES: dict[str, QuestionType] = {
    "single": SingleChoice(),
    "multiple": MultipleAnswers(),
    "truefalse": TrueFalse(),
    "shortanswer": ShortAnswer(),
    "numerical": Numerical(),
    "matching": Matching(),
    "essay": Essay(),
    "description": Description(),
}


def grade(question: Question, response: Any) -> Grade:
    """Grade a response with the question's own type."""
    return QUESTION_TYPES[question.type].grade(question, response)
