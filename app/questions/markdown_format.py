"""The Markdown quiz file `quiz.<language>.md`: YAML settings, then questions in text2qti style."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.sources import (
    LineDict,
    Problem,
    SourceError,
    key_line,
    relative_path,
    split_front_matter,
)
from app.core.validate import Checker
from app.questions.markdown_body import Group, parse_body
from app.questions.markdown_header import header_lines
from app.questions.model import Question
from app.questions.registry import QUESTION_TYPES
from app.questions.values import format_number

SHOW_ANSWERS = ("immediately", "after_last_attempt", "never")
SETTING_KEYS = {
    "pass_mark",
    "max_attempts",
    "time_limit_minutes",
    "shuffle_questions",
    "shuffle_choices",
    "show_answers",
}


@dataclass
class QuizSettings:
    title: str = ""
    pass_mark: float = 50
    max_attempts: int | None = None
    time_limit_minutes: int | None = None
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    show_answers: str = "after_last_attempt"


@dataclass
class QuizSource:
    settings: QuizSettings
    questions: list[Question]
    groups: list[Group]

    def draw(self, rng: random.Random) -> list[int]:
        """One attempt's questions: all ungrouped ones plus `pick` from each group."""
        grouped = {index for group in self.groups for index in group.question_indexes}
        chosen = [index for index in range(len(self.questions)) if index not in grouped]
        for group in self.groups:
            count = min(group.pick, len(group.question_indexes))
            chosen.extend(rng.sample(group.question_indexes, count))
        if self.settings.shuffle_questions:
            rng.shuffle(chosen)
        else:
            chosen.sort()
        return chosen


def _settings(meta: Any, checker: Checker) -> QuizSettings:
    settings = QuizSettings()
    mapping = checker.mapping(meta, 1, "the quiz settings")
    if mapping is None:
        return settings
    checker.keys(mapping, {"title"}, SETTING_KEYS, "the quiz settings")
    for read in (_title, _pass_mark, _limits, _switches, _show_answers):
        read(mapping, checker, settings)
    return settings


def _title(mapping: LineDict, checker: Checker, settings: QuizSettings) -> None:
    title = mapping.get("title")
    if "title" in mapping and (not isinstance(title, str) or not title.strip()):
        checker.error(key_line(mapping, "title"), "title must be a non-empty text")
    elif isinstance(title, str):
        settings.title = title.strip()


def _pass_mark(mapping: LineDict, checker: Checker, settings: QuizSettings) -> None:
    pass_mark = mapping.get("pass_mark")
    if pass_mark is None:
        return
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float):
        pass_mark = -1
    if not 0 <= pass_mark <= 100:
        checker.error(
            key_line(mapping, "pass_mark"), "pass_mark must be a percentage from 0 to 100"
        )
    else:
        settings.pass_mark = pass_mark


def _limits(mapping: LineDict, checker: Checker, settings: QuizSettings) -> None:
    for key in ("max_attempts", "time_limit_minutes"):
        value = mapping.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            checker.error(key_line(mapping, key), f"{key} must be a whole number of at least 1")
        else:
            setattr(settings, key, value)


def _switches(mapping: LineDict, checker: Checker, settings: QuizSettings) -> None:
    for key in ("shuffle_questions", "shuffle_choices"):
        value = mapping.get(key)
        if value is not None and not isinstance(value, bool):
            checker.error(key_line(mapping, key), f"{key} must be true or false")
        elif value is not None:
            setattr(settings, key, value)


def _show_answers(mapping: LineDict, checker: Checker, settings: QuizSettings) -> None:
    show = mapping.get("show_answers")
    if show is not None and show not in SHOW_ANSWERS:
        checker.error(
            key_line(mapping, "show_answers"),
            f"show_answers must be one of {', '.join(SHOW_ANSWERS)}, not '{show}'",
        )
    elif show is not None:
        settings.show_answers = show


def parse_quiz(
    text: str, path: str = "-", known_competences: set[str] | None = None
) -> tuple[QuizSource, list[Problem]]:
    """Parse a quiz file; the problems carry `file:line`, and any error makes the quiz unusable."""
    checker = Checker(path)
    try:
        front = split_front_matter(text, path)
    except SourceError as error:
        return QuizSource(QuizSettings(), [], []), [error.problem]
    settings = _settings(front.meta, checker)
    questions, groups = parse_body(front.body, front.body_first_line, checker, known_competences)
    problems = sorted(checker.problems, key=lambda problem: problem.line)
    return QuizSource(settings, questions, groups), problems


def load_quiz(
    path: Path, known_competences: set[str] | None = None, root: Path | None = None
) -> tuple[QuizSource, list[Problem]]:
    """Read and parse a quiz file, naming it as an author would type it."""
    text = path.read_text(encoding="utf-8")
    return parse_quiz(text, relative_path(path, root), known_competences)


def dump_quiz(source: QuizSource) -> str:
    """Write a quiz in this format; parsing what it writes gives equal settings and questions."""
    settings = source.settings
    lines = [
        "---",
        f"title: {json.dumps(settings.title, ensure_ascii=False)}",
        f"pass_mark: {format_number(float(settings.pass_mark))}",
    ]
    for key in ("max_attempts", "time_limit_minutes"):
        if getattr(settings, key) is not None:
            lines.append(f"{key}: {getattr(settings, key)}")
    for key in ("shuffle_questions", "shuffle_choices"):
        lines.append(f"{key}: {'true' if getattr(settings, key) else 'false'}")
    lines += [f"show_answers: {settings.show_answers}", "---"]
    grouped = {index for group in source.groups for index in group.question_indexes}
    blocks: list[str] = []
    order = [index for index in range(len(source.questions)) if index not in grouped]
    for index in order:
        blocks.append(_dump_question(source.questions[index], len(blocks) + 1))
    number = len(blocks)
    for group in source.groups:
        blocks.append(f"## Group: {group.name} (pick: {group.pick})")
        for index in group.question_indexes:
            number += 1
            blocks.append(_dump_question(source.questions[index], number))
    return "\n".join(lines) + "\n\n" + "\n\n".join(blocks) + "\n"


def _dump_question(question: Question, number: int) -> str:
    kind = QUESTION_TYPES[question.type]
    lines = header_lines(question, kind)
    lines += _block(f"{number}.", question.stem)
    for marker, text in (
        ("...", question.general_feedback),
        ("+", question.correct_feedback),
        ("-", question.incorrect_feedback),
    ):
        if text:
            lines += _block(marker, text)
    for marker, text, feedback in kind.to_markdown(question):
        lines += _block(marker, text)
        if feedback:
            lines += _block("...", feedback)
    return "\n".join(lines)


def _block(marker: str, text: str) -> list[str]:
    """A marker and its text; further lines indented to where the text starts."""
    width = max(len(marker) + 1, 4)
    text_lines = text.split("\n")
    first = (marker.ljust(width) + text_lines[0]).rstrip()
    return [first] + [
        (" " * width + line).rstrip() if line.strip() else "" for line in text_lines[1:]
    ]
