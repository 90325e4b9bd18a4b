"""Competence framework models, loaded from courses/competences.yml."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.content import watch
from app.core.database import UTCDateTime, utcnow
from app.extensions import db


class Translated:
    """Mixin for rows that carry a {language: text} map of names."""

    names: dict

    def name(self, language: str) -> str:
        from app.core.i18n import pick_text

        return pick_text(self.names, language)


class ProficiencyLevel(Translated, db.Model):
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    names: Mapped[dict] = mapped_column(JSON)
    descriptors: Mapped[dict] = mapped_column(JSON)


class CompetenceArea(Translated, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict] = mapped_column(JSON)


class Competence(Translated, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("competence_area.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict] = mapped_column(JSON)
    descriptions: Mapped[dict] = mapped_column(JSON)
    esco_uri: Mapped[str | None] = mapped_column(String(255))
    validity_months: Mapped[int | None]
    is_retired: Mapped[bool] = mapped_column(default=False)

    area: Mapped[CompetenceArea] = relationship()


class JobRole(Translated, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict] = mapped_column(JSON)
    is_retired: Mapped[bool] = mapped_column(default=False)


class JobRoleTarget(db.Model):
    __table_args__ = (UniqueConstraint("job_role_id", "competence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), index=True)
    level: Mapped[int]


EVIDENCE_SOURCES = ("course", "quiz", "rating", "self")


class Evidence(db.Model):
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


class CourseAssignment(db.Model):
    """HR assigns a course to one employee or to everyone of a job role in their institution."""

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id"), index=True)
    due_on: Mapped[date]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course = relationship("Course")
    user = relationship("User", foreign_keys=[user_id])
    job_role: Mapped[JobRole | None] = relationship()


# Competence names are on the catalogue's cards and in its filter.
watch(Competence)
