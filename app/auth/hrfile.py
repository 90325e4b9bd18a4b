"""Reading a load from an HR system (docs/hr-sync.md): JSON, or CSV with an optional units file."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

PEOPLE_COLUMNS = ("email", "name", "unit", "job_role", "manager_email", "active")
UNIT_COLUMNS = ("code", "name", "parent")
TRUE = {"", "1", "true", "yes", "y", "da"}
FALSE = {"0", "false", "no", "n", "ne"}


@dataclass(frozen=True)
class UnitRecord:
    where: str  # "units.csv line 3" or "units[2]": how the report names the record
    code: str
    name: str
    parent: str


@dataclass(frozen=True)
class PersonRecord:
    where: str
    email: str
    name: str
    unit: str
    job_role: str
    manager: str
    active: bool


@dataclass
class Load:
    units: list[UnitRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _active(value: Any, where: str, load: Load) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    load.errors.append(f"{where}: active must be true or false, not {value!r}")
    return True


def _person(row: dict[str, Any], where: str, load: Load) -> None:
    load.people.append(
        PersonRecord(
            where=where,
            email=_text(row.get("email")).lower(),
            name=_text(row.get("name")),
            unit=_text(row.get("unit")),
            job_role=_text(row.get("job_role")),
            manager=_text(row.get("manager_email")).lower(),
            active=_active(row.get("active"), where, load),
        )
    )


def _unit(row: dict[str, Any], where: str, load: Load) -> None:
    load.units.append(
        UnitRecord(where, _text(row.get("code")), _text(row.get("name")), _text(row.get("parent")))
    )


def _csv_rows(
    text: str, name: str, columns: tuple[str, ...], load: Load
) -> list[tuple[str, dict[str, Any]]]:
    """The rows of a CSV file with a header, each with the line it starts on."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [column for column in columns[:2] if column not in header]
    unknown = [column for column in header if column not in columns]
    if missing or unknown:
        load.errors.append(
            f"{name} line 1: the header must be {','.join(columns)}"
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
        return []
    rows = []
    line = reader.line_num
    for row in reader:
        if None in row:
            load.errors.append(f"{name} line {line + 1}: more fields than the header names")
        elif any(_text(value) for value in row.values()):
            rows.append((f"{name} line {line + 1}", row))
        line = reader.line_num
    return rows


def read_csv(people: str, units: str | None = None, names: tuple[str, str] = ("", "")) -> Load:
    """People from one CSV file, units (if any) from another; `names` name them in errors."""
    load = Load()
    people_name, units_name = names[0] or "people", names[1] or "units"
    if units is not None:
        for where, row in _csv_rows(units, units_name, UNIT_COLUMNS, load):
            _unit(row, where, load)
    for where, row in _csv_rows(people, people_name, PEOPLE_COLUMNS, load):
        _person(row, where, load)
    return load


def read_json(text: str) -> Load:
    """{"units": [{code, name, parent}], "people": [{email, name, unit, job_role, ...}]}."""
    load = Load()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        load.errors.append(f"line {error.lineno}: not JSON ({error.msg})")
        return load
    if not isinstance(data, dict) or not isinstance(data.get("people"), list):
        load.errors.append('the file must be an object with a list "people" (and "units")')
        return load
    units = data.get("units") or []
    if not isinstance(units, list):
        load.errors.append('"units" must be a list')
        units = []
    for kind, items, read in (("units", units, _unit), ("people", data["people"], _person)):
        for index, item in enumerate(items):
            where = f"{kind}[{index}]"
            if isinstance(item, dict):
                read(item, where, load)
            else:
                load.errors.append(f"{where}: must be an object")
    return load
