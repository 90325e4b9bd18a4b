"""A lesson's Markdown as the learner's HTML, with links to lessons, pages and files."""

from __future__ import annotations

from flask import current_app

from app.core.markdown import render_markdown
from app.courses.links import lesson_link_target
from app.courses.materials import page_link_target


def course_url(course_slug: str) -> str:
    root = current_app.config.get("APPLICATION_ROOT", "/").rstrip("/")
    return f"{root}/courses/{course_slug}"


def render_lesson_html(course_slug: str, body: str, files_url: str | None = None) -> str:
    """The learner's HTML for a lesson body: links to lessons and files point at their URLs.

    The editor's preview passes `files_url` so that images come from the unpublished draft.
    """
    base = course_url(course_slug)
    files_base = files_url or f"{base}/files"

    def resolve(tag: str, url: str) -> str | None:
        if url.startswith("#") or ":" in url.split("/")[0]:
            return None
        if tag == "a":
            target = lesson_link_target(url)
            if target:
                return f"{base}/lessons/{target[0]}{target[1]}"
            page = page_link_target(url)
            if page:
                return f"{base}/pages/{page}"
        return f"{files_base}/{url}"

    return render_markdown(body, resolve)
