"""Trainer assignments and course packages for the authoring pages (no request context)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.authoring.drafts import WorkingCopy, find_draft
from app.authoring.issuers import issuer_refusal
from app.authoring.models import CourseDraft, CourseTrainer
from app.core.errors import DomainError
from app.core.sources import Problem
from app.courses.models import Course
from app.courses.packages import Package, PackageError, load_package, open_package
from app.extensions import db


class AssignmentError(DomainError):
    pass


def can_edit(user: User, course: Course) -> bool:
    """Administrators edit every course; a trainer the courses they are assigned to."""
    if user.has_role("admin"):
        return True
    if not user.has_role("trainer"):
        return False
    return (
        db.session.scalar(
            select(CourseTrainer.id).where(
                CourseTrainer.course_id == course.id, CourseTrainer.user_id == user.id
            )
        )
        is not None
    )


def editable_courses(user: User) -> list[Course]:
    query = select(Course).options(selectinload(Course.texts)).order_by(Course.slug)
    if not user.has_role("admin"):
        query = query.join(CourseTrainer, CourseTrainer.course_id == Course.id).where(
            CourseTrainer.user_id == user.id
        )
    return list(db.session.scalars(query))


def trainers_of(course: Course) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(CourseTrainer, CourseTrainer.user_id == User.id)
            .where(CourseTrainer.course_id == course.id)
            .order_by(User.full_name)
        )
    )


def assign(course: Course, user: User) -> bool:
    """Assign the trainer; False if they already were."""
    if not user.has_role("trainer"):
        raise AssignmentError(
            gettext(
                "%(name)s is not a trainer: give them the trainer role first.", name=user.full_name
            )
        )
    if user in trainers_of(course):
        return False
    db.session.add(CourseTrainer(course_id=course.id, user_id=user.id))
    return True


def unassign(course: Course, user_id: int) -> None:
    db.session.execute(
        delete(CourseTrainer).where(
            CourseTrainer.course_id == course.id, CourseTrainer.user_id == user_id
        )
    )


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
