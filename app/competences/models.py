"""Evidence of competences: what happened to whom, immutable, corrections superseding."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model
from app.framework.models import Competence

EVIDENCE_SOURCES = ("course", "quiz", "rating", "self")


class Evidence(Model):
    """One immutable piece of evidence of a competence level; corrections supersede, never edit."""

    __table_args__ = (
        # Covers current_levels: a person's evidence is read from the index alone, in one
        # range, instead of one table page per record (records of a person are spread over
        # years of others'). The HR matrix reads 10,000 of them per page.
        Index(
            "ix_evidence_user_levels",
            "user_id",
            "created_at",
            "id",
            "competence_id",
            "level",
            "is_verified",
            "supersedes_id",
            "expires_at",
        ),
        # A completed course and a finished attempt are evidence once, however many requests
        # complete them at the same moment.
        Index(
            "uq_evidence_course_once",
            "user_id",
            "course_id",
            "competence_id",
            unique=True,
            sqlite_where=text("source = 'course'"),
            postgresql_where=text("source = 'course'"),
        ),
        Index(
            "uq_evidence_attempt_once",
            "attempt_id",
            "competence_id",
            unique=True,
            sqlite_where=text("source = 'quiz'"),
            postgresql_where=text("source = 'quiz'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), index=True)
    level: Mapped[int]
    source: Mapped[str] = mapped_column(String(8))
    # Self-assessment is shown beside the level but never counts as verified.
    is_verified: Mapped[bool] = mapped_column(default=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempt.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    competence: Mapped[Competence] = relationship()
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    course = relationship("Course")


class ReportSnapshot(Model):
    """Counts of a report over every employee as last computed, shared by every server: the
    summary across institutions reads every record of every partner, so it is counted at most
    once in SUMMARY_MAX_AGE, not on every view (app.competences.summary). Counts only: no
    person's data."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
