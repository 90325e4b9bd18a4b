"""CSV that spreadsheets open safely: UTF-8 with a BOM, and no cell that runs as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

from flask import Response, stream_with_context

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


def csv_lines(rows: Iterable[Iterable[Any]], batch: int = 500) -> Iterator[str]:
    """The rows as CSV text, BOM first, `batch` rows at a time: an export of any size is sent
    while it is read, never held whole in memory."""
    out = io.StringIO()
    out.write(BOM)
    writer = SafeWriter(out)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % batch == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A streamed CSV download; `rows` is read lazily, inside the request's context."""
    return Response(
        stream_with_context(csv_lines(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as one CSV text, BOM first."""
    out = io.StringIO()
    out.write(BOM)
    writer = SafeWriter(out)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
