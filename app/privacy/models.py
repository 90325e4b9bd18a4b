"""Exports of a person's data (made by a job, downloaded by the person) and erasures done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model

QUEUED, READY, FAILED = "queued", "ready", "failed"


class DataExport(Model):
    """One export of everything held about a person: JSON and a readable HTML page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The files are in the storage backend under exports/<id>/ (app/core/storage.py).
    size: Mapped[int] = mapped_column(default=0)


class Erasure(Model):
    """A person whose personal data was erased: their account stays, under a pseudonym."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    pseudonym: Mapped[str] = mapped_column(String(40))
