"""A course's published revisions: the list, one revision, and restoring it into the draft."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from app.authoring.drafts import WorkingCopy, store
from app.courses.models import Course, CourseRevision
from app.courses.revisions import (
    latest_revision,
)
from app.extensions import db


def revisions(course: Course, limit: int | None = None) -> list[CourseRevision]:
    """The course's revisions, newest first, with their authors but not their files (one query)."""
    return list(
        db.session.scalars(
            select(CourseRevision)
            .where(CourseRevision.course_id == course.id)
            .options(
                joinedload(CourseRevision.author),
                defer(CourseRevision.files),
                defer(CourseRevision.assets),
            )
            .order_by(CourseRevision.number.desc())
            .limit(limit)
        )
    )


def revision(course: Course, number: int) -> CourseRevision | None:
    return db.session.scalar(
        select(CourseRevision).where(
            CourseRevision.course_id == course.id, CourseRevision.number == number
        )
    )


def restore(copy: WorkingCopy, old: CourseRevision, user_id: int) -> None:
    """Make an old revision the draft; publishing it makes it current again."""
    latest = latest_revision(copy.course.id) if copy.course else None
    draft = store(copy, user_id, old.files, old.assets)
    # The draft now answers the newest revision: publishing it needs no overwrite warning.
    draft.base_revision = latest.number if latest else None
