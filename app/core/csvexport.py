"""CSV that spreadsheets open safely: UTF-8 with a BOM, and no cell that runs as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

# Excel reads UTF-8 (č, š, ž, đ, ć) only when the file starts with a byte-order mark.
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that would start a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A csv.writer whose every text cell is made safe."""

    def __init__(self, out: IO[str]) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as one CSV text, BOM first."""
    out = io.StringIO()
    out.write(BOM)
    writer = SafeWriter(out)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
