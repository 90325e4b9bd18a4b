"""An export asked for on a page and written in the background: who, what, how far, the file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
# Failed, and the worker will try it again (FAILED: it gave up).
RETRYING = "retrying"
KINDS = ("matrix", "certificates")
FORMATS = ("csv", "xlsx")


class Export(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(4))
    # Column names and labels in the language of the person who asked.
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None]
    # The file's name in STORAGE_DIR/exports (unguessable); empty until it is written.
    filename: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
    institution = relationship("Institution")

    @property
    def progress(self) -> int:
        """Per cent written: 0 while queued, 100 when done."""
        if self.status == DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, 100 * self.rows_done // self.rows_total)
