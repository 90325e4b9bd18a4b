"""Competence framework models, loaded from courses/competences.yml."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.content import watch
from app.core.database import UTCDateTime
from app.core.i18n import pick_text
from app.extensions import Model


class Translated:
    """Mixin for rows that carry a {language: text} map of names."""

    names: dict[str, str]

    def name(self, language: str) -> str:
        return pick_text(self.names, language)


class ProficiencyLevel(Translated, Model):
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    descriptors: Mapped[dict[str, str]] = mapped_column(JSON)


class CompetenceArea(Translated, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict[str, str]] = mapped_column(JSON)


class Competence(Translated, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("competence_area.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON)
    esco_uri: Mapped[str | None] = mapped_column(String(255))
    validity_months: Mapped[int | None]
    is_retired: Mapped[bool] = mapped_column(default=False)

    area: Mapped[CompetenceArea] = relationship()


class JobRole(Translated, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    is_retired: Mapped[bool] = mapped_column(default=False)
    # Set when an administrator edits the role in the browser: from then on the role is kept
    # as edited, and loading courses/competences.yml no longer overwrites its names or targets.
    # (Who edited it is in the audit trail: a user column here would make user and job_role
    # refer to each other.)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobRoleTarget(Model):
    __table_args__ = (UniqueConstraint("job_role_id", "competence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), index=True)
    level: Mapped[int]


# Competence names are on the catalogue's cards and in its filter.
watch(Competence)
