"""E-mail: rendered in the recipient's language, recorded, and sent by a job over SMTP.

Every mail is a row of `MailMessage` (what was sent to whom, when, and whether it arrived), so a
notification is never sent twice (kind and object are unique per recipient) and a person can be
shown what they were sent. Without MAIL_SERVER (development, `make run`) a mail is written to
the log and kept, body included, for the administrators' outbox page; with a mail server the
body is not kept (password-reset links must not sit in the database).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr, parseaddr
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core import jobs
from app.core.database import UTCDateTime, utcnow
from app.extensions import Model, db

log = logging.getLogger(__name__)

QUEUED, SENT, LOGGED, FAILED = "queued", "sent", "logged", "failed"


class MailMessage(Model):
    """One e-mail to one person: queued, then sent (or logged, without a mail server)."""

    __table_args__ = (
        # The same notification about the same thing reaches a person once, whatever races.
        Index(
            "uq_mail_once",
            "user_id",
            "kind",
            "object_key",
            unique=True,
            sqlite_where=text("object_key IS NOT NULL"),
            postgresql_where=text("object_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # What the mail is about ("assignment:12:due-7"), for notifications sent once; else None.
    object_key: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str
    user_id: int | None = None


def render(template: str, language: str, **context: Any) -> tuple[str, str]:
    """The plain-text and HTML bodies of `mail/<template>.txt|.html` in the given language."""
    with force_locale(language):
        return (
            render_template(f"mail/{template}.txt", **context),
            render_template(f"mail/{template}.html", **context),
        )


def keeps_bodies() -> bool:
    """Bodies are kept only where no real mail server exists (the development outbox)."""
    return not current_app.config["MAIL_SERVER"]


def send(
    to: Recipient,
    subject: str,
    template: str,
    *,
    kind: str,
    object_key: str | None = None,
    sender_name: str = "",
    **context: Any,
) -> MailMessage | None:
    """Queue a mail; it leaves when the transaction commits. None if it was sent before
    (same recipient, kind and object)."""
    body_text, body_html = render(template, to.language, recipient=to, **context)
    message = MailMessage(
        user_id=to.user_id,
        recipient=to.email,
        language=to.language,
        kind=kind,
        object_key=object_key,
        subject=subject,
        body_text=body_text if keeps_bodies() else "",
        body_html=body_html if keeps_bodies() else "",
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None  # this notification already went out
    # The job carries the bodies; the database keeps them only in development.
    jobs.after_commit(deliver, message.id, to.name, sender_name, body_text, body_html)
    return message


def _sender(display_name: str) -> str:
    default = str(current_app.config["MAIL_DEFAULT_SENDER"])
    name, address = parseaddr(default)
    return formataddr((display_name or name, address))


@jobs.job()
def deliver(message_id: int, name: str, sender_name: str, body_text: str, body_html: str) -> None:
    """Send one queued mail; an SMTP error raises, so the job is retried with back-off."""
    message = db.session.get(MailMessage, message_id)
    if message is None or message.status in (SENT, LOGGED):
        return  # gone (the person was erased) or already delivered by an earlier try
    if not current_app.config["MAIL_SERVER"]:
        log.info(
            "mail (no MAIL_SERVER, not sent) to %s: %s\n%s", message.recipient, message.subject,
            body_text,
        )  # fmt: skip
        message.status, message.sent_at = LOGGED, utcnow()
        db.session.commit()
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=body_text,
        from_email=_sender(sender_name),
        to=[formataddr((name, message.recipient))],
        headers={"Content-Language": message.language, "Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(body_html, "text/html")
    try:
        email.send()
    except Exception as error:
        message.status, message.error = FAILED, str(error)[:1000]
        db.session.commit()
        raise
    message.status, message.sent_at, message.error = SENT, utcnow(), ""
    db.session.commit()
