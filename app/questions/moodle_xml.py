"""Moodle XML import, the format Moodle backs a question bank up in, read as Moodle's own
qformat_xml reads it (question/format/xml/format.php); docs/gift.md lists what differs.

The XML is parsed without a DTD, entities or the network, and a file with a DOCTYPE is refused.
Images come base64-encoded beside the text that shows them (`@@PLUGINFILE@@/name`); the caller
checks and stores each one (`FileHandler`) and says where the text should point instead.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from lxml import etree

from app.core.sources import Problem
from app.questions.model import Answer, Question
from app.questions.moodle_xml_export import default_name
from app.questions.registry import QUESTION_TYPES, QuestionType
from app.questions.text_formats import PLUGINFILE, drop_images, read_text, removed_tags, unify
from app.questions.values import parse_number, percent_to_fraction

MAX_XML_BYTES = 20 * 1024 * 1024
# Moodle's names of its text formats; wiki_like is long gone and read like its auto-format.
FORMAT_NAMES = {
    "moodle_auto_format": "moodle",
    "html": "html",
    "plain_text": "plain",
    "markdown": "markdown",
    "wiki_like": "moodle",
}
# A file of a text, given as (Moodle's file path, its name, its bytes, the line); the handler
# returns the path the text refers to it by from now on, or None when it refused the file.
FileHandler = Callable[[str, str, bytes, int], str | None]


@dataclass
class XmlReader:
    """Reads the parts of one <question> after another; collects warnings at its line."""

    path: str
    files: FileHandler | None
    problems: list[Problem] = field(default_factory=list)
    line: int = 1

    def warn(self, message: str) -> None:
        self.problems.append(Problem(self.path, self.line, message, is_warning=True))

    def formatted(self, element: Any, default: str) -> tuple[str, str]:
        """A text element (<text> inside, a format attribute, maybe <file>s) as Markdown or
        HtmlText, and its format."""
        if element is None:
            return "", default
        raw = (element.findtext("text") or "").strip()
        form = FORMAT_NAMES.get((element.get("format") or "").strip(), "")
        if not form:
            form = default if element.get("format") is None else "html"  # Moodle: "html"
        raw = self._files(element, raw)
        if form in ("html", "moodle") and removed_tags(raw):
            self.warn(f"HTML tags removed: {', '.join(sorted(removed_tags(raw)))}")
        return read_text(raw, form), form

    def _files(self, element: Any, text: str) -> str:
        """Each image of the text handed to the caller; the text then points where it says."""
        for file in element.findall("file"):
            name = (file.get("name") or "").strip()
            folder = (file.get("path") or "/").strip() or "/"
            try:
                data = base64.b64decode((file.text or "").strip(), validate=False)
            except (binascii.Error, ValueError):
                data = b""
            target = self.files(folder, name, data, self.line) if self.files and data else None
            references = {folder.lstrip("/") + name, quote(folder.lstrip("/") + name)}
            for reference in sorted(references, key=len, reverse=True):
                text = _point(text, PLUGINFILE + reference, target)
            if target is None:
                self.warn(f"the image {name or '?'} was left out")
        return text


def _point(text: str, reference: str, target: str | None) -> str:
    # A refused image: the <img> or ![...](...) that showed it goes.
    return text.replace(reference, target) if target is not None else drop_images(text, reference)


def xml_number(text: str | None, default: float = 0.0) -> float:
    value = parse_number((text or "").strip())
    return default if value is None else value


def xml_fraction(element: Any) -> float:
    """An <answer fraction="50">'s credit."""
    return percent_to_fraction(xml_number(element.get("fraction")))


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def xml_answers(reader: XmlReader, element: Any, form: str, formatted: bool) -> list[Answer]:
    """The <answer>s: formatted text (choices) or typed text, credit and feedback."""
    answers = []
    for item in element.findall("answer"):
        text = reader.formatted(item, form)[0] if formatted else one_line(item.findtext("text"))
        feedback = reader.formatted(item.find("feedback"), form)[0]
        answers.append(Answer(text, xml_fraction(item), feedback))
    return answers


def xml_combined(reader: XmlReader, element: Any, question: Question, form: str) -> None:
    """Moodle's feedback for a right and a wrong answer (a partly right one has no place)."""
    question.correct_feedback = reader.formatted(element.find("correctfeedback"), form)[0]
    question.incorrect_feedback = reader.formatted(element.find("incorrectfeedback"), form)[0]
    if reader.formatted(element.find("partiallycorrectfeedback"), form)[0]:
        reader.warn("the feedback for a partly correct answer is left out")


def _headers(reader: XmlReader, element: Any, qtype: str, category: str) -> tuple[Question, str]:
    """What every type has: name, text, general feedback, mark, idnumber and tags."""
    question = Question(type=qtype, category=category, line=reader.line)
    question.stem, form = reader.formatted(element.find("questiontext"), "moodle")
    question.general_feedback = reader.formatted(element.find("generalfeedback"), form)[0]
    question.title = one_line(element.findtext("name/text"))
    question.points = xml_number(element.findtext("defaultgrade"), 1.0)
    question.id = one_line(element.findtext("idnumber"))
    question.tags = [one_line(tag) for tag in element.xpath("tags/tag/text/text()") if tag.strip()]
    if element.find("hint") is not None:
        reader.warn("hints are left out: a quiz here gives one try per attempt")
    return question, form


def _claiming(kind: str, element: Any) -> QuestionType | None:
    return next(
        (
            qtype
            for qtype in QUESTION_TYPES.values()
            if kind in qtype.moodle_xml_names and qtype.moodle_claims(element)
        ),
        None,
    )


def _question(reader: XmlReader, element: Any, category: str) -> Question | None:
    kind = (element.get("type") or "").strip()
    qtype = _claiming(kind, element)
    if qtype is None:
        reader.warn(f"questions of Moodle's type '{kind}' cannot be imported: skipped")
        return None
    question, form = _headers(reader, element, qtype.name, category)
    qtype.from_moodle_xml(reader, element, question, form)
    if not qtype.has_score:
        question.points = 1.0  # Moodle's 0 for a description: no score here either
    unify(question)
    if question.title == default_name(question):
        question.title = ""  # the name Moodle makes up from the text: no title of its own
    for message in QUESTION_TYPES[question.type].validate(question):
        reader.warn(message)
    return question


def _parse(data: bytes, reader: XmlReader) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        reader.line = error.lineno or 1
        reader.warn(f"this is not well-formed XML: {error.msg}")
        return None
    if root.getroottree().docinfo.doctype:
        reader.warn("a Moodle XML file has no DOCTYPE: refused")
        return None
    if root.tag != "quiz":
        reader.warn(f"a Moodle XML file starts with <quiz>, not <{root.tag}>")
        return None
    return root


def parse_moodle_xml(
    data: bytes, path: str = "-", files: FileHandler | None = None
) -> tuple[list[Question], list[Problem]]:
    """Questions from Moodle XML; what cannot be read or represented is a warning at its line."""
    reader = XmlReader(path, files)
    if len(data) > MAX_XML_BYTES:
        reader.warn(f"the file is larger than {MAX_XML_BYTES // 2**20} MB")
        return [], reader.problems
    root = _parse(data, reader)
    questions: list[Question] = []
    category = ""
    for element in [] if root is None else root.findall("question"):
        reader.line = element.sourceline or 1
        if (element.get("type") or "") == "category":
            category = " ".join((element.findtext("category/text") or "").split())
            continue
        try:
            question = _question(reader, element, category)
        except Exception as error:  # one broken question must not stop the others
            reader.warn(f"could not read this question (internal error: {error!r})")
            continue
        if question is not None:
            questions.append(question)
    return questions, reader.problems


def xml_uncarried(question: Question) -> tuple[str, ...]:
    """What Moodle XML cannot say of the question (its type knows)."""
    return QUESTION_TYPES[question.type].moodle_xml_loses
