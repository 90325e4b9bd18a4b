"""Moodle's text formats as ours: plain text shown as typed, HTML kept and sanitised."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.questions.model import Answer, Question
from app.questions.text_formats import (
    HtmlText,
    clean_html,
    escape_markdown,
    read_text,
    removed_tags,
    render_html,
    unify,
)
from tests.questions.helpers import emphasis, shown

# Everything Markdown might make something of, and ordinary text around it.
MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!>|~=<&:;\"' 1aZčž\n"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=MARKDOWN_SPECIAL, max_size=40))
def test_plain_text_is_shown_exactly_as_typed(text: str) -> None:
    escaped = escape_markdown(text)
    expected = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
    assert [" ".join(line.split()) for line in shown(escaped).split("\n")] == expected.split("\n")
    assert not emphasis(escaped), escaped


def test_escaped_text_stays_readable() -> None:
    assert escape_markdown("Who is buried in Grant's tomb? (no one)") == (
        "Who is buried in Grant's tomb? (no one)"
    )
    assert escape_markdown("2*3*4 = 24") == "2\\*3\\*4 = 24"
    assert escape_markdown("1. first\n- second") == "1\\. first<br>\n\\- second"
    assert escape_markdown("a < b & c") == "a &lt; b &amp; c"


def test_each_format_as_moodle_shows_it() -> None:
    assert read_text("**bold**", "markdown") == "**bold**"
    plain = read_text("**not bold** <b>nor this</b>", "plain")
    assert shown(plain) == "**not bold** <b>nor this</b>"
    assert not emphasis(plain)
    # Moodle's own format: no tags, so plain text with its line breaks.
    moodle = read_text("*stars* stay\nsecond line", "moodle")
    assert not isinstance(moodle, HtmlText)
    assert shown(moodle) == "*stars* stay\nsecond line"
    # With tags it is HTML, its line breaks kept as <br>.
    html = read_text("<b>bold</b>\nnext", "moodle")
    assert isinstance(html, HtmlText)
    assert html == "<strong>bold</strong><br>\nnext"
    kept = read_text(
        '<p onclick="x()">A <u>b</u><font>c</font><script>alert(1)</script></p>', "html"
    )
    assert isinstance(kept, HtmlText)
    assert kept == "<p>A <ins>b</ins>c</p>"


def test_sanitising_reports_the_tags_it_removes_and_is_stable() -> None:
    text = '<p>x</p><u>y</u><font color="red">z</font><SCRIPT>s</SCRIPT><html><body>'
    assert removed_tags(text) == {"font", "script"}
    once = clean_html("<p>a &amp; <b>b</b><br>c &nbsp;</p><ul><li>1</li></ul>")
    assert clean_html(once) == once


def test_a_question_with_one_html_text_is_all_html() -> None:
    question = Question(
        "single",
        stem=HtmlText("<p>Which <strong>one</strong>?</p>"),
        answers=[Answer(read_text("a < b", "plain"), 1.0, "**right**"), Answer("two", 0.0)],
    )
    unify(question)
    assert question.format == "html"
    assert question.stem == "<p>Which <strong>one</strong>?</p>"
    assert question.answers[0].text == "a &lt; b"
    assert question.answers[0].feedback == "<p><strong>right</strong></p>"
    markdown = Question("essay", stem="Plain *text*")
    unify(markdown)
    assert markdown.format == "markdown"
    assert markdown.stem == "Plain *text*"


def test_html_is_rendered_safe_with_the_course_s_images() -> None:
    def resolve(tag: str, url: str) -> str | None:
        return None if ":" in url.split("/")[0] else f"/courses/alpha/files/{url}"

    html = render_html(
        '<a href="javascript:alert(1)">x</a><img src="images/a.png" onerror="steal()">'
        '<a href="https://example.org">y</a><img src="data:image/png;base64,AAA">',
        resolve,
    )
    assert "javascript" not in html
    assert "onerror" not in html
    assert "data:" not in html
    assert '<img src="/courses/alpha/files/images/a.png">' in html
    assert 'href="https://example.org"' in html
