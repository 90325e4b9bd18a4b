"""GIFT's syntax, shared by the reader, the writer and each question type's GIFT methods."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from app.core.sources import Problem
from app.questions.values import percent_to_fraction

# Escaped characters become private-use placeholders while the block is taken apart, as Moodle
# does with its &&058; placeholders, so that "\=" never starts an answer. "\n" is a newline.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004",
            "}": "\ue005", "~": "\ue006", "n": "\ue007"}  # fmt: skip
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_TAG_RE = re.compile(r"<[a-zA-Z/!]|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
FORMATS = ("html", "moodle", "plain", "markdown")


def protect(text: str) -> str:
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


def restore(text: str) -> str:
    return text.translate(_RESTORE)


class _HtmlToMarkdown(HTMLParser):
    """Enough HTML to Markdown for question texts exported from Moodle; other tags are dropped."""

    INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
    KEPT = {"span", "font", "html", "body", "head", "meta", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []
        self.lists: list[list[Any]] = []  # ["ul" or "ol", items so far]
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
            kind: list[Any] = self.lists[-1] if self.lists else ["ul", 0]
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


class GiftBlock:
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
        text = restore(raw).strip()
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


def split_answers(answer_text: str, separator: str) -> list[str]:
    """The answers between separators, without the empty text before the first one."""
    parts = answer_text.split(separator)
    if parts and not parts[0].strip():
        parts.pop(0)
    return [part.strip() for part in parts]


def leading_word(answers: str) -> str:
    """The answer text before any #feedback: where Moodle looks for TRUE or FALSE."""
    return answers[: answers.find("#")].strip() if answers.find("#") > 0 else answers


def escape(text: str) -> str:
    """Text as GIFT reads it back: its special characters escaped, newlines as \\n."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def escape_text(text: str) -> str:
    """Escaped text, with a [markdown] prefix when it starts with "[" so it never reads as one."""
    return ("[markdown]" if text.startswith("[") else "") + escape(text)


def answer_line(mark: str, text: str, feedback: str, short: bool = False) -> str:
    """One answer line. Moodle reads a %weight% after "~", and after "=" only in short answers;
    a choice may start with a [format], a short answer may not."""
    escaped = escape(text) if short else escape_text(text)
    if escaped.startswith("%") and mark == "~":
        mark = "~%0%"
    elif escaped.startswith("%") and mark == "=" and short:
        mark = "=%100%"
    return f"\t{mark}{escaped}" + (f"#{escape_text(feedback)}" if feedback else "")


def answer_block(lines: list[str], general: str, opening: str = "{") -> str:
    """Answer lines between braces, one a line, the ####general feedback last."""
    return opening + "\n" + "\n".join(lines) + "\n" + (f"\t{general}\n" if general else "") + "}"
