"""Questions to and from the JSON stored with quiz items and frozen into attempts."""

from __future__ import annotations

import html
from dataclasses import asdict
from typing import Any

from app.core.markdown import LinkResolver
from app.questions.model import Answer, NumericalAnswer, Pair, Question
from app.questions.registry import QUESTION_TYPES
from app.questions.text_formats import renderer


def question_html(question: Question, resolver: LinkResolver | None = None) -> dict[str, Any]:
    """The parts of a question shown in an attempt and its review, rendered once when the quiz
    is loaded: Markdown or HTML as the question is written, links and images resolved.

    The answer and overall feedback (under "feedback", by their text) are for the review only.
    """
    render = renderer(question.format, resolver)
    formatted = QUESTION_TYPES[question.type].formatted_answers
    feedback = [answer.feedback for answer in question.answers]
    feedback += [number.feedback for number in question.numerical]
    feedback += [question.correct_feedback, question.incorrect_feedback]
    return {
        "stem": render(question.stem, False),
        "answers": [
            render(answer.text, True) if formatted else html.escape(answer.text)
            for answer in question.answers
        ],
        "left": [render(pair.left, True) for pair in question.pairs],
        "general_feedback": render(question.general_feedback, False),
        "feedback": {text: render(text, False) for text in feedback if text},
    }


def question_to_dict(question: Question, resolver: LinkResolver | None = None) -> dict[str, Any]:
    data = asdict(question)
    data.pop("line", None)
    data["html"] = question_html(question, resolver)
    return data


def question_from_dict(data: dict[str, Any]) -> Question:
    """A stored question; one stored before a field existed gets that field's default."""
    values = dict(data)
    values.pop("html", None)
    values["answers"] = [Answer(**item) for item in values.get("answers", [])]
    values["numerical"] = [NumericalAnswer(**item) for item in values.get("numerical", [])]
    values["pairs"] = [Pair(**item) for item in values.get("pairs", [])]
    return Question(**values)
