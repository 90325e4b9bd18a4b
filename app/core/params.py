"""Numbers from the query string, bounded to what the database and the calendar hold."""

from __future__ import annotations

import re

from flask import request

from app.core.security import MAX_ID

# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
DIGITS = re.compile(r"[0-9]{1,10}")
YEAR = re.compile(r"[0-9]{1,4}")


def parse_id(value: str) -> int | None:
    """A positive integer the database's integer columns can hold, from text; else None."""
    if not DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def arg_id(name: str, source: str = "args") -> int | None:
    """A row id from `?name=` (or the posted form's field): a positive integer the database
    can hold, else None."""
    values = request.form if source == "form" else request.args
    return parse_id(values.get(name, ""))


def arg_year(name: str) -> int | None:
    """A calendar year from `?name=` (1 to 9999, what a date can hold), else None."""
    value = request.args.get(name, "")
    if not YEAR.fullmatch(value):
        return None
    return int(value) or None
