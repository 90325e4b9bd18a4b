"""The summary across institutions: shares meeting targets, computed in SQL, small groups hidden."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Subquery, and_, case, func, or_, select

from app.auth.models import Institution, User
from app.competences.models import Evidence, ReportSnapshot
from app.core.database import upsert, utcnow
from app.extensions import db
from app.framework.models import Competence, CompetenceArea, JobRoleTarget

SMALL_GROUP = 5  # groups smaller than this are shown as "fewer than 5", never as figures
COUNTRIES = ("SI", "HR")
SNAPSHOT = "summary"  # ReportSnapshot.name of the summary's counts


@dataclass
class Cell:
    """One figure of the summary: how many people it counts, and how many of them meet."""

    counted: int = 0
    met: int = 0
    hidden: bool = False

    def add(self, other: Cell) -> None:
        self.counted += other.counted
        self.met += other.met

    @property
    def needs_hiding(self) -> bool:
        # A group of nobody reveals nothing about anybody; one of one to four people would.
        return 0 < self.counted < SMALL_GROUP

    @property
    def share(self) -> float | None:
        """The share in %, or None: hidden, or nobody with this target."""
        if self.hidden or not self.counted:
            return None
        return 100 * self.met / self.counted


@dataclass
class SummaryRow:
    label: str  # an institution's name, a country code, or "*" for all partners
    staff: Cell
    cells: list[Cell] = field(default_factory=list)  # per competence

    @property
    def shares(self) -> list[float | None]:
        return [cell.share for cell in self.cells]


def counted_levels(now: datetime, people: Select[Any] | list[int] | None = None) -> Subquery:
    """Each person's counted level per competence: the highest verified, unexpired record that
    no correction replaced (as current_levels decides it, in SQL).

    `people` (user ids, or a query of them) limits it to them: an institution's report then
    reads its own staff's records through the per-person index, not every partner's.
    """
    replaced = select(Evidence.supersedes_id).where(Evidence.supersedes_id.is_not(None))
    query = (
        select(
            Evidence.user_id,
            Evidence.competence_id,
            func.max(Evidence.level).label("level"),
        )
        .where(
            Evidence.is_verified.is_(True),
            or_(Evidence.expires_at.is_(None), Evidence.expires_at > now),
            Evidence.id.not_in(replaced),
        )
        .group_by(Evidence.user_id, Evidence.competence_id)
    )
    if people is not None:
        query = query.where(Evidence.user_id.in_(people))
    return query.subquery()


def target_counts(
    now: datetime, groups: list[Any], where: list[Any], people: Select[Any] | None = None
) -> Select[Any]:
    """Per group and competence: the active staff `where` selects who have the competence's
    target in their job role, and how many of them meet it. One aggregate query, whose cost
    is the database's and whose result is as small as the groups; `people` as counted_levels."""
    levels = counted_levels(now, people)
    meets = case((func.coalesce(levels.c.level, 0) >= JobRoleTarget.level, 1), else_=0)
    return (
        select(*groups, JobRoleTarget.competence_id, func.count(), func.sum(meets))
        .join(JobRoleTarget, JobRoleTarget.job_role_id == User.job_role_id)
        .outerjoin(
            levels,
            and_(
                levels.c.user_id == User.id,
                levels.c.competence_id == JobRoleTarget.competence_id,
            ),
        )
        .where(User.is_active.is_(True), *where)
        .group_by(*groups, JobRoleTarget.competence_id)
    )


def _institution_cells(now: datetime) -> dict[tuple[int, int], Cell]:
    """(institution id, competence id) -> people with a target, and how many meet it."""
    query = target_counts(now, [User.institution_id], [])
    return {
        (institution_id, competence_id): Cell(counted, int(met or 0))
        for institution_id, competence_id, counted, met in db.session.execute(query)
    }


def _staff_counts() -> dict[int, int]:
    query = (
        select(User.institution_id, func.count())
        .where(User.is_active.is_(True))
        .group_by(User.institution_id)
    )
    counts: dict[int, int] = dict(db.session.execute(query).all())
    return counts


def _protect(parent: Cell, children: list[Cell]) -> bool:
    """Hide one more figure where a total and all but one of its parts are shown, so a hidden
    figure cannot be found by subtraction. Returns whether it hid anything."""
    terms = [cell for cell in [parent, *children] if cell.counted]
    if sum(cell.hidden for cell in terms) != 1:
        return False
    shown = sorted((cell for cell in children if cell.counted and not cell.hidden), key=_size)
    (shown[0] if shown else parent).hidden = True
    return True


def _size(cell: Cell) -> int:
    return cell.counted


def _suppress(groups: list[tuple[Cell, list[Cell]]]) -> None:
    """Primary suppression (fewer than SMALL_GROUP people), then complementary suppression
    until no total has exactly one hidden part."""
    for parent, children in groups:
        for cell in (parent, *children):
            cell.hidden = cell.hidden or cell.needs_hiding
    changed = True
    while changed:
        changed = False
        for parent, children in groups:
            changed = _protect(parent, children) or changed


def _column(row: SummaryRow, column: int) -> Cell:
    """Column 0 is the staff count, then the competences."""
    return row.staff if column == 0 else row.cells[column - 1]


@dataclass
class SummaryReport:
    competences: list[Competence]
    rows: list[SummaryRow]
    computed_at: datetime
    computed: bool = False  # counted for this request (the caller commits the kept counts)


@dataclass
class _Figures:
    cells: dict[tuple[int, int], Cell]
    staff: dict[int, int]


def keep(name: str, figures: dict[str, Any], now: datetime) -> None:
    """Keep a report's counts for every server; the later of two writers wins."""
    upsert(ReportSnapshot, {"name": name, "computed_at": now, "figures": figures}, "name")


def kept_or_counted(
    name: str, max_age: float, now: datetime, count: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any], datetime, bool]:
    """A report's counts as kept under `name` while younger than `max_age` seconds, else
    `count()`ed now and kept (0: counted every time, nothing kept). Returns the counts, when
    they were counted, and whether that was now (the caller then commits them)."""
    kept = db.session.get(ReportSnapshot, name) if max_age > 0 else None
    if kept is not None and 0 <= (now - kept.computed_at).total_seconds() < max_age:
        return kept.figures, kept.computed_at, False
    figures = count()
    if max_age > 0:
        keep(name, figures, now)
    return figures, now, True


def _count(now: datetime) -> dict[str, Any]:
    """The summary's counts over every employee, as they are kept (JSON)."""
    cells = _institution_cells(now)
    return {
        "cells": [[i, c, cell.counted, cell.met] for (i, c), cell in cells.items()],
        "staff": [[i, count] for i, count in _staff_counts().items()],
    }


def recount() -> None:
    """Count the summary again now and keep it (the viewers' "Recalculate now")."""
    now = utcnow()
    keep(SNAPSHOT, _count(now), now)


def _figures(figures: dict[str, Any]) -> _Figures:
    return _Figures(
        {(i, c): Cell(counted, met) for i, c, counted, met in figures["cells"]},
        {int(i): int(count) for i, count in figures["staff"]},
    )


def summary_report(max_age: float = 0, now: datetime | None = None) -> SummaryReport:
    """Share of staff meeting each target, per institution, per country and overall.

    Aggregated only: a group of fewer than five people shows no figures, and neither does
    whatever would let one compute them. The counts over every employee are kept for every
    server and counted again when older than `max_age` seconds (0: every time); institutions,
    competences and the hiding of small groups are current. A fixed number of queries.
    """
    now = now or utcnow()
    competences = list(
        db.session.scalars(
            select(Competence)
            .join(CompetenceArea)
            .where(Competence.is_retired.is_(False))
            .order_by(CompetenceArea.position, Competence.position)
        )
    )
    kept, computed_at, computed = kept_or_counted(SNAPSHOT, max_age, now, lambda: _count(now))
    figures = _figures(kept)
    cells, staff = figures.cells, figures.staff
    institutions = list(db.session.scalars(select(Institution).order_by(Institution.name)))

    def row(label: str, members: list[Institution]) -> SummaryRow:
        total = SummaryRow(label, Cell(), [Cell() for _ in competences])
        for institution in members:
            total.staff.add(Cell(staff.get(institution.id, 0)))
            for cell, competence in zip(total.cells, competences, strict=True):
                cell.add(cells.get((institution.id, competence.id), Cell()))
        return total

    staffed = [institution for institution in institutions if staff.get(institution.id)]
    rows = {institution.id: row(institution.name, [institution]) for institution in staffed}
    # Both partner countries always; another one only if an institution there has staff.
    codes = [*COUNTRIES, *sorted({i.country for i in staffed} - set(COUNTRIES))]
    countries = {code: row(code, [i for i in staffed if i.country == code]) for code in codes}
    everyone = row("*", staffed)
    tree = [
        *((countries[code], [rows[i.id] for i in staffed if i.country == code]) for code in codes),
        (everyone, list(countries.values())),
    ]
    for column in range(len(competences) + 1):  # each column is protected on its own
        _suppress(
            [
                (_column(parent, column), [_column(child, column) for child in children])
                for parent, children in tree
            ]
        )
    return SummaryReport(
        competences, [*rows.values(), *countries.values(), everyone], computed_at, computed
    )
