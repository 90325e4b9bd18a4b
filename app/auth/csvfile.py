"""Reading an accounts file: UTF-8 CSV (with or without BOM), comma or semicolon, named columns.

Excel in Slovenia and Croatia saves "CSV" with semicolons, and in the Windows code page
(cp1250) unless "CSV UTF-8" is chosen: a file that is not UTF-8 is refused with a message that
says how to save it, rather than read with č, š and ž turned into other letters.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext, ngettext

from app.core.errors import DomainError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# Each column by the names a header may give it (compared in lower case, with "_" and "-" as
# spaces); English names, and the Slovenian and Croatian ones HR are likely to type.
COLUMNS = {
    "email": ("e mail", "email", "e pošta", "e posta", "elektronska pošta"),
    "name": ("name", "full name", "ime", "ime in priimek", "ime i prezime"),
    "job_role": ("job role", "delovno mesto", "radno mjesto"),
    "role": ("role", "roles", "vloga", "vloge", "uloga", "uloge"),
    "language": ("language", "jezik"),
}


class CsvFileError(DomainError):
    """The file as a whole cannot be read: nothing in it is imported."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # the line of the file the row starts on, as a text editor counts
    values: dict[str, str]  # column key (COLUMNS) -> the cell, stripped


def decode(data: bytes) -> str:
    """The file's text; a clear error when it is not UTF-8 or too large."""
    if len(data) > MAX_BYTES:
        raise CsvFileError(gettext("The file is larger than 2 MB. Please split it."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvFileError(
            gettext(
                "The file is not in UTF-8 (line %(line)d). In Excel, save it as "
                "\u201cCSV UTF-8 (comma delimited)\u201d; in LibreOffice choose the "
                "character set \u201cUnicode (UTF-8)\u201d.",
                line=line,
            )
        ) from error


def _key(header: str) -> str | None:
    name = " ".join(header.strip().lower().replace("_", " ").replace("-", " ").split())
    for key, names in COLUMNS.items():
        if name in names:
            return key
    return None


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _columns(header: list[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    unknown = []
    for index, cell in enumerate(header):
        key = _key(cell)
        if key is None:
            if cell.strip():
                unknown.append(cell.strip())
            continue
        if key in columns.values():
            raise CsvFileError(
                gettext("The column \u201c%(name)s\u201d appears twice.", name=cell.strip())
            )
        columns[index] = key
    missing = [key for key in COLUMNS if key not in columns.values()]
    if missing:
        names = ", ".join(COLUMNS[key][0].replace("e mail", "e-mail") for key in missing)
        message = ngettext(
            "The first line must name the columns; this one is missing: %(names)s.",
            "The first line must name the columns; these are missing: %(names)s.",
            len(missing),
            names=names,
        )
        if unknown:
            message += " " + gettext(
                "Columns not recognised: %(names)s.", names=", ".join(unknown[:10])
            )
        raise CsvFileError(message)
    return columns


def read(text: str) -> list[CsvRow]:
    """The rows under the header, each with its line number; blank rows are skipped."""
    if "\x00" in text:
        raise CsvFileError(gettext("This is not a CSV file."))
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = next(reader, None)
        if header is None:
            raise CsvFileError(gettext("The file is empty."))
        columns = _columns(header)
        rows = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                values = dict.fromkeys(COLUMNS, "")
                for index, cell in enumerate(cells):
                    if index in columns:
                        values[columns[index]] = cell.strip()
                rows.append(CsvRow(line, values))
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise CsvFileError(
                    gettext(
                        "The file has more than %(count)d rows. Please split it.", count=MAX_ROWS
                    )
                )
    except csv.Error as error:
        raise CsvFileError(
            gettext(
                "Line %(line)d cannot be read as CSV: %(error)s",
                line=reader.line_num,
                error=str(error),
            )
        ) from error
    if not rows:
        raise CsvFileError(gettext("The file has no rows under its header."))
    return rows
