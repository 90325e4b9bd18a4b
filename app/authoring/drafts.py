"""The editor's working copy of a course: drafts, checks, publishing, history, diffs, images."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.authoring.diffs import FileDiff, diff
from app.authoring.models import CourseDraft
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.sources import Problem
from app.courses.models import Course, CourseRevision
from app.courses.revisions import (
    latest_revision,
)
from app.courses.sources import COURSE_FILE, file_version
from app.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class DraftError(DomainError):
    """The change is refused; the message says why, in the reader's language."""


class EditConflict(DomainError):
    """Someone else saved the file since this editor loaded it; `current` is their version."""

    def __init__(self, path: str, current: str | None) -> None:
        super().__init__(f"{path} changed meanwhile")
        self.path = path
        self.current = current
        # What this trainer tried to save, to show the two versions' differences.
        self.mine: str | None = None

    def changes(self) -> list[FileDiff]:
        """From their version to mine, line by line."""
        if self.mine is None:
            return []
        theirs = {} if self.current is None else {self.path: self.current}
        return diff(theirs, {}, {self.path: self.mine}, {})


class PublishError(DomainError):
    """The draft does not pass the checks of `flask courses check`; nothing was published."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems in the draft")
        self.problems = problems


class StaleDraft(DomainError):
    """The course was published from elsewhere after this draft began."""

    def __init__(self, latest: CourseRevision) -> None:
        super().__init__(f"revision {latest.number} is newer than the draft")
        self.latest = latest


def text_hash(text: str | None) -> str:
    """What an editor form carries to notice, on save, that the file changed meanwhile."""
    return "" if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_of(text: str) -> str:
    """A file's version as translations record it in `translated_from`."""
    return file_version(text.encode("utf-8"))


def normalise(text: str) -> str:
    """Browsers send CRLF from a textarea; the course folder uses LF and ends with one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n")
    return text.rstrip() + "\n" if text.strip() else ""


# --- The working copy -------------------------------------------------------------------


@dataclass
class WorkingCopy:
    """What the editor shows: the draft if there is one, else the newest published revision."""

    slug: str
    course: Course | None
    draft: CourseDraft | None
    files: dict[str, str]
    assets: dict[str, str]
    base_revision: int | None

    @property
    def has_draft(self) -> bool:
        return self.draft is not None

    @property
    def meta(self) -> dict[str, Any]:
        try:
            data = yaml.safe_load(self.files.get(COURSE_FILE, "")) or {}
        except yaml.YAMLError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def languages(self) -> list[str]:
        languages = self.meta.get("languages")
        if isinstance(languages, list) and languages:
            return [str(language) for language in languages]
        return ["sl"]

    @property
    def source_language(self) -> str:
        """The language the course is written in first; the others translate it."""
        return self.languages[0]

    def title(self, language: str) -> str:
        titles = self.meta.get("title")
        if isinstance(titles, dict):
            return str(titles.get(language) or titles.get(self.source_language) or self.slug)
        return self.slug


def find_draft(slug: str) -> CourseDraft | None:
    return db.session.scalar(select(CourseDraft).where(CourseDraft.slug == slug))


def working_copy(slug: str) -> WorkingCopy | None:
    """The course's working copy, or None if there is neither a course nor a draft of it."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    draft = find_draft(slug)
    if draft is not None:
        return WorkingCopy(
            slug, course, draft, dict(draft.files), dict(draft.assets), draft.base_revision
        )
    if course is None:
        return None
    revision = latest_revision(course.id)
    if revision is None:
        return WorkingCopy(slug, course, None, {}, {}, None)
    return WorkingCopy(
        slug, course, None, dict(revision.files), dict(revision.assets), revision.number
    )


def _writable_draft(copy: WorkingCopy, user_id: int | None) -> CourseDraft:
    """The draft to change, made from the published revision on the first edit."""
    if copy.draft is None:
        draft = CourseDraft(
            slug=copy.slug,
            course_id=copy.course.id if copy.course else None,
            files=dict(copy.files),
            assets=dict(copy.assets),
            base_revision=copy.base_revision,
            created_by_id=user_id,
            updated_by_id=user_id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:
            # Another trainer started the draft a moment ago: work on theirs. Without one, what
            # failed was not the duplicate (no such user, say): that error is the answer.
            theirs = find_draft(copy.slug)
            if theirs is None:
                raise
            draft = theirs
            copy.files, copy.assets = dict(draft.files), dict(draft.assets)
        copy.draft = draft
    return copy.draft


def store(
    copy: WorkingCopy, user_id: int | None, files: dict[str, str], assets: dict[str, str]
) -> CourseDraft:
    """Write the files into the course's draft (made on the first edit); returns the draft.
    `user_id` is None for a change made on the command line."""
    draft = _writable_draft(copy, user_id)
    # New dicts, so that SQLAlchemy sees the JSON columns change.
    draft.files, draft.assets = dict(files), dict(assets)
    draft.updated_by_id = user_id
    draft.updated_at = utcnow()
    copy.files, copy.assets = dict(files), dict(assets)
    db.session.flush()
    return draft


def save_file(copy: WorkingCopy, path: str, text: str, base_hash: str, user_id: int) -> bool:
    """Save one file of the draft; False if it did not change.

    `base_hash` is the file as the editor loaded it: if someone saved it since, nothing is
    overwritten and EditConflict carries their version.
    """
    current = copy.files.get(path)
    if text_hash(current) != base_hash:
        raise EditConflict(path, current)
    if current == text:
        return False
    store(copy, user_id, {**copy.files, path: text}, copy.assets)
    return True


def discard(copy: WorkingCopy) -> None:
    if copy.draft is not None:
        db.session.delete(copy.draft)
        db.session.flush()
        copy.draft = None


# --- Creating a course and its metadata ---------------------------------------------------


# --- Lessons ------------------------------------------------------------------------------


# --- Translations -------------------------------------------------------------------------


# --- Images -------------------------------------------------------------------------------


# --- Checking and publishing --------------------------------------------------------------


# --- History ------------------------------------------------------------------------------
