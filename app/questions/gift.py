"""Moodle GIFT import and export, reading questions the way Moodle's own qformat_gift does."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from app.core.sources import Problem
from app.questions.model import Answer, NumericalAnswer, Pair, Question
from app.questions.types import QUESTION_TYPES, format_number, parse_number, percent_to_fraction

# Escaped characters become private-use placeholders while the block is taken apart, as Moodle
# does with its &&058; placeholders, so that "\=" never starts an answer. "\n" is a newline.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004",
            "}": "\ue005", "~": "\ue006", "n": "\ue007"}  # fmt: skip
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_TAG_RE = re.compile(r"<[a-zA-Z/!]|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
FORMATS = ("html", "moodle", "plain", "markdown")
# Moodle puts this where a missing-word question's answer block was; while the text is
# converted it is a placeholder, so that [plain] escaping leaves it alone.
BLANK = "_____"
_BLANK_MARK = "\ue010"
_BLANK_RE = re.compile(r"(?<!_)_____(?!_)")


def _protect(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _ESCAPES:
            out.append(_ESCAPES[text[index + 1]])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


class _HtmlToMarkdown(HTMLParser):
    """Enough HTML to Markdown for question texts exported from Moodle; other tags are dropped."""

    INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
    KEPT = {"span", "font", "html", "body", "head", "meta", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []
        self.lists: list[list] = []
        self.dropped: set[str] = set()
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in self.INLINE:
            self.parts.append(self.INLINE[tag])
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("p", "div", "blockquote", "table", "tr") or re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n")
        elif tag == "a":
            self.parts.append("[")
            self.links.append(attributes.get("href"))
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self.parts.append("\n")
        elif tag == "li":
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            bullet = f"{kind[1]}. " if kind[0] == "ol" else "- "
            self.parts.append("\n" + "    " * max(len(self.lists) - 1, 0) + bullet)
        elif tag == "img":
            self.parts.append(f"![{attributes.get('alt') or ''}]({attributes.get('src') or ''})")
        elif tag not in self.KEPT:
            self.dropped.add(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.INLINE:
            self.parts.append(self.INLINE[tag])
        elif tag in ("p", "div", "blockquote", "table", "tr", "ul", "ol") or re.fullmatch(
            r"h[1-6]", tag
        ):
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self.parts.append("\n\n")
        elif tag == "a":
            href = self.links.pop() if self.links else None
            self.parts.append(f"]({href})" if href else "]")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_markdown(text: str) -> tuple[str, set[str]]:
    """Markdown for an HTML fragment, and the tags it had to drop."""
    converter = _HtmlToMarkdown()
    try:
        converter.feed(text)
        converter.close()
        result = "".join(converter.parts)
    except Exception:
        result, converter.dropped = html.unescape(re.sub(r"<[^>]*>", " ", text)), {"?"}
    lines = [line.strip() for line in result.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), converter.dropped


def _escape_markdown(text: str) -> str:
    """Plain text that Markdown shows as typed."""
    text = re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
    return re.sub(r"(?m)^(\s*)([#+-])", r"\1\\\2", text)


class _Block:
    """One question block being read; collects warnings at the block's first line."""

    def __init__(self, path: str, line: int, problems: list[Problem]) -> None:
        self.path = path
        self.line = line
        self.problems = problems

    def warn(self, message: str) -> None:
        self.problems.append(Problem(self.path, self.line, message, is_warning=True))

    def text(self, raw: str, default: str = "moodle") -> tuple[str, str]:
        """Markdown for protected text with an optional [format] prefix, and that format."""
        raw = raw.strip()
        form = default
        if raw.startswith("["):
            name = raw[1 : raw.find("]")] if "]" in raw else ""
            if name in FORMATS:
                form, raw = name, raw[len(name) + 2 :]
        text = _restore(raw).strip()
        if form == "plain":
            return _escape_markdown(text), form
        if form == "html" or (form == "moodle" and _TAG_RE.search(text)):
            text, dropped = html_to_markdown(text)
            if dropped:
                self.warn(f"HTML tags removed: {', '.join(sorted(dropped))}")
        return text, form

    def comment(self, raw: str, form: str) -> tuple[str, str]:
        """An answer and its `#feedback`."""
        answer, _, feedback = raw.partition("#")
        return self.text(answer, form)[0], self.text(feedback, form)[0]

    def weight(self, raw: str, default: float) -> tuple[float, str]:
        match = _WEIGHT_RE.match(raw)
        if not match:
            return default, raw
        fraction = percent_to_fraction(float(match.group(1)))
        if not -1 <= fraction <= 1:
            self.warn(f"weight {match.group(1)}% is outside -100% to 100%: limited to it")
            fraction = max(-1.0, min(1.0, fraction))
        return fraction, raw[match.end() :]


def _parts(answer_text: str, separator: str) -> list[str]:
    parts = answer_text.split(separator)
    if parts and not parts[0].strip():
        parts.pop(0)
    return [part.strip() for part in parts]


def _question_type(block: _Block, answers: str) -> str:
    """Moodle's own order of tests on the text between the braces."""
    if answers == "":
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        # Moodle: no "=" anywhere means several answers may be chosen.
        return "single" if "=" in answers else "multiple"
    if "=" in answers and "->" in answers:
        return "matching"
    check = answers[: answers.find("#")].strip() if answers.find("#") > 0 else answers
    if check in ("T", "TRUE", "F", "FALSE"):
        return "truefalse"
    if check.lower() in ("t", "true", "f", "false"):
        block.warn(f"'{{{check}}}' is a short answer, as in Moodle: write {{TRUE}} or {{FALSE}}")
    return "shortanswer"


def _fill(block: _Block, question: Question, answers: str, form: str) -> bool:
    """Read the answers into the question; False when Moodle would refuse the question."""
    kind = question.type
    if kind in ("single", "multiple"):
        parts = _parts(answers.replace("=", "~="), "~")
        if len(parts) < 2:
            block.warn("a multiple-choice question needs at least two answers: skipped")
            return False
        for part in parts:
            fraction, rest = (1.0, part[1:]) if part.startswith("=") else block.weight(part, 0.0)
            text, feedback = block.comment(rest, form)
            question.answers.append(Answer(text, fraction, feedback))
    elif kind == "matching":
        parts = _parts(answers, "=")
        if len(parts) < 2 or any("->" not in part for part in parts):
            block.warn("a matching question needs at least two '=left -> right' pairs: skipped")
            return False
        for part in parts:
            left, _, right = part.partition("->")
            question.pairs.append(Pair(block.text(left, form)[0], _restore(right).strip()))
    elif kind == "truefalse":
        value, wrong, right = ([*answers.split("#", 2), "", ""])[:3]
        is_true = value.strip() in ("T", "TRUE")
        wrong, right = block.text(wrong, form)[0], block.text(right, form)[0]
        question.answers = [
            Answer("True", 1.0 if is_true else 0.0, right if is_true else wrong),
            Answer("False", 0.0 if is_true else 1.0, wrong if is_true else right),
        ]
    elif kind == "shortanswer":
        for part in _parts(answers, "="):
            fraction, rest = block.weight(part, 1.0)
            answer, _, feedback = rest.partition("#")
            text = _restore(answer).strip()
            question.answers.append(Answer(text, fraction, block.text(feedback, form)[0]))
    elif kind == "numerical":
        return _fill_numerical(block, question, answers[1:], form)
    return True


def _fill_numerical(block: _Block, question: Question, answers: str, form: str) -> bool:
    answers, tilde, wrong = answers.partition("~")
    if tilde:  # "~#feedback" is Moodle's feedback for any other number
        question.incorrect_feedback = block.comment(wrong, form)[1]
    parts = _parts(answers, "=")
    if not parts:
        block.warn("a numerical question needs at least one number: skipped")
        return False
    for part in parts:
        fraction, rest = block.weight(part, 1.0)
        raw, feedback = block.comment(rest, form)
        if raw == "*":  # Moodle's "any other answer"
            question.incorrect_feedback = question.incorrect_feedback or feedback
            continue
        if raw.find("..") > 0:
            low, high = (parse_number(bound) for bound in raw.split("..", 1))
            answer = NumericalAnswer(min=low, max=high, fraction=fraction, feedback=feedback)
            numbers: list[float | None] = [low, high]
        else:
            value, _, tolerance = raw.partition(":") if raw.find(":") > 0 else (raw, "", "0")
            numbers = [parse_number(value), parse_number(tolerance)]
            answer = NumericalAnswer(
                numbers[0], numbers[1] or 0.0, fraction=fraction, feedback=feedback
            )
        if None in numbers:
            block.warn(f"'{raw}' is not a number, a number:tolerance or a min..max range: skipped")
            return False
        question.numerical.append(answer)
    return True


def _read_block(block: _Block, text: str, category: str) -> Question | None:
    title = ""
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end == -1:
            block.warn("the title has no closing '::'")
        else:
            title, text = " ".join(_restore(text[:end]).split()), text[end + 2 :].strip()
    start, end = text.find("{"), text.find("}")
    question = Question(type="description", title=title, category=category, line=block.line)
    if start == -1 and end == -1:
        stem, answers = text, None
    elif start == -1 or end == -1 or end < start:
        block.warn(
            "the answers need both '{' and '}' in that order (escape a literal one: \\{): skipped"
        )
        return None
    else:
        # Moodle: a block that ends the text leaves no blank; one in the middle leaves _____.
        blank = "" if text.endswith("}") else _BLANK_MARK
        stem, answers = text[:start] + blank + text[end + 1 :], text[start + 1 : end].strip()
    question.stem, form = block.text(stem)
    question.stem = question.stem.replace(_BLANK_MARK, BLANK)
    if answers is not None:
        general = answers.rfind("####")
        if general != -1:
            question.general_feedback = block.text(answers[general + 4 :], form)[0]
            answers = answers[:general].strip()
        question.type = _question_type(block, answers)
        if not _fill(block, question, answers, form):
            return None
    for message in QUESTION_TYPES[question.type].validate(question):
        block.warn(message)
    return question


def parse_gift(text: str, path: str = "-") -> tuple[list[Question], list[Problem]]:
    """Questions from GIFT text; what cannot be read or represented is a warning at its line."""
    problems: list[Problem] = []
    questions: list[Question] = []
    category = ""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            blocks.append([])
        elif not stripped.startswith("//"):  # comment lines neither start nor end a block
            blocks[-1].append((number, stripped))
    for block_lines in filter(None, blocks):
        block = _Block(path, block_lines[0][0], problems)
        try:
            body = _protect("\n".join(text for _, text in block_lines))
            if body.startswith("$CATEGORY:"):
                head, _, body = body.partition("\n")
                category = _restore(head[len("$CATEGORY:") :]).strip()
                if not body.strip():
                    continue
                block.line = block_lines[1][0]
                block.warn("a question right after $CATEGORY: needs a blank line before it")
            question = _read_block(block, body.strip(), category)
        except Exception as error:  # one broken block must not stop the import of the others
            block.warn(f"could not read this question (internal error: {error!r})")
            continue
        if question is not None:
            questions.append(question)
    return questions, problems


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _percent(fraction: float) -> str:
    return format_number(round(fraction * 100, 7))


def _text(text: str) -> str:
    """Escaped text, with a [markdown] prefix when it starts with "[" so it never reads as one."""
    return ("[markdown]" if text.startswith("[") else "") + _escape(text)


def _answer(mark: str, text: str, feedback: str, short: bool = False) -> str:
    """One answer line. Moodle reads a %weight% after "~", and after "=" only in short answers;
    a choice may start with a [format], a short answer may not."""
    escaped = _escape(text) if short else _text(text)
    if escaped.startswith("%") and mark == "~":
        mark = "~%0%"
    elif escaped.startswith("%") and mark == "=" and short:
        mark = "=%100%"
    return f"\t{mark}{escaped}" + (f"#{_text(feedback)}" if feedback else "")


def _answer_block(question: Question) -> str | None:
    general = f"####{_text(question.general_feedback)}" if question.general_feedback else ""
    kind = question.type
    lines: list[str] = []
    if kind in ("single", "multiple"):
        for answer in question.answers:
            if kind == "single" and answer.fraction == 1:
                mark = "="
            else:
                mark = "~" if answer.fraction == 0 else f"~%{_percent(answer.fraction)}%"
            lines.append(_answer(mark, answer.text, answer.feedback))
    elif kind == "truefalse":
        is_true = bool(question.answers) and question.answers[0].fraction >= 1
        right = next((a.feedback for a in question.answers if a.fraction >= 1), "")
        wrong = next((a.feedback for a in question.answers if a.fraction < 1), "")
        feedback = (f"#{_text(wrong)}" if wrong or right else "") + (
            f"#{_text(right)}" if right else ""
        )
        return "{" + ("TRUE" if is_true else "FALSE") + feedback + general + "}"
    elif kind == "shortanswer":
        for answer in question.answers:
            mark = "=" if answer.fraction == 1 else f"=%{_percent(answer.fraction)}%"
            lines.append(_answer(mark, answer.text, answer.feedback, short=True))
    elif kind == "numerical":
        for number in question.numerical:
            if number.min is not None and number.max is not None:
                value = f"{format_number(number.min)}..{format_number(number.max)}"
            elif number.value is not None:
                value = format_number(number.value)
                if number.tolerance:
                    value += f":{format_number(number.tolerance)}"
            else:
                continue
            mark = "=" if number.fraction == 1 else f"=%{_percent(number.fraction)}%"
            lines.append(
                f"\t{mark}{value}" + (f"#{_text(number.feedback)}" if number.feedback else "")
            )
        if question.incorrect_feedback:
            lines.append(f"\t~#{_text(question.incorrect_feedback)}")
        return "{#\n" + "\n".join(lines) + "\n" + (f"\t{general}\n" if general else "") + "}"
    elif kind == "matching":
        lines = [f"\t={_text(pair.left)} -> {_escape(pair.right)}" for pair in question.pairs]
    elif kind == "essay":
        return "{" + general + "}"
    else:
        return None
    return "{\n" + "\n".join(lines) + "\n" + (f"\t{general}\n" if general else "") + "}"


def export_question(question: Question) -> str:
    """One question as a GIFT block; points, competences and +/- feedback have no GIFT form."""
    head = f"::{_escape(question.title)}::" if question.title else ""
    head += "[markdown]" if question.stem else ""
    block = _answer_block(question)
    if block is None:
        return head + _escape(question.stem)
    blanks = list(_BLANK_RE.finditer(question.stem))
    if len(blanks) == 1 and question.stem[blanks[0].end() :].strip():
        # A missing-word question: the answers go where the blank is, as the author wrote them.
        before, after = question.stem[: blanks[0].start()], question.stem[blanks[0].end() :]
        return head + _escape(before) + block + _escape(after)
    return head + _escape(question.stem) + block


def export_gift(questions: list[Question]) -> str:
    """GIFT text for the questions, with a $CATEGORY line wherever the category changes."""
    blocks: list[str] = []
    category = ""
    for question in questions:
        if question.category != category:
            category = question.category
            blocks.append(f"$CATEGORY: {' '.join(category.split())}")
        blocks.append(export_question(question))
    return "\n\n".join(blocks) + "\n" if blocks else ""
