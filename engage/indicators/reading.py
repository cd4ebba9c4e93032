"""Reading an indicator export as a header and rows of text, whatever the system wrote: CSV in UTF-8 (with or
without a byte-order mark) or Windows-1252, comma, semicolon, tab or pipe separated, Excel-style quoting,
blank rows; or the first sheet of an XLSX workbook."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook

#: Refuse bigger files: an export of every indicator for ten years is well under this.
MAX_BYTES = 5 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class FileProblem(ValueError):
    """The file cannot be read at all (not CSV or XLSX, empty, too big, no header)."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    #: (line or sheet row number, cells) for every non-blank row after the header
    rows: list[tuple[int, list[str]]]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_csv(raw: bytes) -> Table:
    text = _decode(raw)
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    lines = [(reader.line_num, [cell.strip() for cell in row]) for row in reader]
    return _table(lines)


def _read_xlsx(raw: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileProblem("The file looks like an Excel workbook but could not be opened") from error
    sheet = workbook.worksheets[0]
    lines = [(n, [_cell(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    workbook.close()
    return _table(lines)


def _table(lines: list[tuple[int, list[str]]]) -> Table:
    filled = [(n, cells) for n, cells in lines if any(cells)]
    if not filled:
        raise FileProblem("The file is empty")
    (_, headers), rows = filled[0], filled[1:]
    if len([h for h in headers if h]) < 2:
        raise FileProblem("The first row must name the columns (for example Indicator Ref, Board, Actual)")
    width = len(headers)
    return Table(headers, [(n, (cells + [""] * width)[:width]) for n, cells in rows])


def read_table(raw: bytes, filename: str = "") -> Table:
    """The header and rows of a CSV or XLSX file (told apart by content, not by name)."""
    if not raw:
        raise FileProblem("The file is empty")
    if len(raw) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if raw.startswith(XLSX_MAGIC):
        return _read_xlsx(raw)
    if b"\x00" in raw[:1024]:
        raise FileProblem("The file must be CSV or an Excel workbook (XLSX)")
    return _read_csv(raw)
