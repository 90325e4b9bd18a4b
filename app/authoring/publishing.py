"""Checking a draft like `flask courses check`, previewing, and publishing it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask_babel import gettext

from app.auth.models import User
from app.authoring.drafts import DraftError, PublishError, StaleDraft, WorkingCopy, normalise
from app.authoring.issuers import issuer_refusal
from app.core.sources import Problem
from app.courses.models import Course, CourseTrainer
from app.courses.rendering import render_lesson_html
from app.courses.revisions import (
    inside_folder,
    latest_revision,
    staging_folder,
    write_files,
)
from app.courses.sources import COURSE_FILE
from app.courses.sync import ContentError, check_folder, sync_folder
from app.extensions import db


def _stage(root: Path, copy: WorkingCopy, files: dict[str, str]) -> Path:
    """The working copy as a course folder, checked and loaded like one of `courses/`."""
    folder = staging_folder(root, copy.slug)
    write_files(files, copy.assets, folder)
    return folder


def check(copy: WorkingCopy, files: dict[str, str] | None = None) -> list[Problem]:
    """Every problem `flask courses check` finds in the working copy (or in `files`)."""
    files = copy.files if files is None else files
    with tempfile.TemporaryDirectory() as tmp:
        folder = _stage(Path(tmp), copy, files)
        catalogue = check_folder(folder)
        problems = inside_folder(catalogue.problems, folder)
    slug = copy.meta.get("slug")
    if slug != copy.slug:
        problems.append(Problem(COURSE_FILE, 1, f"the slug must stay '{copy.slug}'"))
    return problems


def check_file(copy: WorkingCopy, path: str, text: str) -> list[Problem]:
    """The problems of one file as it would be with `text`, in the context of its course."""
    return [problem for problem in check(copy, {**copy.files, path: text}) if problem.path == path]


def publish(copy: WorkingCopy, user: User, overwrite: bool = False) -> Course:
    """Check the draft like `flask courses check` and load it like `flask courses sync`."""
    if copy.draft is None:
        raise DraftError(gettext("There are no changes to publish."))
    latest = latest_revision(copy.course.id) if copy.course else None
    if latest is not None and latest.number != copy.draft.base_revision and not overwrite:
        raise StaleDraft(latest)
    errors = [problem for problem in check(copy) if not problem.is_warning]
    if errors:
        raise PublishError(errors)
    current = copy.course.institution.slug if copy.course else None
    refusal = issuer_refusal(user, str(copy.meta.get("institution", "")), current, copy.slug)
    if refusal:
        raise DraftError(refusal)
    origin = copy.course.origin if copy.course else "editor"
    with tempfile.TemporaryDirectory() as tmp:
        folder = _stage(Path(tmp), copy, copy.files)
        try:
            report = sync_folder(folder, origin=origin, author_id=user.id, revision_source="editor")
        except ContentError as error:
            raise PublishError(inside_folder(error.problems, folder)) from error
    course = report.courses[0]
    if copy.course is None and not user.has_role("admin"):
        # Whoever creates a course looks after it.
        db.session.add(CourseTrainer(course_id=course.id, user_id=user.id))
    db.session.delete(copy.draft)
    db.session.flush()
    copy.course, copy.draft = course, None
    return course


def preview_lesson(copy: WorkingCopy, body: str, files_url: str) -> str:
    """The lesson body as learners will get it: the same Markdown pipeline and sanitising."""
    return render_lesson_html(copy.slug, normalise(body), files_url)
