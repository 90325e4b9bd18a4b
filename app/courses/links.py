"""The checks of a lesson's or page's body: headings in order, links that lead somewhere."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Literal

from app.core.markdown import outline
from app.core.sources import (
    Problem,
)
from app.core.validate import Checker
from app.courses.materials import PageFile, page_link_target
from app.courses.sources import CourseSource, LessonFile

SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def lesson_link_target(target: str) -> tuple[str, str] | None:
    """`02-slug.md#part` or `02-slug.sl.md` -> ('slug', '#part'); None if not a lesson link."""
    path, _, anchor = target.partition("#")
    name = PurePosixPath(path).name
    match = re.match(r"^\d{1,3}-([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.[a-z]{2})?\.md$", name)
    if match and "/" not in path:
        return match.group(1), (f"#{anchor}" if anchor else "")
    return None


def check_body(check: Checker, lesson_file: LessonFile | PageFile, course: CourseSource) -> None:
    """Headings that start at ## and never skip a level; links and images that lead somewhere.

    Read from the parse tree the renderer builds (app.core.markdown.outline), so what is
    checked is what learners get: a link in fenced code is code, an admonition's link counts.
    """
    lessons = {lesson.slug for lesson in course.lessons}
    assets = set(course.assets)
    pages = {page.slug for page in course.materials.pages}
    # The pages the platform makes from course.yml and materials/ can be linked to as well.
    made = {"outcomes": course.outcomes, "glossary": course.materials.glossary}
    made["sources"] = course.materials.sources
    pages |= {slug for slug, content in made.items() if content}
    tree = outline(lesson_file.body, lesson_file.body_first_line)
    previous_level = 1
    for heading in tree.headings:
        problem = _heading_problem(heading.level, previous_level)
        if problem:
            check.problems.append(Problem(lesson_file.path, heading.line, problem))
        previous_level = heading.level
    for link in tree.links:
        problem = _check_link(
            link.tag == "img", link.target, link.text.strip(), lessons, assets, pages
        )
        if problem:
            check.problems.append(Problem(lesson_file.path, link.line, problem))


def _heading_problem(level: int, previous_level: int) -> str | None:
    if level == 1:
        return (
            "a lesson has no level-1 heading (# ...): "
            "the title is the page's heading; start sections at ##"
        )
    if level > previous_level + 1:
        return f"heading level {level} follows level {previous_level}: do not skip heading levels"
    return None


# Link texts that do not say where the link goes (WCAG 2.4.4), in the course languages.
VAGUE_LINK_TEXTS = {
    "here", "click here", "link", "this link", "more", "read more", "this", "page",
    "tukaj", "klikni tukaj", "kliknite tukaj", "povezava", "ta povezava", "več", "preberi več",
    "ovdje", "klikni ovdje", "kliknite ovdje", "poveznica", "ova poveznica", "više",
    "pročitaj više", "saznaj više",
}  # fmt: skip


def _check_link(
    is_image: bool, target: str, text: str, lessons: set[str], assets: set[str], pages: set[str]
) -> str | None:
    """What is wrong with one link or image; None if it leads somewhere."""
    if is_image and not text:
        return f"image '{target}' has no alt text: describe it in ![...]"
    if not is_image and text.strip("*_ .:").casefold() in VAGUE_LINK_TEXTS:
        return f"link text '{text}' does not say where the link goes: name the destination"
    if not target:
        return "empty link target"
    if target.startswith("#"):
        return None
    if SCHEME_RE.match(target):
        if target.split(":", 1)[0].lower() in ("http", "https", "mailto"):
            return None
        return f"link '{target}' uses a scheme that is not allowed"
    if not is_image:
        internal = _internal_link_problem(target, lessons, pages)
        if internal is not False:
            return internal
    return _file_problem(is_image, target, assets)


def _internal_link_problem(
    target: str, lessons: set[str], pages: set[str]
) -> str | Literal[False] | None:
    """A link to a lesson or a page: what is wrong with it (None: fine); False if it is not
    one of those."""
    lesson = lesson_link_target(target)
    if lesson:
        return None if lesson[0] in lessons else f"broken internal link: no lesson '{lesson[0]}'"
    page = page_link_target(target)
    if page:
        return None if page in pages else f"broken internal link: no page 'materials/{page}'"
    return False


def _file_problem(is_image: bool, target: str, assets: set[str]) -> str | None:
    path = PurePosixPath(target.partition("#")[0])
    if path.is_absolute() or ".." in path.parts:
        return f"link '{target}' must stay inside the course folder"
    if str(path) not in assets:
        kind = "image" if is_image else "link"
        return f"broken {kind}: no file '{path}' in the course folder"
    return None
