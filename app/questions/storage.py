"""Questions to and from the JSON stored with quiz items and frozen into attempts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.core.markdown import render_markdown
from app.questions.model import Answer, NumericalAnswer, Pair, Question


def render_inline(text: str) -> str:
    """Markdown for a choice or a pair: one paragraph loses its <p> so it sits in a label."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def question_html(question: Question) -> dict[str, Any]:
    """The learner-facing parts of a question, rendered once when the quiz is loaded.

    Only what a learner may see while answering: no feedback, nothing that marks an answer.
    """
    return {
        "stem": render_markdown(question.stem),
        "answers": [render_inline(answer.text) for answer in question.answers],
        "left": [render_inline(pair.left) for pair in question.pairs],
        "general_feedback": render_markdown(question.general_feedback)
        if question.general_feedback
        else "",
    }


def question_to_dict(question: Question) -> dict[str, Any]:
    data = asdict(question)
    data.pop("line", None)
    data["html"] = question_html(question)
    return data


def question_from_dict(data: dict[str, Any]) -> Question:
    values = dict(data)
    values.pop("html", None)
    values["answers"] = [Answer(**item) for item in values.get("answers", [])]
    values["numerical"] = [NumericalAnswer(**item) for item in values.get("numerical", [])]
    values["pairs"] = [Pair(**item) for item in values.get("pairs", [])]
    return Question(**values)
