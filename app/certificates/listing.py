"""Lists of certificates: a learner's own, HR's and administrators' with filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import defer, joinedload, lazyload, load_only, selectinload

from app.auth.models import User
from app.certificates.models import Certificate
from app.certificates.services import EXPIRED, REVOKED, VALID
from app.core.database import local_today
from app.core.i18n import pick_text
from app.courses.models import Course
from app.extensions import db

# A query of certificates, whatever else it selects or joins.
CertificateQuery = TypeVar("CertificateQuery", bound=Select[Any])


@dataclass
class CertificateFilters:
    course_id: int | None = None
    status: str | None = None
    search: str = ""
    year: int | None = None


def _filtered(
    query: CertificateQuery, filters: CertificateFilters, today: date
) -> CertificateQuery:
    if filters.course_id:
        query = query.where(Certificate.course_id == filters.course_id)
    if filters.year:
        query = query.where(
            Certificate.issued_on >= date(filters.year, 1, 1),
            Certificate.issued_on <= date(filters.year, 12, 31),
        )
    if filters.search:
        pattern = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Certificate.learner_name).like(pattern),
                func.lower(Certificate.serial).like(pattern),
            )
        )
    if filters.status == REVOKED:
        query = query.where(Certificate.revoked_at.is_not(None))
    elif filters.status == EXPIRED:
        query = query.where(Certificate.revoked_at.is_(None), Certificate.expires_on < today)
    elif filters.status == VALID:
        query = query.where(
            Certificate.revoked_at.is_(None),
            or_(Certificate.expires_on.is_(None), Certificate.expires_on >= today),
        )
    return query


def _shown(query: Select[Any]) -> Select[Any]:
    """What a row of the list shows, loaded alongside; the signed credential and the other
    large columns are not shown, so they are not read."""
    return query.options(
        defer(Certificate.credential),
        defer(Certificate.course_summaries),
        defer(Certificate.competences),
        # The learner's e-mail, not their institution and job role (User's own joined
        # loads): SQLite would join every user to their institution to find fifty.
        joinedload(Certificate.user).options(
            load_only(User.id, User.email, User.institution_id),
            lazyload(User.institution),
            lazyload(User.job_role),
        ),
        joinedload(Certificate.institution),
        selectinload(Certificate.course).selectinload(Course.texts),
    )


def certificates_query(institution_id: int | None, filters: CertificateFilters) -> Select[Any]:
    """Certificates, newest first: of one institution's employees, or all (institution None);
    a query to page through or stream, with what a row shows loaded alongside."""
    query = _shown(select(Certificate))
    if institution_id is not None:
        # HR sees their own employees' certificates, whichever partner issued them.
        query = query.join(User, User.id == Certificate.user_id).where(
            User.institution_id == institution_id
        )
    return _filtered(query, filters, local_today()).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc()
    )


def paginate(query: Select[Any], per_page: int) -> Pagination:
    """A page of certificates_query: the page's ids are sorted out of the narrow rows (issued
    at and id), then only those fifty certificates are read whole, by their ids. With the
    learner's own joins left out (_shown), the page at scale L: 424 -> 33 ms."""
    page = db.paginate(query.with_only_columns(Certificate.id), per_page=per_page, error_out=False)
    ids = list(page.items)
    found = {
        certificate.id: certificate
        # By their ids alone: the filters have chosen them (with the filters, SQLite would
        # read the institution's certificates again rather than look up fifty).
        for certificate in db.session.scalars(
            _shown(select(Certificate)).where(Certificate.id.in_(ids))
        ).unique()
    }
    page.items = [found[certificate_id] for certificate_id in ids]
    return page


def stream(query: Select[Any], chunk: int = 500) -> Iterator[Certificate]:
    """The query's certificates read `chunk` rows at a time (for exports of any size)."""
    yield from db.session.scalars(query.execution_options(yield_per=chunk))


def title_in(certificate: Certificate, language: str) -> str:
    """The course title as it was certified, in the reader's language or the best fallback."""
    return pick_text(certificate.course_titles, language)


def learner_certificates(user_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .options(joinedload(Certificate.institution))
            .order_by(Certificate.issued_at.desc())
        )
    )


def issued_years() -> list[int]:
    """The years the filter offers, newest first: from the first certificate's to the last's.

    Two lookups in the issued_on index (a subquery each, so that SQLite too reads one end of
    the index for each), not a scan of every certificate on each view of the list.
    """
    first, last = db.session.execute(
        select(
            select(func.min(Certificate.issued_on)).scalar_subquery(),
            select(func.max(Certificate.issued_on)).scalar_subquery(),
        )
    ).one()
    if first is None or last is None:
        return []
    return list(range(last.year, first.year - 1, -1))
