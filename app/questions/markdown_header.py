"""The `Key: value` lines before a question of a Markdown quiz file: title, points, metadata."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.questions.model import Question
from app.questions.registry import QuestionType
from app.questions.values import format_number, parse_number

HEADER_KEYS = ("title", "type", "points", "competence", "diacritics", "id", "tags", "format")
QUESTION_FORMATS = ("markdown", "html")
COMPETENCE_RE = re.compile(r"(\S+)[ \t]*@[ \t]*(\S+)")

Header = dict[str, tuple[str, int]]
Report = Callable[[int, str], None]


def read_header(
    question: Question,
    kind: QuestionType,
    header: Header,
    error: Report,
    known: set[str] | None,
) -> None:
    """Fill the question from its header lines, reporting each problem at its line."""
    if "title" in header:
        value, line = header["title"]
        question.title = value
        if not value:
            error(line, "Title: is empty")
    if "points" in header:
        _points(question, kind, *header["points"], error)
    if "competence" in header:
        _competence(question, kind, *header["competence"], error, known)
    if "diacritics" in header:
        _diacritics(question, kind, *header["diacritics"], error)
    _metadata(question, header, error)


def _metadata(question: Question, header: Header, error: Report) -> None:
    """Id:, Tags: and Format:, what a question bank from Moodle brings along."""
    if "id" in header:
        value, line = header["id"]
        if not value:
            error(line, "Id: is empty")
        question.id = value
    if "tags" in header:
        value, line = header["tags"]
        question.tags = [tag.strip() for tag in value.split(",") if tag.strip()]
        if not question.tags:
            error(line, "Tags: is empty: list tags separated by commas")
    if "format" in header:
        value, line = header["format"]
        if value.lower() not in QUESTION_FORMATS:
            error(line, f"Format: can be markdown or html, not '{value}'")
        else:
            question.format = value.lower()


def _points(question: Question, kind: QuestionType, value: str, line: int, error: Report) -> None:
    points = parse_number(value)
    if not kind.has_score:
        error(line, f"{kind.noun} has no score: remove Points:")
    elif points is None or points <= 0:
        error(line, f"Points: must be a number above 0, not '{value}'")
    else:
        question.points = points


def _diacritics(
    question: Question, kind: QuestionType, value: str, line: int, error: Report
) -> None:
    if value.lower() != "ignore":
        error(line, f"Diacritics: can only be 'ignore', not '{value}'")
    elif not kind.may_ignore_diacritics:
        error(line, "Diacritics: ignore applies to short-answer questions only")
    else:
        question.ignore_diacritics = True


def _competence(
    question: Question,
    kind: QuestionType,
    value: str,
    line: int,
    error: Report,
    known: set[str] | None,
) -> None:
    match = COMPETENCE_RE.fullmatch(value)
    if not match:
        error(line, f"Competence: must be '<id> @ <level 0-4>', not '{value}'")
        return
    code, level_text = match.groups()
    if not kind.has_score:
        error(line, f"{kind.noun} has no score, so it cannot show a competence")
        return
    if level_text not in ("0", "1", "2", "3", "4"):
        error(line, f"competence level '{level_text}' must be a whole number from 0 to 4")
        return
    if known is not None and code not in known:
        error(line, f"unknown competence '{code}'")
        return
    question.competence, question.competence_level = code, int(level_text)


def check_ids(questions: list[Question], error: Report) -> None:
    """An Id: names one question of the quiz, as an idnumber names one in a Moodle category."""
    seen: dict[str, int] = {}
    for question in questions:
        if not question.id:
            continue
        if question.id in seen:
            error(question.line, f"Id: {question.id} is also the id of the question on line "
                  f"{seen[question.id]}")  # fmt: skip
        else:
            seen[question.id] = question.line


def header_lines(question: Question, kind: QuestionType) -> list[str]:
    """The header lines a question is written with (what `read_header` reads back)."""
    lines: list[str] = []
    if question.title:
        lines.append(f"Title: {' '.join(question.title.split())}")
    if question.id:
        lines.append(f"Id: {' '.join(question.id.split())}")
    if question.tags:
        lines.append(f"Tags: {', '.join(question.tags)}")
    if question.format != "markdown":
        lines.append(f"Format: {question.format}")
    if kind.markdown_needs_type:
        lines.append(f"Type: {question.type}")
    if question.points != 1 and kind.has_score:
        lines.append(f"Points: {format_number(question.points)}")
    if question.competence is not None and question.competence_level is not None:
        lines.append(f"Competence: {question.competence} @ {question.competence_level}")
    if question.ignore_diacritics:
        lines.append("Diacritics: ignore")
    return lines
