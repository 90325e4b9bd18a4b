"""Who may edit a draft, and course packages imported in the browser (no request context)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import select

from app.auth.models import User
from app.authoring.drafts import WorkingCopy, find_draft
from app.authoring.issuers import issuer_refusal
from app.authoring.models import CourseDraft
from app.core.sources import Problem
from app.courses.models import Course
from app.courses.packages import Package, PackageError, load_package, open_package
from app.courses.trainers import assign, can_edit
from app.extensions import db


def can_edit_copy(user: User, copy: WorkingCopy) -> bool:
    """A published course: its trainers and admins; a new course's draft: its author and admins."""
    if copy.course is not None:
        return can_edit(user, copy.course)
    if user.has_role("admin"):
        return True
    return copy.draft is not None and copy.draft.created_by_id == user.id


def unpublished_drafts(user: User) -> list[CourseDraft]:
    """Drafts of courses never published: their authors see them, and admins."""
    query = select(CourseDraft).where(CourseDraft.course_id.is_(None)).order_by(CourseDraft.slug)
    if not user.has_role("admin"):
        query = query.where(CourseDraft.created_by_id == user.id)
    return list(db.session.scalars(query))


def draft_slugs() -> set[str]:
    return set(db.session.scalars(select(CourseDraft.slug)))


def _import_refusal(user: User, package: Package) -> str | None:
    """Why `user` may not import this package; None if they may. Asked before anything of
    the package is written to the database or to the files learners see."""
    course = db.session.scalar(select(Course).where(Course.slug == package.slug))
    if course is not None and not can_edit(user, course):
        return gettext(
            "You do not look after the course %(slug)s: an administrator assigns its trainers.",
            slug=package.slug,
        )
    draft = find_draft(package.slug)
    if course is None and draft is not None:
        return gettext(
            "A new course with the address %(slug)s is being written in the editor: publish or "
            "discard that draft first, or give the package another slug.",
            slug=package.slug,
        )
    current = course.institution.slug if course is not None else None
    return issuer_refusal(user, package.institution, current, package.slug)


def import_package(data: bytes, user: User, label: str) -> tuple[Course, list[str]]:
    """Check a course zip, then the importer's rights over it, then load it.

    Returns the course and the files the package held but the course does not use (left out).
    Raises PackageError (with the problems, or the one reason the import is refused).
    """
    with tempfile.TemporaryDirectory() as tmp:
        package = open_package(data, Path(tmp), label)
        refusal = _import_refusal(user, package)
        if refusal:
            raise PackageError([Problem(label, 1, refusal)])
        is_new = db.session.scalar(select(Course.id).where(Course.slug == package.slug)) is None
        course = load_package(package, user.id)
    if is_new and not user.has_role("admin"):
        assign(course, user)
    return course, package.dropped
