"""Sending notices: each at most once per person, several of one night in one digest.

A notice is written in the recipient's language (the builders run under `force_locale`), is
recorded in `SentNotice` in the same transaction as its mail, and is skipped when the person
switched its kind off. One notice makes a mail of its own; several make one digest that lists
them, each with its link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import force_locale, format_date, ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core import mail, notifications
from app.core.urls import public_url
from app.extensions import db
from app.notifications.kinds import DIGEST
from app.notifications.models import SentNotice


@dataclass
class Notice:
    """One thing to tell a person, already in their language."""

    kind: str
    key: str  # what it is about; unique per person and kind
    subject: str
    summary: str  # one line, for a digest
    paragraphs: list[str]
    link: str
    link_label: str
    template: str = "notice"  # a mail of its own; "overdue_digest" for HR's table
    context: dict[str, Any] = field(default_factory=dict)


# Builds a person's notice in their language; called under force_locale(user.language).
Builder = Callable[[User], Notice]


def long_date(day: date) -> str:
    """A date as the reader's language writes it in a sentence (12. januar 2027). Croatian
    ends it with a dot ("2027."), which would double the full stop of a sentence."""
    return str(format_date(day, format="long")).rstrip(".")


def recipient(user: User) -> mail.Recipient:
    return mail.Recipient(user.email, user.full_name, user.language, user.id)


def sent_keys(user_ids: Iterable[int], kinds: Iterable[str]) -> set[tuple[int, str, str]]:
    """(user id, kind, object key) already sent to these people: one query."""
    ids, kinds = list(set(user_ids)), list(set(kinds))
    if not ids or not kinds:
        return set()
    rows = db.session.execute(
        select(SentNotice.user_id, SentNotice.kind, SentNotice.object_key).where(
            SentNotice.user_id.in_(ids), SentNotice.kind.in_(kinds)
        )
    )
    return {(row[0], row[1], row[2]) for row in rows}


def _record(user: User, notices: list[Notice]) -> list[SentNotice] | None:
    """The notices' records, or None if a concurrent run recorded one of them first."""
    rows = [
        SentNotice(user_id=user.id, kind=notice.kind, object_key=notice.key) for notice in notices
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
    except IntegrityError:
        return None
    return rows


def _mail(user: User, notices: list[Notice]) -> mail.MailMessage | None:
    to = recipient(user)
    base: dict[str, Any] = {
        "institution": user.institution,
        "user": user,
        "account_link": public_url("auth.profile"),
    }
    if len(notices) == 1:
        (notice,) = notices
        return mail.send(
            to,
            notice.subject,
            notice.template,
            kind=notice.kind,
            object_key=notice.key,
            sender_name=user.institution.name,
            notice=notice,
            **base,
            **notice.context,
        )
    subject = ngettext(
        "%(num)d reminder from the learning platform",
        "%(num)d reminders from the learning platform",
        len(notices),
    )
    return mail.send(
        to,
        subject,
        "digest",
        kind=DIGEST,
        sender_name=user.institution.name,
        notices=notices,
        **base,
    )


def send(user: User, builders: list[Builder], sent: set[tuple[int, str, str]] | None = None) -> int:
    """Tell `user` what `builders` describe that they have not been told and still want: one
    mail, or one digest for several. Returns the number of notices sent. `sent` is what
    `sent_keys` found (for a batch); without it, it is looked up."""
    if not user.is_active or not builders:
        return 0
    with force_locale(user.language):
        notices = [build(user) for build in builders]
        notices = [n for n in notices if notifications.wanted(n.kind, user.notification_optout)]
        if sent is None:
            sent = sent_keys([user.id], {notice.kind for notice in notices})
        notices = [n for n in notices if (user.id, n.kind, n.key) not in sent]
        unique = list({(notice.kind, notice.key): notice for notice in notices}.values())
        if not unique:
            return 0
        rows = _record(user, unique)
        if rows is None:
            return 0
        message = _mail(user, unique)
    if message is not None:
        for row in rows:
            row.mail_id = message.id
    return len(unique)
