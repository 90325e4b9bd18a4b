"""The HR matrix's summary row, counted over an institution's staff and kept for every server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.auth.models import User
from app.auth.services import unit_subtree
from app.competences.summary import keep, kept_or_counted, target_counts
from app.core.database import utcnow
from app.extensions import db
from app.framework.models import Competence


@dataclass
class Summary:
    with_target: int = 0
    met: int = 0

    @property
    def share(self) -> float | None:
        return None if not self.with_target else 100 * self.met / self.with_target


@dataclass
class MatrixSummary:
    """Per competence shown, of everyone the filter selects (not only the page's people)."""

    cells: list[Summary] = field(default_factory=list)
    computed_at: datetime | None = None
    computed: bool = True  # counted for this request, not read from the kept counts


# (job role id, unit id, competence id, people with the target, people meeting it)
Counts = list[tuple[int | None, int | None, int, int, int]]


def _name(institution_id: int | None) -> str:
    return f"matrix:{institution_id if institution_id is not None else 'all'}"


def _count(institution_id: int | None, now: datetime) -> Counts:
    """The institution's active staff (or everyone's), grouped by job role and unit: any
    filter by job role or unit is a sum of these groups. One aggregate query."""
    where = [] if institution_id is None else [User.institution_id == institution_id]
    people = select(User.id).where(User.is_active.is_(True), *where)
    query = target_counts(now, [User.job_role_id, User.unit_id], where, people)
    return [
        (role, unit, competence, counted, int(met or 0))
        for role, unit, competence, counted, met in db.session.execute(query)
    ]


def recount(institution_id: int | None) -> None:
    """Count the institution's summary row again now and keep it ("Recalculate now")."""
    now = utcnow()
    keep(_name(institution_id), {"counts": _count(institution_id, now)}, now)


def matrix_summary(
    institution_id: int | None,
    job_role_id: int | None,
    unit_id: int | None,
    competences: list[Competence],
    max_age: float = 0,
) -> MatrixSummary:
    """How many of the selected staff have each competence's target, and how many meet it.

    The counts cover every employee of the institution, so they are kept for every server
    and counted again when older than `max_age` seconds (0: on every call); the filters are
    applied to the kept groups. A fixed number of queries."""
    now = utcnow()
    kept, computed_at, computed = kept_or_counted(
        _name(institution_id), max_age, now, lambda: {"counts": _count(institution_id, now)}
    )
    units = set(db.session.scalars(unit_subtree(unit_id))) if unit_id else None
    totals: dict[int, Summary] = {}
    for role, unit, competence_id, with_target, met in kept["counts"]:
        if job_role_id and role != job_role_id:
            continue
        if units is not None and unit not in units:
            continue
        total = totals.setdefault(competence_id, Summary())
        total.with_target += with_target
        total.met += met
    cells = [totals.get(competence.id, Summary()) for competence in competences]
    return MatrixSummary(cells, computed_at, computed)
