"""Query-string values: numbers bounded to what the database holds, and a list's own filters."""

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


def filter_args() -> dict[str, str]:
    """The request's filters, for links to the same list (exports, the pager, a form that
    comes back): not the page, not the empty ones, and none of url_for's own options
    ("_external", "_scheme", "_anchor"), which would let a link point somewhere else."""
    return {
        key: value
        for key, value in request.args.items()
        if value and key != "page" and not key.startswith("_")
    }
