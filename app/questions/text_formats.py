"""Moodle's text formats read as ours: Markdown, or HTML kept (sanitised) when a text needs it.

Moodle marks each text with a format: `[moodle]` (its default: HTML if there is any, line breaks
kept, nothing else special), `[html]`, `[plain]` and `[markdown]`. A question here is written in
one format, Markdown or HTML (`Question.format`): texts read as plain are escaped so that Markdown
shows them as typed, and a question with any HTML text keeps all its texts as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3

from app.core.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    URL_SCHEMES,
    LinkResolver,
    render_markdown,
    sanitise,
)
from app.questions.model import Question

FORMATS = ("moodle", "html", "plain", "markdown")
# What Moodle's auto-format counts as HTML: a tag, a comment or an entity.
LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
# Characters that are Markdown anywhere in a line (`{` for attribute lists, `|` for tables),
# and what Markdown makes of the start of a line: headings, quotes, lists, rules, admonitions.
# Python-Markdown undoes a backslash before each of these.
_ANYWHERE = re.compile(r"([\\`*_{}\[\]|])")
_LINE_START = re.compile(r"^([#>+\-!]|\d+(?=\.))")
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
# Tags a document wraps its text in: dropping them loses nothing.
_WRAPPERS = {"html", "head", "body", "meta", "title"}


class HtmlText(str):
    """A text read as HTML; while a question is read, it says that the question is HTML."""

    __slots__ = ()


def escape_markdown(text: str) -> str:
    """Plain text that Markdown shows exactly as typed, its line breaks included."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = _ANYWHERE.sub(r"\\\1", line.strip())
        line = line.replace("&", "&amp;").replace("<", "&lt;")
        # "1." starts a list: the dot is escaped, the number kept.
        line = _LINE_START.sub(lambda m: m[1] + "\\" if m[1][0].isdigit() else "\\" + m[1], line)
        # A fence (~~~) or a heading's underline (===) is made of characters Markdown does not
        # unescape: an entity for the first one keeps the line text.
        if line.startswith(("~", "=")):
            line = f"&#{ord(line[0])};{line[1:]}"
        lines.append(line)
    return "<br>\n".join(lines)


# Older tags Moodle's editors still write, as the allowed tags that show them the same way.
_RENAMED = {"b": "strong", "i": "em", "u": "ins", "tt": "code", "strike": "s", "h1": "h2"}
_RENAME_RE = re.compile(r"<(/?)(b|i|u|tt|strike|h1)(?=[\s/>])", re.IGNORECASE)


def removed_tags(html: str) -> set[str]:
    """The tags of `html` that sanitising takes out (their text stays)."""
    names = {name.lower() for name in _TAG_NAME.findall(html)}
    return names - ALLOWED_TAGS - _WRAPPERS - set(_RENAMED)


# An image (HTML or Markdown) whose file is `target`.
_IMAGE = r"<img\b[^>]*{target}[^>]*>|!\[[^\]]*\]\({target}[^)]*\)"
PLUGINFILE = "@@PLUGINFILE@@/"


def drop_images(text: str, target: str) -> str:
    """The text without the images that show `target` (a file that did not come along)."""
    return re.sub(_IMAGE.format(target=re.escape(target)), "", text)


def clean_html(html: str) -> str:
    """HTML as the allow-list keeps it: <b> as <strong> and the like, scripts and event
    handlers gone."""
    renamed = _RENAME_RE.sub(lambda m: f"<{m[1]}{_RENAMED[m[2].lower()]}", html)
    return sanitise(renamed).strip()


def read_text(text: str, form: str) -> str:
    """A text in one of Moodle's formats as Markdown, or as HtmlText when it is HTML."""
    if form == "markdown":
        return text
    if form == "html":
        return HtmlText(clean_html(text))
    if form == "moodle" and LOOKS_LIKE_HTML.search(text):
        return HtmlText(clean_html(text.replace("\n", "<br>\n")))
    return escape_markdown(text)


def render_inline(text: str, resolver: LinkResolver | None = None) -> str:
    """Markdown for a choice or a pair: one paragraph loses its <p> so it sits in a label."""
    html = render_markdown(text, resolver).strip()
    return unwrap_paragraph(html)


def unwrap_paragraph(html: str) -> str:
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def render_html(text: str, resolver: LinkResolver | None = None) -> str:
    """An HTML text sanitised as rendered Markdown is, its links and images pointed where
    `resolver` says (images beside the quiz file)."""

    def point(element: str, attribute: str, value: str) -> str | None:
        if resolver is not None and (element, attribute) in (("img", "src"), ("a", "href")):
            return resolver(element, value) or value
        return value

    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=point,
    ).strip()


def renderer(form: str, resolver: LinkResolver | None = None) -> Callable[[str, bool], str]:
    """How a question's texts become HTML: (text, inline) -> HTML."""

    def render(text: str, inline: bool) -> str:
        if not text:
            return ""
        if form == "html":
            html = render_html(text, resolver)
            return unwrap_paragraph(html) if inline else html
        return render_inline(text, resolver) if inline else render_markdown(text, resolver)

    return render


def markdown_to_html(text: str, inline: bool) -> str:
    """A Markdown text of a question that turns HTML: the HTML it renders to."""
    if not text:
        return ""
    return render_inline(text) if inline else render_markdown(text).strip()


def unify(question: Question) -> None:
    """After reading: a question with any HTML text is all HTML, else all Markdown."""
    found: list[bool] = []

    def probe(text: str, inline: bool) -> str:
        found.append(isinstance(text, HtmlText))
        return text

    question.map_texts(probe)
    if not any(found):
        question.format = "markdown"
        return

    def promote(text: str, inline: bool) -> str:
        return str(text) if isinstance(text, HtmlText) else markdown_to_html(text, inline)

    question.map_texts(promote)
    question.format = "html"


TextMap = Callable[[str, bool], str]
