"""What each person was notified of: one row per (person, kind, object), whatever the mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model


class SentNotice(Model):
    """A notice sent to a person, alone or in a digest with others: never sent twice.

    The mail record (`MailMessage`) is one per mail; a digest carries several notices, so the
    record of what a person was told is kept per notice.
    """

    __table_args__ = (UniqueConstraint("user_id", "kind", "object_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # What the notice is about: "assignment:12:due-7", "certificate:5:expires-60", ...
    object_key: Mapped[str] = mapped_column(String(120))
    mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_message.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
