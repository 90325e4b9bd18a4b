"""The HR competence matrix and its exports: one service for the page, the CSV, the XLSX
and `flask reports matrix`, so they always show the same thing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import lazyload, load_only

from app.auth.models import User
from app.auth.services import unit_subtree
from app.competences.matrix_summary import Summary, matrix_summary
from app.competences.summary import counted_levels
from app.core.csvexport import BOM, SafeWriter
from app.core.database import utcnow
from app.courses.models import CourseCompetence
from app.extensions import db
from app.framework.models import Competence, CompetenceArea, JobRoleTarget


@dataclass(slots=True)
class Cell:
    level: int
    target: int | None

    @property
    def gap(self) -> int:
        return max(0, (self.target or 0) - self.level)

    @property
    def is_met(self) -> bool | None:
        return None if self.target is None else self.level >= self.target


@dataclass(slots=True)
class MatrixRow:
    user: User
    cells: list[Cell]

    @property
    def gap(self) -> int:
        return sum(cell.gap for cell in self.cells)


@dataclass
class Matrix:
    competences: list[Competence]
    rows: list[MatrixRow] = field(default_factory=list)
    summary: list[Summary] = field(default_factory=list)
    summary_at: datetime | None = None  # when the summary row was counted
    summary_computed: bool = True  # counted for this request, not read from the kept counts


@dataclass(frozen=True)
class MatrixFilter:
    # None: every institution, for an administrator's or the lead partner's export.
    institution_id: int | None
    job_role_id: int | None = None
    area_id: int | None = None
    competence_id: int | None = None  # one competence: who has it, who is below its target
    course_id: int | None = None
    unit_id: int | None = None  # the unit and every unit under it (units from the HR system)
    sort: str = "name"  # or "gap": largest total gap first
    gap_only: bool = False  # only employees below a target among the competences shown


def matrix_competences(query: MatrixFilter) -> list[Competence]:

    # Retired competences stay in the report, last and marked, so earned levels stay visible.
    competence_query = (
        select(Competence)
        .join(CompetenceArea)
        .order_by(Competence.is_retired, CompetenceArea.position, Competence.position)
    )
    if query.area_id:
        competence_query = competence_query.where(Competence.area_id == query.area_id)
    if query.competence_id:
        competence_query = competence_query.where(Competence.id == query.competence_id)
    if query.course_id:
        competence_query = competence_query.where(
            Competence.id.in_(
                select(CourseCompetence.competence_id).where(
                    CourseCompetence.course_id == query.course_id
                )
            )
        )
    return list(db.session.scalars(competence_query))


def _people(query: MatrixFilter) -> Select[User]:
    """The employees the filter selects, unordered."""
    people = select(User).where(User.is_active.is_(True))
    if query.institution_id is not None:
        people = people.where(User.institution_id == query.institution_id)
    if query.job_role_id:
        people = people.where(User.job_role_id == query.job_role_id)
    if query.unit_id:  # the unit's subtree, in the same query
        people = people.where(User.unit_id.in_(unit_subtree(query.unit_id)))
    return people


def matrix_users(query: MatrixFilter, competences: list[Competence]) -> Select[User]:
    """The employees in the order the matrix shows them: by name, or by total gap (computed
    in SQL, so a page of the largest gaps does not need every employee's levels first)."""
    # The matrix shows names and job roles: not the account roles, not the institution (one
    # for a page, and a many-to-one lazy load finds it in the identity map), not the
    # password hash and the rest of a user row.
    selected = _people(query)
    people = selected.options(
        load_only(User.id, User.full_name, User.email, User.institution_id, User.job_role_id),
        lazyload(User.role_rows),
        lazyload(User.institution),
    )
    if query.sort != "gap" and not query.gap_only:
        return people.order_by(User.full_name, User.id)
    # From the same query: its unit subtree is one CTE of the statement, not two of one name.
    levels = counted_levels(utcnow(), selected.with_only_columns(User.id))
    level = func.coalesce(levels.c.level, 0)
    gaps = (
        select(
            User.id.label("user_id"),
            func.sum(
                case((JobRoleTarget.level > level, JobRoleTarget.level - level), else_=0)
            ).label("gap"),
        )
        .join(JobRoleTarget, JobRoleTarget.job_role_id == User.job_role_id)
        .outerjoin(
            levels,
            and_(
                levels.c.user_id == User.id, levels.c.competence_id == JobRoleTarget.competence_id
            ),
        )
        .where(JobRoleTarget.competence_id.in_([competence.id for competence in competences]))
        .group_by(User.id)
        .subquery()
    )
    gap = func.coalesce(gaps.c.gap, 0)
    people = people.outerjoin(gaps, gaps.c.user_id == User.id)
    if query.gap_only:  # only the employees below a target of their job role
        people = people.where(gap > 0)
    if query.sort == "gap":
        return people.order_by(gap.desc(), User.full_name, User.id)
    return people.order_by(User.full_name, User.id)


def matrix_count(query: MatrixFilter, competences: list[Competence]) -> int:
    """How many employees the matrix lists: counted without the gap order's aggregate,
    which only the "below a target" filter needs."""
    listed = matrix_users(query, competences) if query.gap_only else _people(query)
    return db.session.scalar(select(func.count()).select_from(listed.subquery())) or 0


def _users(query: MatrixFilter, competences: list[Competence]) -> list[User]:
    return list(db.session.scalars(matrix_users(query, competences)))


def counted_levels_of(user_ids: list[int]) -> dict[tuple[int, int], int]:
    """(user id, competence id) -> counted level, as current_levels decides it, computed by the
    database: the matrix shows no self-assessments, so it reads one row per cell with a level,
    not every record of the page's people (a third of the page's time)."""
    if not user_ids:
        return {}
    levels = counted_levels(utcnow(), user_ids)
    rows = db.session.execute(select(levels.c.user_id, levels.c.competence_id, levels.c.level))
    return {(user_id, competence_id): level for user_id, competence_id, level in rows}


def _targets() -> dict[tuple[int, int], int]:
    return {
        (row.job_role_id, row.competence_id): row.level
        for row in db.session.scalars(select(JobRoleTarget))
    }


def _rows(
    users: list[User],
    competences: list[Competence],
    levels: dict[tuple[int, int], int],
    targets: dict[tuple[int, int], int],
) -> Iterator[MatrixRow]:
    # 10,000 cells a page: the targets of each job role are looked up once, not per cell.
    ids = [competence.id for competence in competences]
    role_targets: dict[int | None, list[int | None]] = {}
    level_of = levels.get
    for user in users:
        role = user.job_role_id
        row_targets = role_targets.get(role)
        if row_targets is None:
            row_targets = role_targets[role] = [
                targets.get((role, competence_id)) if role else None for competence_id in ids
            ]
        user_id = user.id
        cells = []
        for competence_id, target in zip(ids, row_targets, strict=True):
            cells.append(Cell(level_of((user_id, competence_id), 0), target))
        yield MatrixRow(user, cells)


def build_matrix(
    query: MatrixFilter,
    users: list[User] | None = None,
    competences: list[Competence] | None = None,
    summary_max_age: float = 0,
) -> Matrix:
    """Employees of one institution (or all) against the competences: `users` (a page of
    matrix_users) or all of them; the summary row counts everyone the filter selects, from
    counts up to `summary_max_age` seconds old (matrix_summary). A fixed number of queries."""
    competences = matrix_competences(query) if competences is None else competences
    users = _users(query, competences) if users is None else users
    levels = counted_levels_of([user.id for user in users])
    summary = matrix_summary(
        query.institution_id, query.job_role_id, query.unit_id, competences, summary_max_age
    )
    matrix = Matrix(
        competences,
        summary=summary.cells,
        summary_at=summary.computed_at,
        summary_computed=summary.computed,
    )
    matrix.rows.extend(_rows(users, competences, levels, _targets()))
    return matrix


@dataclass
class MatrixStream:
    """The matrix for an export: its rows are made as they are written."""

    competences: list[Competence]
    rows: Iterator[MatrixRow]


EXPORT_CHUNK = 1000


def stream_matrix(query: MatrixFilter, chunk: int = EXPORT_CHUNK) -> Matrix | MatrixStream:
    """The same rows as build_matrix, with the levels read for `chunk` people at a time, so an
    export of every institution does not hold every piece of evidence in memory at once.

    One query more per `chunk` people, in either order (the gap order is SQL's).
    """
    competences = matrix_competences(query)
    users = _users(query, competences)
    targets = _targets()

    def rows() -> Iterator[MatrixRow]:
        for start in range(0, len(users), chunk):
            group = users[start : start + chunk]
            levels = counted_levels_of([user.id for user in group])
            yield from _rows(group, competences, levels, targets)

    return MatrixStream(competences, rows())


def _code(competence: Competence) -> str:
    return f"{competence.code} (retired)" if competence.is_retired else competence.code


def _records(matrix: Matrix | MatrixStream, language: str) -> Iterator[list[Any]]:
    """The matrix as rows of plain values: what the page shows, cell by cell."""
    yield [
        "name", "email", "job_role",
        *[f"{_code(competence)} level" for competence in matrix.competences],
        *[f"{_code(competence)} target" for competence in matrix.competences],
        "total_gap",
    ]  # fmt: skip
    for row in matrix.rows:
        role = row.user.job_role.name(language) if row.user.job_role else ""
        yield [
            row.user.full_name,
            row.user.email,
            role,
            *[cell.level for cell in row.cells],
            *["" if cell.target is None else cell.target for cell in row.cells],
            row.gap,
        ]


def write_csv(matrix: Matrix | MatrixStream, language: str, out: IO[str]) -> int:
    """Write the matrix as CSV, formula-safe; returns the number of employees written."""
    writer = SafeWriter(out)
    count = -1  # the header is not an employee
    for count, record in enumerate(_records(matrix, language), start=-1):  # noqa: B007
        writer.writerow(record)
    return count + 1


def matrix_rows(matrix: Matrix | MatrixStream, language: str) -> Iterator[list[Any]]:
    """The CSV's rows, header first, made as they are read (a streamed download)."""
    return _records(matrix, language)


def matrix_csv(matrix: Matrix | MatrixStream, language: str) -> str:
    out = io.StringIO()
    out.write(BOM)
    write_csv(matrix, language, out)
    return out.getvalue()


def write_xlsx(matrix: Matrix | MatrixStream, language: str, target: str | IO[bytes]) -> int:
    """A real spreadsheet: header row, frozen panes, levels as numbers. Written row by row
    (constant_memory), so a large institution is not held in memory twice. Returns the
    number of employees written."""
    import xlsxwriter  # only exports need it: not loaded into every worker at start-up

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet("matrix")
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 1, 28)
    records = _records(matrix, language)
    sheet.write_row(0, 0, next(records), header)
    row_index = 0
    # Typed writes, blanks skipped: write_row's guessing of every cell's type is a third of
    # the time of an export of thousands of rows.
    write_string, write_number = sheet.write_string, sheet.write_number
    for row_index, record in enumerate(records, start=1):
        for column, value in enumerate(record):
            if isinstance(value, str):
                if value:
                    write_string(row_index, column, value)
            else:
                write_number(row_index, column, value)
    workbook.close()
    return row_index
