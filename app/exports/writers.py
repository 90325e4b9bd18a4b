"""Writing an export's file row by row, telling how far it got: the matrix and certificates.

The rows are streamed from the database and written as they come (CSV, or XLSX in xlsxwriter's
constant-memory mode), so a large institution is never held in memory; every text cell is made
formula-safe (app.core.csvexport) and CSV starts with the BOM Excel needs for č, š, ž.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.certificates import listing
from app.certificates import services as certificates
from app.certificates.models import Certificate
from app.competences import reports
from app.core.csvexport import BOM, SafeWriter
from app.courses.models import Course
from app.extensions import db

Progress = Callable[[int], None]
T = TypeVar("T")
STEP = 200  # rows between two progress reports


def counted(rows: Iterable[T], progress: Progress, step: int | None = None) -> Iterator[T]:
    """The rows, reporting every `step` of them (and the last) to `progress`."""
    step = step or STEP
    done = 0
    for done, row in enumerate(rows, start=1):
        yield row
        if done % step == 0:
            progress(done)
    progress(done)


# --- the HR competence matrix --------------------------------------------------------------------


def matrix_total(institution_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.institution_id == institution_id, User.is_active.is_(True))
        )
        or 0
    )


def write_matrix(
    institution_id: int, fmt: str, language: str, target: str, progress: Progress
) -> int:
    """The matrix of every active employee, as the HR page shows it; the rows written."""
    matrix = reports.stream_matrix(reports.MatrixFilter(institution_id=institution_id))
    stream = reports.MatrixStream(matrix.competences, counted(iter(matrix.rows), progress))
    if fmt == "xlsx":
        return reports.write_xlsx(stream, language, target)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write(BOM)
        return reports.write_csv(stream, language, handle)


# --- the certificates of an institution's employees ----------------------------------------------


def _certificates_query(institution_id: int) -> Any:
    return (
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(User.institution_id == institution_id)
    )


def certificates_total(institution_id: int) -> int:
    query = _certificates_query(institution_id).with_only_columns(func.count(Certificate.id))
    return db.session.scalar(query) or 0


def _certificate_records(institution_id: int, language: str) -> Iterator[list[Any]]:
    statuses = {
        certificates.VALID: gettext("Valid"),
        certificates.EXPIRED: gettext("Expired"),
        certificates.REVOKED: gettext("Revoked"),
    }
    yield [
        gettext("Serial number"),
        gettext("Employee"),
        gettext("E-mail"),
        gettext("Course"),
        gettext("Issuer"),
        gettext("Issued on"),
        gettext("Valid until"),
        gettext("Status"),
        gettext("Revoked on"),
        gettext("Reason"),
    ]
    query = (
        _certificates_query(institution_id)
        .options(
            joinedload(Certificate.user),
            joinedload(Certificate.institution),
            selectinload(Certificate.course).selectinload(Course.texts),
        )
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .execution_options(yield_per=500)
    )
    for row in db.session.scalars(query):
        yield [
            row.serial,
            row.learner_name,
            row.user.email,
            listing.title_in(row, language),
            row.institution.short_name,
            row.issued_on.isoformat(),
            row.expires_on.isoformat() if row.expires_on else "",
            statuses.get(certificates.status_of(row), ""),
            row.revoked_at.date().isoformat() if row.revoked_at else "",
            row.revoked_reason,
        ]


def _write_rows_csv(records: Iterator[list[Any]], out: IO[str]) -> None:
    out.write(BOM)
    writer = SafeWriter(out)
    for record in records:
        writer.writerow(record)


def _write_rows_xlsx(records: Iterator[list[Any]], target: str, sheet_name: str) -> None:
    import xlsxwriter  # only exports need it: not loaded into every worker at start-up

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(sheet_name)
    header = workbook.add_format({"bold": True})
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, next(records), header)
    for index, record in enumerate(records, start=1):
        for column, value in enumerate(record):
            if value != "":
                # Strings, never formulas: write() would turn "=..." into one.
                sheet.write_string(index, column, str(value))
    workbook.close()


def write_certificates(
    institution_id: int, fmt: str, language: str, target: str, progress: Progress
) -> int:
    """Every certificate of the institution's employees, newest first; the rows written."""
    records = _certificate_records(institution_id, language)
    header = next(records)
    written = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal written
        yield header
        for written, record in enumerate(counted(records, progress), start=1):  # noqa: B007
            yield record

    if fmt == "xlsx":
        _write_rows_xlsx(rows(), target, "certificates")
    else:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            _write_rows_csv(rows(), handle)
    return written
