"""A course's extra pages for learners and trainers: outcomes, glossary, sources, case studies,
templates and the facilitator guide, rendered once when the course is loaded."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.content import watch
from app.extensions import Model


class CoursePage(Model):
    __table_args__ = (UniqueConstraint("course_id", "slug", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(2))
    # outcomes | glossary | sources (made by the platform) or case-study | template |
    # facilitator-guide (written in materials/).
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text)
    # Rendered and sanitised once at load; views serve this as it is.
    body_html: Mapped[str] = mapped_column(Text)


watch(CoursePage)
