"""Moodle XML export: a question bank as Moodle's qformat_xml writes and reads it back.

Images a text shows (`images/chart.png` beside the quiz file) go into the XML base64-encoded,
as Moodle writes them, and the text points at `@@PLUGINFILE@@/chart.png`.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from lxml import etree

from app.core.markdown import render_markdown
from app.questions.model import Answer, Question
from app.questions.registry import QUESTION_TYPES
from app.questions.values import format_number, percent_text

# Reads a file of the course by its path in the course folder; None when there is none.
FileReader = Callable[[str], bytes | None]
MOODLE_FORMATS = {"markdown": "markdown", "html": "html"}
# A relative link or image target in Markdown or in HTML.
_TARGET_RE = re.compile(r"(?<=\]\()[^)\s]+|(?<=src=\")[^\"]+")
_TAG_RE = re.compile(r"<[^>]*>")
_BREAK_RE = re.compile(r"<(?:br|hr|img|/p|/li|/div|/h\d|/td|/th|/tr|/blockquote|/pre)\b[^>]*>")
# What XML 1.0 cannot hold at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NAME_LENGTH = 80
TOP_CATEGORY = "$course$/top"


def default_name(question: Question) -> str:
    """The name Moodle gives a question that has none: the start of its text."""
    rendered = question.stem if question.format == "html" else render_markdown(question.stem)
    # Where a block or a line ends there is a space; inline tags just go.
    rendered = _BREAK_RE.sub(" ", rendered)
    text = " ".join(xml_text(html.unescape(_TAG_RE.sub("", rendered))).split())
    if len(text) > NAME_LENGTH:
        text = text[: NAME_LENGTH - 3].rsplit(" ", 1)[0] + "..."
    return text or "Question"


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _files(text: str, read_file: FileReader | None) -> tuple[str, list[tuple[str, str, bytes]]]:
    """The text pointing at @@PLUGINFILE@@, and the (path, name, bytes) of its images."""
    found: dict[str, tuple[str, str, bytes]] = {}

    def replace(match: re.Match[str]) -> str:
        target = match.group(0)
        if read_file is None or re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|#|@@)", target, re.I):
            return target
        data = read_file(target)
        if data is None:
            return target
        folder, _, name = target.rpartition("/")
        path = "/" if folder in ("", "images") else f"/{folder}/"
        found[target] = (path, name, data)
        return "@@PLUGINFILE@@/" + quote(path.lstrip("/") + name)

    return _TARGET_RE.sub(replace, text), list(found.values())


class XmlWriter:
    """Writes the parts of <question>s; images go in as <file>s when `read_file` finds them."""

    def __init__(self, read_file: FileReader | None) -> None:
        self.read_file = read_file

    def text(self, parent: Any, tag: str, text: str, form: str | None) -> Any:
        """<tag format="..."><text>...</text><file>...</file></tag>."""
        element = etree.SubElement(parent, tag)
        if form is not None:
            element.set("format", MOODLE_FORMATS.get(form, "moodle_auto_format"))
        text, files = _files(text, self.read_file) if form is not None else (text, [])
        etree.SubElement(element, "text").text = xml_text(text)
        for path, name, data in files:
            file = etree.SubElement(element, "file", name=name, path=path, encoding="base64")
            file.text = base64.b64encode(data).decode("ascii")
        return element

    def value(self, parent: Any, tag: str, value: str) -> None:
        etree.SubElement(parent, tag).text = xml_text(value)

    def answer(self, parent: Any, answer: Answer, form: str, formatted: bool) -> Any:
        element = self.text(
            parent, "answer", answer.text, form if formatted else "moodle_auto_format"
        )
        element.set("fraction", percent_text(answer.fraction))
        self.text(element, "feedback", answer.feedback, form)
        return element

    def combined(self, parent: Any, question: Question) -> None:
        self.text(parent, "correctfeedback", question.correct_feedback, question.format)
        self.text(parent, "partiallycorrectfeedback", "", question.format)
        self.text(parent, "incorrectfeedback", question.incorrect_feedback, question.format)


def _question(writer: XmlWriter, root: Any, question: Question) -> None:
    kind = QUESTION_TYPES[question.type]
    element = etree.SubElement(root, "question", type=kind.moodle_xml_names[0])
    writer.text(element, "name", question.title or default_name(question), None)
    writer.text(element, "questiontext", question.stem, question.format)
    writer.text(element, "generalfeedback", question.general_feedback, question.format)
    points = question.points if kind.has_score else 0.0
    writer.value(element, "defaultgrade", format_number(points))
    writer.value(element, "penalty", "0.3333333")
    writer.value(element, "hidden", "0")
    writer.value(element, "idnumber", question.id)
    kind.to_moodle_xml(writer, element, question)
    if question.tags:
        tags = etree.SubElement(element, "tags")
        for tag in question.tags:
            writer.text(tags, "tag", tag, None)


def _category(root: Any, category: str) -> None:
    element = etree.SubElement(root, "question", type="category")
    etree.SubElement(etree.SubElement(element, "category"), "text").text = xml_text(category)
    info = etree.SubElement(element, "info", format="moodle_auto_format")
    etree.SubElement(info, "text").text = ""
    etree.SubElement(element, "idnumber").text = ""


def export_moodle_xml(questions: list[Question], read_file: FileReader | None = None) -> str:
    """Moodle XML for the questions, with a category wherever the category changes."""
    root = etree.Element("quiz")
    writer = XmlWriter(read_file)
    category = ""
    for question in questions:
        if question.category != category:
            category = question.category
            # Back to no category: the course's top one, where Moodle puts what has none.
            _category(root, category or TOP_CATEGORY)
        _question(writer, root, question)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data.decode("utf-8")
