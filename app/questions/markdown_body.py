"""The questions part of a Markdown quiz file: text2qti's grammar plus our additions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.validate import Checker
from app.questions.markdown_header import HEADER_KEYS, check_ids, read_header
from app.questions.model import Question
from app.questions.registry import QUESTION_TYPES, AnswerLine, QuestionType

# A question without answer lines and without "Type:" is text only.
TEXT_ONLY = "description"

QUESTION_RE = re.compile(r"^(?P<number>\d+)\.(?:[ \t]+(?P<text>.*))?$")
FEEDBACK_RE = re.compile(r"^(?P<marker>\.\.\.|\+|-)(?:[ \t]+(?P<text>.*))?$")
HEADER_RE = re.compile(r"^([A-Za-z]+):(?:[ \t]+(.*))?$")
GROUP_RE = re.compile(r"^##[ \t]+Group:[ \t]*(.*?)[ \t]*\(pick:[ \t]*([^)]*)\)$", re.IGNORECASE)


@dataclass
class Group:
    """Questions of which `pick` are drawn at random for each attempt."""

    name: str
    pick: int
    question_indexes: list[int] = field(default_factory=list)
    line: int = field(default=0, compare=False)


@dataclass
class _Element:
    """One marked line and its indented continuation lines; `kind` is "stem", "feedback" or
    the name of the question type whose answer line it is."""

    kind: str
    line: int
    width: int  # where the text starts on the first line: continuation lines lose that indent
    lines: list[str]
    marker: str = ""
    feedback: _Element | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()

    @property
    def answer_type(self) -> QuestionType | None:
        return QUESTION_TYPES.get(self.kind)


@dataclass
class _Draft:
    line: int
    header: dict[str, tuple[str, int]]
    stem: _Element
    kind: str | None = None
    general: _Element | None = None
    correct: _Element | None = None
    incorrect: _Element | None = None
    items: list[_Element] = field(default_factory=list)


def _element(kind: str, line: str, number: int, match: re.Match[str]) -> _Element:
    """The element of a marked line: its `text` group starts the text, its `marker` marks it."""
    groups = match.groupdict()
    text = groups.get("text")
    width = match.start("text") if text is not None else len(line) + 1
    return _Element(kind, number, width, [text or ""], groups.get("marker") or "")


class _BodyParser:
    def __init__(self, checker: Checker, known_competences: set[str] | None) -> None:
        self.checker = checker
        self.known = known_competences
        self.questions: list[Question] = []
        self.groups: list[Group] = []
        self.header: dict[str, tuple[str, int]] = {}
        self.draft: _Draft | None = None
        self.current: _Element | None = None  # what an indented line continues
        self.skipping = False  # after a bad line, its indented continuation is not reported again
        self.blank = False

    def error(self, line: int, message: str) -> None:
        self.checker.error(line, message)

    def feed(self, body: str, first_line: int) -> None:
        for offset, raw in enumerate(body.splitlines()):
            number = first_line + offset
            line = raw.expandtabs(4).rstrip()
            if not line:
                self.blank = True
                continue
            if line[0] == " ":
                self._continuation(line, number)
            else:
                self.skipping = False
                self._marked(line, number)
            self.blank = False
        self._finish()
        self._orphan_header()
        for group in self.groups:
            size = len(group.question_indexes)
            if not size:
                self.error(group.line, f"group '{group.name}' has no questions")
            elif group.pick > size:
                self.error(
                    group.line,
                    f"pick: {group.pick} is more than the {size} questions of group '{group.name}'",
                )
        if not self.questions:
            self.error(first_line, "the quiz has no questions: start one with '1. '")
        check_ids(self.questions, self.error)

    def _continuation(self, line: str, number: int) -> None:
        stripped = line.lstrip()
        if self.skipping:
            return
        if self.draft is None:
            self.error(number, "indented text outside a question")
            self.skipping = True
            return
        match = FEEDBACK_RE.match(stripped)
        if match and match.group(1) == "...":  # text2qti also allows answer feedback indented
            offset = len(line) - len(stripped)
            self._feedback(line, number, match, offset)
            return
        element = self.current
        if element is None:
            self.error(number, "indented text that continues nothing")
            self.skipping = True
            return
        one_line = element.answer_type.markdown_one_line if element.answer_type else None
        if one_line:
            self.error(number, f"{one_line} must fit on one line")
            self.skipping = True
            return
        cut = min(len(line) - len(stripped), element.width)
        if self.blank:
            element.lines.append("")
        element.lines.append(line[cut:])

    def _marked(self, line: str, number: int) -> None:
        if line.startswith("#"):
            self._group(line, number)
            return
        match = HEADER_RE.match(line)
        if match and match.group(1).lower() in HEADER_KEYS:
            self._finish()  # a header line starts the next question
            key = match.group(1).lower()
            if key in self.header:
                self.error(number, f"'{match.group(1)}:' given twice for one question")
            else:
                self.header[key] = ((match.group(2) or "").strip(), number)
            return
        match = QUESTION_RE.match(line)
        if match:
            self._finish()
            stem = _element("stem", line, number, match)
            self.draft = _Draft(number, self.header, stem)
            self.header = {}
            self.current = stem
            return
        if self.draft is None:
            hint = " (quiz settings go in the front matter)" if ":" in line else ""
            self.error(number, f"unknown line: expected a question like '1. Text'{hint}")
            self.skipping = True
            return
        self._answer_line(self.draft, line, number)

    def _answer_line(self, draft: _Draft, line: str, number: int) -> None:
        # Each type knows its own answer lines; no line is an answer line of two types.
        for kind in QUESTION_TYPES.values():
            match = kind.markdown_match(line)
            if match:
                self._add_item(draft, _element(kind.name, line, number, match), kind)
                return
        match = FEEDBACK_RE.match(line)
        if match:
            self._feedback(line, number, match, 0)
            return
        shown = line if len(line) <= 40 else line[:37] + "..."
        self.error(number, f"unknown line syntax: '{shown}' (indent it to continue the text above)")
        self.skipping = True

    def _add_item(self, draft: _Draft, element: _Element, kind: QuestionType) -> None:
        if draft.kind is not None and draft.kind != kind.name:
            self.error(
                element.line,
                f"a {kind.markdown_label} answer in a question that already has "
                f"{QUESTION_TYPES[draft.kind].markdown_label} answers",
            )
            self.skipping = True
            return
        draft.kind = kind.name
        if not kind.markdown_has_items:
            self.current = None
            return
        draft.items.append(element)
        self.current = element

    def _feedback(self, line: str, number: int, match: re.Match[str], offset: int) -> None:
        draft = self.draft
        assert draft is not None
        element = _element("feedback", line[offset:], number, match)
        element.width += offset
        symbol = match.group(1)
        last = draft.items[-1] if draft.items else None
        if symbol == "...":
            if last is not None and self.current is last:
                kind = last.answer_type
                if kind is not None and not kind.markdown_item_feedback:
                    self.error(number, kind.markdown_no_feedback)
                    self.skipping = True
                    return
                last.feedback = element
            elif last is None and draft.general is None:
                draft.general = element
            else:
                self.error(
                    number,
                    "'...' feedback goes right after the question text (general feedback) "
                    "or right after its answer, once",
                )
                self.skipping = True
                return
        else:
            slot = "correct" if symbol == "+" else "incorrect"
            if getattr(draft, slot) is not None:
                self.error(number, f"'{symbol}' feedback given twice")
                self.skipping = True
                return
            setattr(draft, slot, element)
        self.current = element

    def _group(self, line: str, number: int) -> None:
        self._finish()
        self._orphan_header()
        match = GROUP_RE.match(line)
        if not match:
            self.error(number, "unknown heading: a group starts with '## Group: <name> (pick: N)'")
            self.skipping = True
            return
        name, pick_text = match.group(1).strip(), match.group(2).strip()
        pick = int(pick_text) if pick_text.isascii() and pick_text.isdigit() else 0
        if not name:
            self.error(number, "the group has no name")
        elif any(group.name == name for group in self.groups):
            self.error(number, f"group '{name}' is given twice")
        if pick < 1:
            self.error(number, f"pick must be a whole number of at least 1, not '{pick_text}'")
            pick = 1
        self.groups.append(Group(name, pick, [], line=number))
        self.current = None

    def _orphan_header(self) -> None:
        for key, (_, line) in self.header.items():
            self.error(line, f"'{key.title()}:' must come right before a numbered question")
        self.header = {}

    def _finish(self) -> None:
        draft, self.draft, self.current = self.draft, None, None
        if draft is None:
            return
        question = _Builder(self, draft).build()
        if self.groups:
            self.groups[-1].question_indexes.append(len(self.questions))
        self.questions.append(question)


class _Builder:
    """Turns a draft into a Question, reporting each problem at its line."""

    def __init__(self, parser: _BodyParser, draft: _Draft) -> None:
        self.parser = parser
        self.draft = draft

    def error(self, line: int, message: str) -> None:
        self.parser.error(line, message)

    def build(self) -> Question:
        draft = self.draft
        question = Question(type=TEXT_ONLY, stem=draft.stem.text, line=draft.line)
        for attribute, element in (
            ("general_feedback", draft.general),
            ("correct_feedback", draft.correct),
            ("incorrect_feedback", draft.incorrect),
        ):
            if element is not None:
                setattr(question, attribute, element.text)
        question.type, clear = self._type()
        kind = QUESTION_TYPES[question.type]
        read_header(question, kind, self.draft.header, self.error, self.parser.known)
        lines = [
            AnswerLine(item.line, item.marker, item.text, _feedback(item)) for item in draft.items
        ]
        item_lines = kind.from_markdown(question, lines, self.error)
        # A question whose type is already wrong would only collect confusing follow-up errors.
        for issue in kind.check(question) if clear else []:
            line = draft.line
            if issue.item is not None and issue.item < len(item_lines):
                line = item_lines[issue.item]
            self.error(line, issue.message)
        return question

    def _type(self) -> tuple[str, bool]:
        """The question's type, and whether it was clear enough to check the question as one."""
        draft = self.draft
        declared, line = draft.header.get("type", ("", draft.line))
        declared = declared.lower()
        kind = draft.kind
        if not declared and kind is None:
            self.error(
                draft.line,
                "the question has no answers: add choices, answers or ___, or 'Type: description' "
                "before it for text only (Title:, Points: ... lines go before the number)",
            )
        elif not declared:
            return kind or TEXT_ONLY, True
        elif declared not in QUESTION_TYPES:
            self.error(line, f"unknown type '{declared}' (known: {', '.join(QUESTION_TYPES)})")
        else:
            message = self._mismatch(QUESTION_TYPES[declared], kind)
            if message is None:
                return declared, True
            self.error(line, message)
        return kind or TEXT_ONLY, False

    @staticmethod
    def _mismatch(declared: QuestionType, kind: str | None) -> str | None:
        """Why the answer lines do not fit the declared type, or None when they do."""
        if declared.markdown_needs_type:
            return declared.markdown_type_mismatch if kind != declared.markdown_written_as else None
        if kind is None:
            return f"Type: {declared.name}, but the question has no answers"
        if kind != declared.name:
            label = QUESTION_TYPES[kind].markdown_label
            return f"Type: {declared.name} does not fit the {label} answers"
        return None


def _feedback(item: _Element) -> str:
    return item.feedback.text if item.feedback is not None else ""


def parse_body(
    body: str, first_line: int, checker: Checker, known_competences: set[str] | None
) -> tuple[list[Question], list[Group]]:
    """Questions and groups of a quiz body; problems go to `checker` with their lines."""
    parser = _BodyParser(checker, known_competences)
    parser.feed(body, first_line)
    return parser.questions, parser.groups
