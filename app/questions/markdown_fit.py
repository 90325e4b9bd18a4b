"""An imported question made to fit a Markdown quiz file, so that the file reads back the same.

A quiz file holds texts in indented lines: no tabs or trailing spaces, one blank line at most
between paragraphs, a matching pair or a short answer on one line, and no indented line that
starts with "..." (that would be feedback). Imported texts are brought into that shape with
the same meaning: what the file holds is what was imported, and a re-import compares equal.
"""

from __future__ import annotations

import re

from app.questions.model import Question
from app.questions.registry import QUESTION_TYPES

_BLANK_LINES = re.compile(r"\n{3,}")


def _lines(text: str, form: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r", "").replace("\t", "    ").split("\n")]
    # An indented "..." would start feedback: its first dot becomes an escape or an entity.
    dot = "&#46;" if form == "html" else "\\."
    lines = [
        line[: len(line) - len(line.lstrip())] + dot + line.lstrip()[1:]
        if index and line.lstrip().startswith("...")
        else line
        for index, line in enumerate(lines)
    ]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _metadata(text: str) -> str:
    """An id or a tag as GIFT's [id:...] can carry it: a backslash before "]" or at the end
    would read as an escape there."""
    return _one_line(re.sub(r"\\+(?=\]|$)", "", _one_line(text)))


def fit_quiz_file(question: Question) -> None:
    """Bring the question's texts into what a quiz file holds, in place."""
    form = question.format
    question.map_texts(lambda text, inline: _lines(text, form))
    question.title = _one_line(question.title)
    question.id = _metadata(question.id)
    # A tag as Moodle keeps one (PARAM_TAG): no <, > or `; and no comma, which separates them.
    tags = (_metadata(re.sub(r"[<>`,]", " ", tag)) for tag in question.tags)
    question.tags = [tag for tag in tags if tag]
    if QUESTION_TYPES[question.type].markdown_one_line:
        for answer in question.answers:
            answer.text = _one_line(answer.text)
    arrow = "-&gt;" if form == "html" else "-\\>"
    for pair in question.pairs:
        # A pair is one line, "left -> right": the left side keeps no line break or arrow.
        pair.left = _one_line(pair.left).replace("->", arrow)
        pair.right = _one_line(pair.right)
