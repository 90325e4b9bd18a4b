"""Competence levels about to lapse: every record that gives a person their level expires soon.

A verified level is the highest of a person's current records (app.competences.services); it
drops on the day the last record at that level expires, unless a record at that level never
expires. This finds the levels that drop within a window, for the reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.auth.models import User
from app.competences.models import Evidence
from app.core.database import utcnow
from app.extensions import db
from app.framework.models import Competence

LOCAL = ZoneInfo("Europe/Ljubljana")


@dataclass(frozen=True)
class Lapsing:
    user_id: int
    competence: Competence
    level: int
    expires_on: date  # the local day the level lapses
    recorded_at: datetime  # when the last record that holds it was made


@dataclass
class _State:
    level: int = 0
    expires_at: datetime | None = None  # None: the level holds for good
    recorded_at: datetime | None = None


def _states(user_ids: list[int], now: datetime) -> dict[tuple[int, int], _State]:
    rows = db.session.execute(
        select(
            Evidence.id,
            Evidence.user_id,
            Evidence.competence_id,
            Evidence.level,
            Evidence.supersedes_id,
            Evidence.expires_at,
            Evidence.created_at,
        ).where(Evidence.user_id.in_(user_ids), Evidence.is_verified.is_(True))
    ).all()
    superseded = {row.supersedes_id for row in rows if row.supersedes_id}
    states: dict[tuple[int, int], _State] = {}
    for row in rows:
        if row.id in superseded or (row.expires_at is not None and row.expires_at <= now):
            continue
        state = states.setdefault((row.user_id, row.competence_id), _State())
        if row.level > state.level:
            state.level, state.expires_at, state.recorded_at = (
                row.level,
                row.expires_at,
                row.created_at,
            )
        elif (
            row.level == state.level
            and state.expires_at is not None
            and (row.expires_at is None or row.expires_at > state.expires_at)
        ):
            # Another record of the same level: the level holds until the later expiry.
            state.expires_at, state.recorded_at = row.expires_at, row.created_at
    return states


def lapsing(now: datetime, until: datetime) -> list[Lapsing]:
    """Levels of active people in active competences that lapse after `now`, by `until`."""
    user_ids = list(
        db.session.scalars(
            select(Evidence.user_id)
            .join(User, User.id == Evidence.user_id)
            .where(
                User.is_active.is_(True),
                Evidence.is_verified.is_(True),
                Evidence.expires_at > now,
                Evidence.expires_at <= until,
            )
            .distinct()
        )
    )
    if not user_ids:
        return []
    competences = {
        row.id: row
        for row in db.session.scalars(select(Competence).where(Competence.is_retired.is_(False)))
    }
    found = []
    for (user_id, competence_id), state in sorted(_states(user_ids, now).items()):
        competence = competences.get(competence_id)
        if competence is None or state.level == 0 or state.expires_at is None:
            continue
        if state.expires_at <= until and state.recorded_at is not None:
            found.append(
                Lapsing(
                    user_id,
                    competence,
                    state.level,
                    state.expires_at.astimezone(LOCAL).date(),
                    state.recorded_at,
                )
            )
    return found


def expiring_soon(user_id: int, days: int = 90, now: datetime | None = None) -> list[Lapsing]:
    """One person's levels that lapse within `days` (their dashboard), soonest first; two
    queries."""
    now = now or utcnow()
    until = now + timedelta(days=days)
    soon = {
        competence_id: state
        for (_, competence_id), state in _states([user_id], now).items()
        if state.level and state.expires_at is not None and state.expires_at <= until
    }
    if not soon:
        return []
    competences = db.session.scalars(
        select(Competence).where(Competence.id.in_(soon), Competence.is_retired.is_(False))
    )
    found = [
        Lapsing(
            user_id,
            competence,
            soon[competence.id].level,
            soon[competence.id].expires_at.astimezone(LOCAL).date(),  # type: ignore[union-attr]
            soon[competence.id].recorded_at,  # type: ignore[arg-type]
        )
        for competence in competences
    ]
    return sorted(found, key=lambda item: item.expires_on)
