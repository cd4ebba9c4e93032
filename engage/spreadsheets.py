"""Cells for CSV and Excel downloads that are safe to open in a spreadsheet, and the one way a view sends a
file to download.

Text from residents (free-text answers, suggestions, names) reaches the downloads. A cell starting with
=, +, -, @, a tab or a carriage return is run as a formula by Excel, LibreOffice and Google Sheets (CSV or
formula injection), and openpyxl writes such a string as a formula. Such text gets a leading apostrophe,
the spreadsheet convention for "this is text"; numbers, including negative ones written as text, are left
alone so the data stays machine-readable.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from flask import Response, stream_with_context

from engage.xlsx_writer import write_workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?%?")


def safe_cell(value: Any) -> Any:  # any cell value
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable | dict) -> list | dict:
    if isinstance(row, dict):
        return {key: safe_cell(value) for key, value in row.items()}
    return [safe_cell(value) for value in row]


class SafeWriter:
    """Wraps a csv.writer or csv.DictWriter so that every row written goes through `safe_row`."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable | dict) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable) -> None:
        for row in rows:
            self.writerow(row)

    def __getattr__(self, name: str) -> Any:  # writeheader and the rest pass through
        return getattr(self._writer, name)


#: The content type of each kind of file Engage offers to download, by its extension.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
    "pb": "text/plain; charset=utf-8",
}


def csv_line(row: Iterable) -> str:
    """One CSV row (ending in CRLF, as RFC 4180 says), its cells made safe."""
    return csv_text([row])


#: Separators other than the comma that a spreadsheet may split CSV at (Excel in much of Europe reads ";"):
#: a cell holding one could become two, the second starting with a formula ("x;=HYPERLINK(...)").
OTHER_SEPARATORS = (";", "\t", "|")


def _splittable(row: list) -> bool:
    return any(isinstance(value, str) and any(s in value for s in OTHER_SEPARATORS) for value in row)


def write_csv(rows: Iterable[Iterable], out: IO[str]) -> None:
    """Write rows as CSV (CRLF line ends) to ``out`` as they come, every cell made safe; a row with a cell
    that another separator could split has its text quoted, so that every spreadsheet reads the cell whole."""
    plain = SafeWriter(csv.writer(out))
    quoted = SafeWriter(csv.writer(out, quoting=csv.QUOTE_NONNUMERIC))
    for row in rows:
        cells = list(row)
        (quoted if _splittable(cells) else plain).writerow(cells)


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows as CSV text (see :func:`write_csv`)."""
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()


def write_xlsx(sheets: Mapping[str, Iterable[Iterable]], out: str | Path | IO[bytes]) -> None:
    """An Excel workbook with one sheet per entry ({title: rows}), in order, every cell made safe, written
    to ``out`` as it goes (engage/xlsx_writer.py), so a long export never holds a sheet of cells. A blank
    cell ("" or None) is left out of the file."""
    write_workbook({title: map(safe_row, rows) for title, rows in sheets.items()}, out)


def xlsx_bytes(sheets: Mapping[str, Iterable[Iterable]]) -> bytes:
    """The workbook of :func:`write_xlsx` as bytes (for small files)."""
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()


def streamed_csv(rows: Callable[[], Iterable[Iterable]], filename: str) -> Response:
    """A CSV download sent a row at a time as ``rows()`` makes them. ``rows`` is called only once the
    response is being sent: by then the view's database session has ended, so it must load what it
    needs again (by id), never use rows the view loaded."""

    def lines() -> Iterator[str]:
        for row in rows():
            yield csv_line(row)

    return download(stream_with_context(lines()), filename)


def download(body: str | bytes | Iterable[str], filename: str) -> Response:
    """A file the browser saves as ``filename``, its content type from the extension. ``body`` may be a
    generator (wrap it in ``stream_with_context`` when it reads the database) to stream a long file."""
    extension = filename.rsplit(".", 1)[-1]
    return Response(
        body,
        content_type=CONTENT_TYPES[extension],
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
