"""GIFT's syntax, shared by the reader, the writer and each question type's GIFT methods."""

from __future__ import annotations

import re

from app.core.sources import Problem
from app.questions.text_formats import FORMATS, PLUGINFILE, drop_images, read_text, removed_tags
from app.questions.values import percent_to_fraction

# Escaped characters become private-use placeholders while the block is taken apart, as Moodle
# does with its &&058; placeholders, so that "\=" never starts an answer. "\n" is a newline.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004",
            "}": "\ue005", "~": "\ue006", "n": "\ue007"}  # fmt: skip
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d*)?)%")


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


class GiftBlock:
    """One question block being read; collects warnings at the block's first line."""

    def __init__(self, path: str, line: int, problems: list[Problem]) -> None:
        self.path = path
        self.line = line
        self.problems = problems

    def warn(self, message: str) -> None:
        self.problems.append(Problem(self.path, self.line, message, is_warning=True))

    def text(self, raw: str, default: str = "moodle") -> tuple[str, str]:
        """A protected text with an optional [format] prefix: the text as Markdown (HtmlText
        when it is HTML, see app.questions.text_formats), and the format it was in."""
        form, text = split_format(restore(raw.strip()), default)
        if form in ("html", "moodle"):
            dropped = removed_tags(text)
            if dropped:
                self.warn(f"HTML tags removed: {', '.join(sorted(dropped))}")
        if PLUGINFILE in text:
            self.warn("Moodle's images are not in a GIFT file (they are in Moodle XML): left out")
            text = drop_images(text, PLUGINFILE)
        return read_text(text, form), form

    def plain(self, raw: str) -> str:
        """Typed text (a short answer): Moodle drops a [format] prefix and keeps the rest."""
        return split_format(restore(raw.strip()), "plain")[1]

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


def split_format(text: str, default: str) -> tuple[str, str]:
    """A leading [moodle], [html], [plain] or [markdown] and the text after it, as Moodle reads
    it: any other text in brackets is text."""
    if text.startswith("[") and "]" in text:
        name = text[1 : text.index("]")]
        if name in FORMATS:
            return name, text[len(name) + 2 :].strip()
    return default, text.strip()


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


def escape_text(text: str, form: str = "markdown") -> str:
    """Escaped text in the question's format; a text that starts with "[" gets the format
    written out, so that it never reads as one."""
    return (f"[{form}]" if text.startswith("[") else "") + escape(text)


def escape_plain(text: str) -> str:
    """A short answer escaped; one that starts like a [format] gets Moodle's own [moodle] in
    front, which Moodle drops again."""
    escaped = escape(text)
    if split_format(text, "")[0]:
        return "[moodle]" + escaped
    return escaped


def answer_line(mark: str, text: str, feedback: str, form: str, short: bool = False) -> str:
    """One answer line. Moodle reads a %weight% after "~", and after "=" only in short answers;
    a choice may start with a [format], a short answer only with one Moodle drops."""
    escaped = escape_plain(text) if short else escape_text(text, form)
    if escaped.startswith("%") and mark == "~":
        mark = "~%0%"
    elif escaped.startswith("%") and mark == "=" and short:
        mark = "=%100%"
    return f"\t{mark}{escaped}" + (f"#{escape_text(feedback, form)}" if feedback else "")


def answer_block(lines: list[str], general: str, opening: str = "{") -> str:
    """Answer lines between braces, one a line, the ####general feedback last."""
    return opening + "\n" + "\n".join(lines) + "\n" + (f"\t{general}\n" if general else "") + "}"
