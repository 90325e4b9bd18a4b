"""The drafts trainers write in the editor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model


class CourseDraft(Model):
    """The unpublished working copy of one course's files, shared by the trainers of the course.

    Learners never see it: it reaches them only when it is published as a new revision. A draft
    of a course that was never published has no course yet, only its slug.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    # The files as in the course folder: text verbatim, images by SHA-256 in the blob store.
    files: Mapped[dict[str, Any]] = mapped_column(JSON)
    assets: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The revision the draft started from: publishing over a newer one needs a confirmation.
    base_revision: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Two saves that both read the same version: the second finds the row changed and fails
    # instead of silently overwriting the first.
    version: Mapped[int] = mapped_column()

    updated_by = relationship("User", foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": version}
