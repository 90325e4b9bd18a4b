"""What a learner sees of a stored text: the tests compare that, not the Markdown."""

from __future__ import annotations

import html
import re

from app.core.markdown import render_markdown
from app.questions.text_formats import render_html


def shown(text: str, form: str = "markdown") -> str:
    """The text as a learner reads it: rendered, line breaks as newlines, no tags."""
    rendered = render_html(text) if form == "html" else render_markdown(text)
    rendered = re.sub(r"<br\s*/?>\n?", "\n", rendered)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


def emphasis(text: str) -> bool:
    """Whether Markdown made any of the text bold, italic, code or a link."""
    return bool(
        re.search(r"<(em|strong|code|a|h\d|li|blockquote|pre|table)\b", render_markdown(text))
    )
