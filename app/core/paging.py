"""Paging of queries that select rows of several columns (reports), beside db.paginate, which
pages ORM objects and would keep only each row's first column."""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Row, Select

from app.extensions import db


class RowPagination(SelectPagination):
    def _query_items(self) -> list[Row[Any]]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate_rows(query: Select[Any], per_page: int, total: int | None = None) -> RowPagination:
    """A page of `query`'s rows, the page number from the request (?page=), never an error.

    `total`, when the caller already knows it (from its own aggregate), spares the count query.
    """
    page = RowPagination(
        select=query, session=db.session(), per_page=per_page, error_out=False, count=total is None
    )
    if total is not None:
        page.total = total
    return page
