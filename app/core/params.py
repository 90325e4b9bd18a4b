"""Numbers from the query string, bounded to what the database and the calendar hold."""

from __future__ import annotations

from flask import request

from app.core.security import MAX_ID


def arg_id(name: str, source: str = "args") -> int | None:
    """A row id from `?name=` (or the posted form's field): a positive integer the database
    can hold, else None."""
    values = request.form if source == "form" else request.args
    value = values.get(name, "")
    if not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def arg_year(name: str) -> int | None:
    """A calendar year from `?name=` (1 to 9999, what a date can hold), else None."""
    value = request.args.get(name, "")
    if not value.isdigit() or len(value) > 4:
        return None
    return int(value) or None
