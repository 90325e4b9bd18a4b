"""Competences whose counted level is about to lapse: what a learner should renew soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.competences.models import Evidence
from app.core.database import utcnow
from app.extensions import db
from app.framework.models import Competence


@dataclass(frozen=True)
class Expiring:
    competence: Competence
    level: int
    expires_at: datetime


def expiring_soon(user_id: int, days: int = 90, now: datetime | None = None) -> list[Expiring]:
    """The learner's competences whose counted level ends within `days`, soonest first.

    The level counts until the last of its records at that level lapses: a level held by a
    record without expiry, or renewed by a later one, is not expiring. Two queries.
    """
    now = now or utcnow()
    replaced = select(Evidence.supersedes_id).where(Evidence.supersedes_id.is_not(None))
    rows = db.session.execute(
        select(Evidence.competence_id, Evidence.level, Evidence.expires_at).where(
            Evidence.user_id == user_id,
            Evidence.is_verified.is_(True),
            or_(Evidence.expires_at.is_(None), Evidence.expires_at > now),
            Evidence.id.not_in(replaced),
        )
    ).all()
    best: dict[int, tuple[int, datetime | None]] = {}
    for competence_id, level, expires_at in rows:
        held = best.get(competence_id)
        if held is None or level > held[0]:
            best[competence_id] = (level, expires_at)
        elif level == held[0] and held[1] is not None:
            best[competence_id] = (level, None if expires_at is None else max(held[1], expires_at))
    limit = now + timedelta(days=days)
    soon = {
        competence_id: (level, expires_at)
        for competence_id, (level, expires_at) in best.items()
        if level and expires_at is not None and expires_at <= limit
    }
    if not soon:
        return []
    competences = db.session.scalars(
        select(Competence).where(Competence.id.in_(soon)).options(selectinload(Competence.area))
    )
    found = [
        Expiring(competence, soon[competence.id][0], soon[competence.id][1])
        for competence in competences
    ]
    return sorted(found, key=lambda item: item.expires_at)
