"""The question-type registry: one class per type, and no switch on type names outside it."""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path
from typing import Any

import pytest

from app.questions.markdown_format import dump_quiz, parse_quiz
from app.questions.model import Answer, Question
from app.questions.registry import AnswerLine, Form, Grade, QuestionType, ReportError, form_values
from app.questions.types import QUESTION_TYPES, TYPE_NAMES

ROOT = Path(__file__).parents[2]
APP = ROOT / "app"
REGISTRY = APP / "questions" / "types"
TEMPLATES = APP / "templates"
NAMES = "|".join(re.escape(name) for name in QUESTION_TYPES)
QUOTED = rf"""["'](?:{NAMES})["']"""
# A type's name compared with something, listed as one of several, or matched as a case: the
# shapes a switch on types takes, in Python and in Jinja.
SWITCH_RE = re.compile(
    rf"(?:==|!=)\s*{QUOTED}"
    rf"|{QUOTED}\s*(?:==|!=)"
    rf"|\bin\s*[(\[{{][^)\]}}]*{QUOTED}"
    rf"|\bcase\s+{QUOTED}"
    rf"|[(\[{{,]\s*{QUOTED}\s*,\s*{QUOTED}"
)


def switches(text: str) -> list[str]:
    return [match.group(0) for match in SWITCH_RE.finditer(text)]


def test_the_scan_finds_each_shape_of_switch() -> None:
    for source in (
        'if question.type == "single":',
        "{% if q.type != 'description' %}",
        'if "essay" == kind:',
        'if kind in ("shortanswer", "numerical"):',
        "{% elif q.type in ('single',) %}",
        'elif kind not in ["matching"]:',
        'case "truefalse":',
        'SHUFFLED = ("single", "multiple")',
    ):
        assert switches(source), source
    for source in (
        'if kind == "csv":',
        'MINUTES = {"essay": 20.0, "matching": 2.0}',
        'Question("single", stem="?")',
        "{% import question_type(q.type).template as kind %}",
    ):
        assert not switches(source), source


def test_no_switch_on_type_names_outside_the_registry() -> None:
    found = []
    for path in sorted(APP.rglob("*")):
        if path.suffix not in (".py", ".html", ".js") or path.is_relative_to(REGISTRY):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [f"{path.relative_to(ROOT)}:{number}: {hit}" for hit in switches(line)]
    assert not found, "ask the type (app/questions/types/) instead:\n" + "\n".join(found)


def test_the_registry_order() -> None:
    # Lists, messages ("known: ...") and the editor show the types in this order.
    assert TYPE_NAMES == (
        "single",
        "multiple",
        "truefalse",
        "shortanswer",
        "numerical",
        "matching",
        "essay",
        "description",
    )


@pytest.mark.parametrize("kind", QUESTION_TYPES.values(), ids=TYPE_NAMES)
def test_every_type_has_its_template(kind: QuestionType) -> None:
    template = (TEMPLATES / kind.template).read_text(encoding="utf-8")
    assert "{% macro field(index, slot, value) %}" in template
    assert "{% macro answer(q, value) %}" in template


def test_no_line_is_an_answer_line_of_two_types() -> None:
    lines = ["a) x", "*b) x", "[ ] x", "[*50%] x", "* x", "*50% x", "= 4", "=50% 4 +- 1",
             "= a -> b", "___", "... feedback", "- wrong", "+ right", "1. Stem"]  # fmt: skip
    for line in lines:
        claimed = [kind.name for kind in QUESTION_TYPES.values() if kind.markdown_match(line)]
        assert len(claimed) <= 1, (line, claimed)


def test_the_questions_package_imports_only_core() -> None:
    """Below courses: the course loader parses quiz files with it (issue 16)."""
    allowed = ("app.core", "app.questions")
    found = []
    for path in sorted((APP / "questions").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
                module = node.module if node.module != "app" else names[1]
            elif isinstance(node, ast.Import):
                module = node.names[0].name
            else:
                continue
            if module.split(".")[0] == "app" and not module.startswith(allowed):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {module}")
    assert not found


class Keyword(QuestionType):
    """A made-up type, as a new module under app/questions/types/ would define it."""

    name = "keyword"
    position = 90
    markdown_line = re.compile(r"^\?(?:[ \t]+(?P<text>.*))?$")
    markdown_label = "keyword (?)"
    markdown_one_line = "a keyword"

    def grade(self, question: Question, response: Any) -> Grade:
        words = str(response).casefold().split()
        found = any(answer.text.casefold() in words for answer in question.answers)
        return self._grade(question, 1.0 if found else 0.0, [])

    def correct_response(self, question: Question) -> str:
        return question.answers[0].text if question.answers else ""

    def from_markdown(
        self, question: Question, lines: list[AnswerLine], error: ReportError
    ) -> list[int]:
        question.answers = [Answer(line.text, 1.0) for line in lines]
        return [line.line for line in lines]

    def to_markdown(self, question: Question) -> list[tuple[str, str, str]]:
        return [("?", answer.text, "") for answer in question.answers]

    def decode(self, slot: dict[str, Any], form: Form, name: str) -> Any:
        values = form_values(form, name)
        return values[0] if values else ""


def test_a_new_type_is_one_registered_class(monkeypatch) -> None:
    monkeypatch.setitem(QUESTION_TYPES, "keyword", Keyword())
    text = "---\ntitle: T\n---\n\nPoints: 2\n1. Say hello.\n? hello\n? hi\n"
    source, problems = parse_quiz(text, "quiz.en.md")
    assert problems == []
    question = source.questions[0]
    assert (question.type, question.points, [a.text for a in question.answers]) == (
        "keyword",
        2,
        ["hello", "hi"],
    )
    again, problems = parse_quiz(dump_quiz(source), "quiz.en.md")
    assert problems == []
    assert again.questions == source.questions
    kind = QUESTION_TYPES["keyword"]
    assert kind.grade(question, "well hi there").fraction == 1.0
    assert kind.layout({"answers": []}, True, random.Random(1)) == ([], None)
    assert kind.decode({}, {"q0": ["hi"]}, "q0") == "hi"
    assert "unknown type 'quiz' (known: single," in str(
        parse_quiz("---\ntitle: T\n---\nType: quiz\n1. Q\n? a\n", "q.md")[1][0]
    )
    mixed = "---\ntitle: T\n---\n1. Q\n? hello\n* hello\n"
    assert "a short-answer (*) answer in a question that already has keyword (?) answers" in str(
        parse_quiz(mixed, "q.md")[1][0]
    )
