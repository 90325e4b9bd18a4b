"""Reading the trail: an institution's entries, filtered, with the names of the people in them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db

LOCAL = ZoneInfo("Europe/Ljubljana")


@dataclass(frozen=True)
class TrailFilter:
    """What the administrator asked for; None is "any"."""

    action: str | None = None
    person_id: int | None = None
    since: date | None = None
    until: date | None = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL)


def institution_trail(institution_id: int | None, wanted: TrailFilter) -> Select[AuditEntry]:
    """Entries about the institution's people and things, or done by its people; newest first.
    None for the institution: every entry (the operator's view)."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if institution_id is not None:
        staff = select(User.id).where(User.institution_id == institution_id)
        query = query.where(
            or_(AuditEntry.institution_id == institution_id, AuditEntry.actor_id.in_(staff))
        )
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.person_id:
        query = query.where(
            or_(AuditEntry.subject_id == wanted.person_id, AuditEntry.actor_id == wanted.person_id)
        )
    if wanted.since:
        query = query.where(AuditEntry.created_at >= _local_midnight(wanted.since))
    if wanted.until:
        query = query.where(
            AuditEntry.created_at < _local_midnight(wanted.until + timedelta(days=1))
        )
    return query


def entries_about(user_id: int) -> list[AuditEntry]:
    """Every entry about the person or done by them, oldest first (for their data export)."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(or_(AuditEntry.subject_id == user_id, AuditEntry.actor_id == user_id))
            .order_by(AuditEntry.seq)
        )
    )


def people(entries: list[AuditEntry]) -> dict[int, User]:
    """The accounts the entries name, in one query."""
    ids = {entry.actor_id for entry in entries} | {entry.subject_id for entry in entries}
    ids.discard(None)
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def details_of(entry: AuditEntry) -> dict[str, Any]:
    value = json.loads(entry.details or "{}")
    return value if isinstance(value, dict) else {}
