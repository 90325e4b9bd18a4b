"""A draft's lessons: adding, saving, moving, removing, and their translations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select

from app.authoring.documents import LessonFields, lesson_document, lesson_fields
from app.authoring.drafts import (
    SLUG_RE,
    DraftError,
    EditConflict,
    WorkingCopy,
    save_file,
    store,
    text_hash,
    version_of,
)
from app.courses.models import CourseRevision
from app.courses.sources import LESSON_NAME_RE
from app.extensions import db

TRANSLATED_FROM_RE = re.compile(r"^translated_from:\s*['\"]?([0-9a-f]+)['\"]?\s*$", re.MULTILINE)


@dataclass
class LessonEntry:
    slug: str
    position: int
    paths: dict[str, str] = field(default_factory=dict)


def lessons(copy: WorkingCopy) -> list[LessonEntry]:
    by_slug: dict[str, LessonEntry] = {}
    for path in copy.files:
        match = LESSON_NAME_RE.match(path)
        if match:
            entry = by_slug.setdefault(
                match["slug"], LessonEntry(match["slug"], int(match["number"]))
            )
            entry.paths[match["language"]] = path
    return sorted(by_slug.values(), key=lambda entry: (entry.position, entry.slug))


def lesson_entry(copy: WorkingCopy, slug: str) -> LessonEntry | None:
    return next((entry for entry in lessons(copy) if entry.slug == slug), None)


def lesson_path(position: int, slug: str, language: str) -> str:
    return f"{position:02d}-{slug}.{language}.md"


def save_lesson(
    copy: WorkingCopy,
    slug: str,
    language: str,
    fields: LessonFields,
    base_hash: str,
    user_id: int,
) -> bool:
    """Save a lesson in one language; a new translation records the source it translates."""
    entry = lesson_entry(copy, slug)
    if entry is None:
        raise DraftError(gettext("This lesson is no longer in the draft."))
    path = entry.paths.get(language) or lesson_path(entry.position, slug, language)
    current = copy.files.get(path)
    if current is not None and lesson_fields(current) == fields:
        # Unchanged: keep the file as its author formatted it.
        if text_hash(current) != base_hash:
            raise EditConflict(path, current)
        return False
    return save_file(copy, path, lesson_document(fields, current), base_hash, user_id)


def add_lesson(copy: WorkingCopy, slug: str, title: str, user_id: int) -> LessonEntry:
    """A new lesson at the end, in the source language; translations follow in the editor."""
    if not SLUG_RE.match(slug):
        raise DraftError(gettext("Use lowercase letters, digits and hyphens, e.g. my-course."))
    entries = lessons(copy)
    if any(entry.slug == slug for entry in entries):
        raise DraftError(gettext("The course has a lesson with this short name already."))
    position = max((entry.position for entry in entries), default=0) + 1
    path = lesson_path(position, slug, copy.source_language)
    text = lesson_document(LessonFields(title=title))
    store(copy, user_id, {**copy.files, path: text}, copy.assets)
    return LessonEntry(slug, position, {copy.source_language: path})


def _renumbered(files: dict[str, str], order: list[LessonEntry]) -> dict[str, str]:
    """The files with the lessons of `order` numbered 01, 02, ... and no other lesson."""
    files = dict(files)
    moved: dict[str, str] = {}
    for position, entry in enumerate(order, start=1):
        for language, path in entry.paths.items():
            moved[lesson_path(position, entry.slug, language)] = files.pop(path)
    return {**files, **moved}


def move_lesson(copy: WorkingCopy, slug: str, offset: int, user_id: int) -> None:
    order = lessons(copy)
    index = next((i for i, entry in enumerate(order) if entry.slug == slug), None)
    if index is None:
        raise DraftError(gettext("This lesson is no longer in the draft."))
    target = index + offset
    if not 0 <= target < len(order):
        return
    order.insert(target, order.pop(index))
    store(copy, user_id, _renumbered(copy.files, order), copy.assets)


def remove_lesson(copy: WorkingCopy, slug: str, user_id: int) -> None:
    """Take the lesson out; once published it is retired, and learners' progress stays."""
    order = lessons(copy)
    entry = next((entry for entry in order if entry.slug == slug), None)
    if entry is None:
        raise DraftError(gettext("This lesson is no longer in the draft."))
    order.remove(entry)
    files = {path: text for path, text in copy.files.items() if path not in entry.paths.values()}
    store(copy, user_id, _renumbered(files, order), copy.assets)


@dataclass
class Translation:
    """Where one language of a lesson stands against the source language."""

    language: str
    # "source", "current", "outdated" (needs update), "untracked" or "missing"
    state: str
    path: str | None = None

    @property
    def needs_update(self) -> bool:
        return self.state == "outdated"


def recorded_source(text: str) -> str | None:
    """The source version a translation records, read without parsing the whole file."""
    head = text.split("\n---", 2)[0] if text.startswith("---") else ""
    match = TRANSLATED_FROM_RE.search(head)
    return match.group(1) if match else None


def translations(copy: WorkingCopy, entry: LessonEntry) -> list[Translation]:
    source_language = copy.source_language
    source_path = entry.paths.get(source_language)
    source_version = version_of(copy.files[source_path]) if source_path else None
    states = []
    for language in copy.languages:
        path = entry.paths.get(language)
        if path is None:
            states.append(Translation(language, "missing"))
        elif language == source_language:
            states.append(Translation(language, "source", path))
        else:
            recorded = recorded_source(copy.files[path])
            if recorded is None:
                state = "untracked"
            elif recorded == source_version:
                state = "current"
            else:
                state = "outdated"
            states.append(Translation(language, state, path))
    return states


def source_revisions(copy: WorkingCopy, slug: str) -> dict[str, int]:
    """Each version of a lesson's source file -> the first revision that published it."""
    if copy.course is None:
        return {}
    found: dict[str, int] = {}
    revisions = db.session.scalars(
        select(CourseRevision)
        .where(CourseRevision.course_id == copy.course.id)
        .order_by(CourseRevision.number)
    )
    suffix = f"-{slug}.{copy.source_language}.md"
    for revision in revisions:
        for path, text in revision.files.items():
            if path.endswith(suffix) and LESSON_NAME_RE.match(path):
                found.setdefault(version_of(text), revision.number)
    return found
