"""The questions part of a Markdown quiz file: text2qti's grammar plus our additions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.validate import Checker
from app.questions.model import Answer, NumericalAnswer, Pair, Question
from app.questions.types import QUESTION_TYPES, parse_number, percent_to_fraction

HEADER_KEYS = ("title", "type", "points", "competence", "diacritics")
# The words a true/false question's two choices may use, in the platform's languages.
TRUE_WORDS = {"true", "drži", "točno"}
FALSE_WORDS = {"false", "ne drži", "netočno"}

QUESTION_RE = re.compile(r"^(\d+)\.(?:[ \t]+(.*))?$")
CHOICE_RE = re.compile(r"^(\*?)([A-Za-z])\)(?:[ \t]+(.*))?$")
BRACKET_RE = re.compile(r"^\[([^\]]*)\](?:[ \t]+(.*))?$")
SHORT_RE = re.compile(r"^\*(?:(\d+(?:[.,]\d+)?)%)?(?:[ \t]+(.*))?$")
EQUALS_RE = re.compile(r"^=(?:(\d+(?:[.,]\d+)?)%)?(?:[ \t]+(.*))?$")
ESSAY_RE = re.compile(r"^_{3,}$")
FEEDBACK_RE = re.compile(r"^(\.\.\.|\+|-)(?:[ \t]+(.*))?$")
HEADER_RE = re.compile(r"^([A-Za-z]+):(?:[ \t]+(.*))?$")
GROUP_RE = re.compile(r"^##[ \t]+Group:[ \t]*(.*?)[ \t]*\(pick:[ \t]*([^)]*)\)$", re.IGNORECASE)
WEIGHT_RE = re.compile(r"[ \t]*(\*?)[ \t]*(?:([+-]?\d+(?:[.,]\d+)?)[ \t]*%)?[ \t]*")
COMPETENCE_RE = re.compile(r"(\S+)[ \t]*@[ \t]*(\S+)")
PLUS_MINUS_RE = re.compile(r"(.*?)[ \t]*(?:\+-|±)[ \t]*(.*)")

# Which answer lines make which question type, and how a message names them.
KIND_TYPES = {"choice": "single", "multi": "multiple", "short": "shortanswer",
              "number": "numerical", "pair": "matching", "essay": "essay"}  # fmt: skip
KIND_NAMES = {"single": "single-choice (a))", "multiple": "multiple-answer ([ ])",
              "shortanswer": "short-answer (*)", "numerical": "numerical (=)",
              "matching": "matching (= left -> right)", "essay": "essay (___)"}  # fmt: skip
ONE_LINE_KINDS = {"short": "a short answer", "number": "a number", "pair": "a matching pair"}


@dataclass
class Group:
    """Questions of which `pick` are drawn at random for each attempt."""

    name: str
    pick: int
    question_indexes: list[int] = field(default_factory=list)
    line: int = field(default=0, compare=False)


@dataclass
class _Element:
    """One marked line and its indented continuation lines."""

    kind: str
    line: int
    width: int  # where the text starts on the first line: continuation lines lose that indent
    lines: list[str]
    marker: str = ""
    feedback: _Element | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


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


def _element(kind: str, line: str, number: int, match: re.Match[str], group: int) -> _Element:
    text = match.group(group)
    width = match.start(group) if text is not None else len(line) + 1
    return _Element(kind, number, width, [text or ""])


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
        if element.kind in ONE_LINE_KINDS:
            self.error(number, f"{ONE_LINE_KINDS[element.kind]} must fit on one line")
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
            stem = _element("stem", line, number, match, 2)
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
        for kind, regex, group in (
            ("choice", CHOICE_RE, 3),
            ("multi", BRACKET_RE, 2),
            ("short", SHORT_RE, 2),
            ("number", EQUALS_RE, 2),
        ):
            match = regex.match(line)
            if match:
                element = _element(kind, line, number, match, group)
                element.marker = match.group(1) or ""
                if kind == "number" and "->" in element.text:
                    element.kind = "pair"
                self._add_item(draft, element)
                return
        if ESSAY_RE.match(line):
            self._add_item(draft, _Element("essay", number, 0, [""]))
            return
        match = FEEDBACK_RE.match(line)
        if match:
            self._feedback(line, number, match, 0)
            return
        shown = line if len(line) <= 40 else line[:37] + "..."
        self.error(number, f"unknown line syntax: '{shown}' (indent it to continue the text above)")
        self.skipping = True

    def _add_item(self, draft: _Draft, element: _Element) -> None:
        kind = KIND_TYPES[element.kind]
        if draft.kind is not None and draft.kind != kind:
            self.error(
                element.line,
                f"a {KIND_NAMES[kind]} answer in a question that already has "
                f"{KIND_NAMES[draft.kind]} answers",
            )
            self.skipping = True
            return
        draft.kind = kind
        if element.kind == "essay":
            self.current = None
            return
        draft.items.append(element)
        self.current = element

    def _feedback(self, line: str, number: int, match: re.Match[str], offset: int) -> None:
        draft = self.draft
        assert draft is not None
        element = _element("feedback", line[offset:], number, match, 2)
        element.width += offset
        symbol = match.group(1)
        last = draft.items[-1] if draft.items else None
        if symbol == "...":
            if last is not None and self.current is last:
                if last.kind == "pair":
                    self.error(number, "matching pairs have no feedback")
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
        self.item_lines = [item.line for item in draft.items]

    def error(self, line: int, message: str) -> None:
        self.parser.error(line, message)

    def build(self) -> Question:
        draft = self.draft
        question = Question(type="description", stem=draft.stem.text, line=draft.line)
        for attribute, element in (
            ("general_feedback", draft.general),
            ("correct_feedback", draft.correct),
            ("incorrect_feedback", draft.incorrect),
        ):
            if element is not None:
                setattr(question, attribute, element.text)
        question.type, clear = self._type()
        self._header(question)
        getattr(self, f"_fill_{question.type}", lambda q: None)(question)
        # A question whose type is already wrong would only collect confusing follow-up errors.
        issues = QUESTION_TYPES[question.type].check(question) if clear else []
        for issue in issues:
            line = draft.line
            if issue.item is not None and issue.item < len(self.item_lines):
                line = self.item_lines[issue.item]
            self.error(line, issue.message)
        return question

    def _type(self) -> tuple[str, bool]:
        """The question's type, and whether it was clear enough to check the question as one."""
        draft = self.draft
        declared, line = draft.header.get("type", ("", draft.line))
        declared = declared.lower()
        kind = draft.kind
        if declared and declared not in QUESTION_TYPES:
            self.error(line, f"unknown type '{declared}' (known: {', '.join(QUESTION_TYPES)})")
        elif declared == "truefalse" and kind != "single":
            self.error(line, "Type: truefalse needs two choices: *a) True and b) False")
        elif declared == "description" and kind is not None:
            self.error(line, "Type: description is text only, without answers")
        elif declared not in ("", "truefalse", "description") and kind is None:
            self.error(line, f"Type: {declared}, but the question has no answers")
        elif declared not in ("", "truefalse", "description") and declared != kind:
            self.error(line, f"Type: {declared} does not fit the {KIND_NAMES[kind or '']} answers")
        elif not declared and kind is None:
            self.error(
                draft.line,
                "the question has no answers: add choices, answers or ___, or 'Type: description' "
                "before it for text only (Title:, Points: ... lines go before the number)",
            )
        else:
            return ("truefalse" if declared == "truefalse" else kind or "description"), True
        return kind or "description", False

    def _header(self, question: Question) -> None:
        header = self.draft.header
        if "title" in header:
            value, line = header["title"]
            question.title = value
            if not value:
                self.error(line, "Title: is empty")
        if "points" in header:
            value, line = header["points"]
            points = parse_number(value)
            if question.type == "description":
                self.error(line, "a description has no score: remove Points:")
            elif points is None or points <= 0:
                self.error(line, f"Points: must be a number above 0, not '{value}'")
            else:
                question.points = points
        if "competence" in header:
            self._competence(question, *header["competence"])
        if "diacritics" in header:
            value, line = header["diacritics"]
            if value.lower() != "ignore":
                self.error(line, f"Diacritics: can only be 'ignore', not '{value}'")
            elif question.type != "shortanswer":
                self.error(line, "Diacritics: ignore applies to short-answer questions only")
            else:
                question.ignore_diacritics = True

    def _competence(self, question: Question, value: str, line: int) -> None:
        match = COMPETENCE_RE.fullmatch(value)
        if not match:
            self.error(line, f"Competence: must be '<id> @ <level 0-4>', not '{value}'")
            return
        code, level_text = match.groups()
        if question.type == "description":
            self.error(line, "a description has no score, so it cannot show a competence")
            return
        if level_text not in ("0", "1", "2", "3", "4"):
            self.error(line, f"competence level '{level_text}' must be a whole number from 0 to 4")
            return
        if self.parser.known is not None and code not in self.parser.known:
            self.error(line, f"unknown competence '{code}'")
            return
        question.competence, question.competence_level = code, int(level_text)

    def _fill_single(self, question: Question) -> None:
        question.answers = [
            Answer(item.text, 1.0 if item.marker == "*" else 0.0, _feedback(item))
            for item in self.draft.items
        ]

    def _fill_truefalse(self, question: Question) -> None:
        items = self.draft.items
        found: dict[bool, _Element] = {}
        for item in items:
            word = " ".join(item.text.split()).casefold()
            if word in TRUE_WORDS | FALSE_WORDS:
                found.setdefault(word in TRUE_WORDS, item)
        if len(items) != 2 or len(found) != 2:
            words = "True/False, Drži/Ne drži or Točno/Netočno"
            self.error(self.draft.line, f"a true/false question has two choices: {words}")
            self.item_lines = []
            return
        question.answers = [
            Answer(label, 1.0 if found[value].marker == "*" else 0.0, _feedback(found[value]))
            for label, value in (("True", True), ("False", False))
        ]
        self.item_lines = [found[True].line, found[False].line]

    def _fill_multiple(self, question: Question) -> None:
        specs: list[tuple[bool, float | None]] = []
        for item in self.draft.items:
            match = WEIGHT_RE.fullmatch(item.marker)
            if not match:
                self.error(
                    item.line, f"unknown choice '[{item.marker}]': write [ ], [*], [*50%] or [-25%]"
                )
                specs.append((False, 0.0))
                continue
            correct = bool(match.group(1))
            weight = _percent(match.group(2))
            if correct and weight is not None and weight <= 0:
                self.error(item.line, "a correct choice [*...] needs a weight above 0%")
            elif not correct and weight is not None and weight > 0:
                self.error(
                    item.line,
                    f"a weight above 0% marks a correct choice: write [*{match.group(2)}%]",
                )
            specs.append((correct, weight))
        question.answers = [
            Answer(item.text, fraction, _feedback(item))
            for item, fraction in zip(self.draft.items, multiple_fractions(specs), strict=True)
        ]

    def _fill_shortanswer(self, question: Question) -> None:
        question.answers = [
            Answer(item.text, _weight(item), _feedback(item)) for item in self.draft.items
        ]

    def _fill_numerical(self, question: Question) -> None:
        for item in self.draft.items:
            answer = _numerical_answer(item.text)
            if isinstance(answer, str):
                self.error(item.line, answer)
                answer = NumericalAnswer()
            answer.fraction, answer.feedback = _weight(item), _feedback(item)
            question.numerical.append(answer)

    def _fill_matching(self, question: Question) -> None:
        for item in self.draft.items:
            if item.marker:
                self.error(item.line, "matching pairs have no weights")
            left, _, right = item.text.partition("->")
            question.pairs.append(Pair(left.strip(), right.strip()))


def _feedback(item: _Element) -> str:
    return item.feedback.text if item.feedback is not None else ""


def _percent(text: str | None) -> float | None:
    return None if text is None else percent_to_fraction(float(text.replace(",", ".")))


def _weight(item: _Element) -> float:
    weight = _percent(item.marker or None)
    return 1.0 if weight is None else weight


def multiple_fractions(specs: list[tuple[bool, float | None]]) -> list[float]:
    """[*] share what [*N%] leave of 100%; each [ ] takes back one correct share."""
    correct = [weight for is_correct, weight in specs if is_correct]
    explicit = sum(weight for weight in correct if weight is not None)
    unweighted = sum(1 for weight in correct if weight is None)
    # Rounded like written weights, so that 1/3 survives a trip through GIFT's percentages.
    share = round((1 - explicit) / unweighted, 9) if unweighted else 0.0
    wrong = round(-1 / len(correct), 9) if correct else 0.0
    return [
        weight if weight is not None else share if is_correct else wrong
        for is_correct, weight in specs
    ]


def _numerical_answer(text: str) -> NumericalAnswer | str:
    """`42`, `3.5 +- 0.1`, `100 +- 5%` or `[1, 5]`; a message when it is none of them."""
    text = text.replace("_", "")  # text2qti allows 1_000
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1]
        parts = re.split(r";|,[ \t]+", inner) if re.search(r";|,[ \t]", inner) else inner.split(",")
        bounds = [parse_number(part) for part in parts]
        if len(parts) != 2 or None in bounds:
            return f"a range is written [min, max], not '{text}'"
        return NumericalAnswer(min=bounds[0], max=bounds[1])
    match = PLUS_MINUS_RE.fullmatch(text)
    value_text, tolerance_text = match.groups() if match else (text, "0")
    value = parse_number(value_text)
    if value is None:
        return f"'{value_text}' is not a number"
    percent = tolerance_text.endswith("%")
    tolerance = parse_number(tolerance_text.removesuffix("%"))
    if tolerance is None or tolerance < 0:
        return f"the tolerance '{tolerance_text}' is not a number of 0 or more"
    if percent:
        tolerance = abs(value) * tolerance / 100
    return NumericalAnswer(value=value, tolerance=tolerance)


def parse_body(
    body: str, first_line: int, checker: Checker, known_competences: set[str] | None
) -> tuple[list[Question], list[Group]]:
    """Questions and groups of a quiz body; problems go to `checker` with their lines."""
    parser = _BodyParser(checker, known_competences)
    parser.feed(body, first_line)
    return parser.questions, parser.groups
