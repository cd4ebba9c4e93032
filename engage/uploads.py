"""Reading an uploaded table (CSV or the first sheet of an XLSX workbook) within fixed bounds, whatever the
file says about itself: a worker's time and memory stay bounded by the limits below, not by the file.

- The bytes: at most ``max_bytes`` are read from the upload (one more tells that it is too big).
- CSV: the delimiter is counted in the first non-blank line (linear; ``csv.Sniffer`` is quadratic on some
  lines); each record may use at most enough characters for ``max_columns`` full cells before the parser
  gives up, so no row can become millions of fields.
- XLSX: the archive's declared unpacked size is checked first (Python's zip reader never unpacks more than a
  member declares); every XML part is scanned by a streaming parser, with no document type allowed (no
  entity expansion) and a cap on elements; the first sheet is scanned for rows and columns that hold a
  value before openpyxl (read-only) reads it, and then only that range is read. The sheet's declared
  dimension is never trusted.
- Every cell holds at most ``max_cell`` characters; at most ``max_rows`` rows after the header and
  ``max_columns`` columns are read. Past any limit the file is refused as a whole, with one message.

The limits are settings (``ENGAGE_UPLOAD_*`` in engage/config.py, documented in docs/security.md)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any
from xml.parsers import expat

from flask import current_app, has_app_context

XLSX_MAGIC = b"PK\x03\x04"
#: Excel's own widest row: a row with more cell elements than this is no spreadsheet Excel wrote.
EXCEL_COLUMNS = 16_384
#: Elements in any part of a workbook other than its first sheet's rows and its shared strings (styles, the
#: workbook, relationships...). openpyxl builds each of those parts whole, at about 700 bytes an element, so
#: this keeps one under about 15 MB. Real ones hold hundreds; a bloated style sheet a few thousand.
MAX_PART_ELEMENTS = 20_000
#: Elements of the shared-strings part per row allowed (two per string): 500,000 by default, about 50 MB.
SHARED_STRING_ELEMENTS_PER_ROW = 25
#: Characters of text a workbook may hold per byte allowed in a file (a CSV holds at most one).
TEXT_PER_BYTE = 4
#: Members of a workbook (parts, images...). Excel writes about ten.
MAX_PARTS = 1_000


class UploadProblem(ValueError):
    """The file is refused; the message says why and what to do."""


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 5 * 1024 * 1024
    max_rows: int = 20_000
    max_columns: int = 200
    max_cell: int = 1_000
    max_unzipped: int = 50 * 1024 * 1024

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> UploadLimits:
        default = cls()
        return cls(
            max_bytes=int(config.get("ENGAGE_UPLOAD_MAX_BYTES", default.max_bytes)),
            max_rows=int(config.get("ENGAGE_UPLOAD_MAX_ROWS", default.max_rows)),
            max_columns=int(config.get("ENGAGE_UPLOAD_MAX_COLUMNS", default.max_columns)),
            max_cell=int(config.get("ENGAGE_UPLOAD_MAX_CELL", default.max_cell)),
            max_unzipped=int(config.get("ENGAGE_UPLOAD_MAX_UNZIPPED_BYTES", default.max_unzipped)),
        )

    @classmethod
    def current(cls) -> UploadLimits:
        """The app's limits, or the defaults outside an app."""
        return cls.from_config(current_app.config) if has_app_context() else cls()

    @property
    def megabytes(self) -> str:
        if self.max_bytes < 1024 * 1024:
            return f"{self.max_bytes // 1024:,} KB"
        return f"{self.max_bytes / (1024 * 1024):g} MB"

    def too_many_rows(self) -> UploadProblem:
        return UploadProblem(
            f"The file has more than {self.max_rows:,} rows after the header. Split it into smaller files "
            "and upload each one."
        )

    def too_many_columns(self) -> UploadProblem:
        return UploadProblem(
            f"The file has more than {self.max_columns:,} columns. Keep only the columns you need and upload "
            "it again."
        )

    def cell_too_long(self, row: int | None) -> UploadProblem:
        where = f"Row {row:,} has a cell" if row else "The file has a cell"
        return UploadProblem(
            f"{where} longer than {self.max_cell:,} characters. Shorten it and upload the file again."
        )

    def too_big(self) -> UploadProblem:
        return UploadProblem(f"The file is larger than {self.megabytes}. Split it into smaller files.")


def read_upload(stream: IO[bytes], limits: UploadLimits) -> bytes:
    """At most ``max_bytes`` of an uploaded file (UploadProblem when there is more)."""
    raw = stream.read(limits.max_bytes + 1)
    if len(raw) > limits.max_bytes:
        raise limits.too_big()
    return raw


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def guess_delimiter(text: str, delimiters: str = ",;\t|") -> str:
    """The delimiter used most, outside double quotes, in the first non-blank line (a comma when none is)."""
    counts = dict.fromkeys(delimiters, 0)
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start : min(end, start + 256 * 1024)]
        if line.strip():
            quoted = False
            for char in line:
                if char == '"':
                    quoted = not quoted
                elif not quoted and char in counts:
                    counts[char] += 1
            break
        start = end + 1
    best = max(delimiters, key=lambda d: counts[d])  # the first of equals wins: a comma
    return best if counts[best] else delimiters[0]


class _RecordBudget:
    """Feeds lines to csv.reader, refusing a record that grows past ``limit`` characters (``spent`` is reset
    by the caller before each record)."""

    def __init__(self, lines: Iterable[str], limit: int, limits: UploadLimits) -> None:
        self.lines, self.limit, self.limits, self.spent = iter(lines), limit, limits, 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.spent += len(line)
        if self.spent > self.limit:
            separators = sum(line.count(d) for d in ",;\t|")
            if separators > self.limits.max_columns:
                raise self.limits.too_many_columns()
            raise self.limits.cell_too_long(None)
        return line


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def csv_rows(text: str, limits: UploadLimits, delimiters: str = ",;\t|") -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped cells) of every non-blank record, the header first; UploadProblem past a
    limit. Excel-style quoting; the delimiter is guessed from the first line."""
    delimiter = guess_delimiter(text, delimiters)
    # Room for every allowed cell, its quotes and delimiter, and a line break each.
    budget = _RecordBudget(
        io.StringIO(text, newline=""), limits.max_columns * (limits.max_cell + 4) + 1024, limits
    )
    reader = csv.reader(budget, delimiter=delimiter, quotechar='"', doublequote=True)
    seen = 0
    while True:
        budget.spent = 0
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise limits.cell_too_long(reader.line_num) from error
            raise UploadProblem(f"Line {reader.line_num:,} could not be read: {error}.") from error
        cells = _trim([cell.strip() for cell in row])
        if not cells or not any(cells):
            continue
        if len(cells) > limits.max_columns:
            raise limits.too_many_columns()
        if any(len(cell) > limits.max_cell for cell in cells):
            raise limits.cell_too_long(reader.line_num)
        seen += 1
        if seen > limits.max_rows + 1:
            raise limits.too_many_rows()
        yield reader.line_num, cells


# --- XLSX ------------------------------------------------------------------------------------------------


class _Stop(Exception):
    """Raised inside an expat handler to end the scan early, with nothing wrong."""


class _Refused(Exception):
    """Raised inside an expat handler to stop the scan."""

    def __init__(self, problem: UploadProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


#: Excel's last row: a row numbered beyond it is no sheet Excel wrote (and openpyxl would fill the gap).
EXCEL_ROWS = 1_048_576


def _unsafe() -> UploadProblem:
    return UploadProblem(
        "The workbook could not be read safely. Save the sheet as CSV (or as a new Excel workbook) and "
        "upload that."
    )


def _column_number(reference: str) -> int:
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
            if number > EXCEL_COLUMNS:
                return EXCEL_COLUMNS + 1
        else:
            break
    return number


@dataclass
class _SheetScan:
    """What the first sheet really holds: its last row and column with a value."""

    last_row: int = 0
    last_column: int = 0


def _scan(archive: zipfile.ZipFile, name: str, limits: UploadLimits, sheet: bool) -> _SheetScan:
    """Stream one XML part through expat: no document type, bounded elements; for the sheet read, rows and
    columns that hold a value within the limits."""
    parser = expat.ParserCreate(namespace_separator=" ")
    scan = _SheetScan()
    state = {
        "elements": 0,
        "in_data": False,
        "row": 0,
        "column": 0,
        "cells_in_row": 0,
        "rows": 0,
        "value_rows": 0,
        "row_has_value": False,
        "cell_column": 0,
        "row_elements": 0,
    }
    shared_strings = name.endswith("sharedStrings.xml")
    element_cap = limits.max_rows * SHARED_STRING_ELEMENTS_PER_ROW if shared_strings else MAX_PART_ELEMENTS

    def doctype(*_args: object) -> None:
        raise _Refused(_unsafe())

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rsplit(" ", 1)[-1]
        if sheet and state["in_data"]:
            state["row_elements"] += 1
            if state["row_elements"] > 4 * EXCEL_COLUMNS:
                raise _Refused(_unsafe())
            if local == "row":
                state["row_elements"] = 0
                state["rows"] += 1
                if state["rows"] > 5 * limits.max_rows + 1_000:
                    raise _Refused(limits.too_many_rows())
                try:
                    state["row"] = int(attributes.get("r", ""))
                except ValueError:
                    state["row"] += 1
                if state["row"] > EXCEL_ROWS:
                    raise _Refused(_unsafe())
                state["column"] = state["cells_in_row"] = 0
                state["row_has_value"] = False
            elif local == "c":
                state["cells_in_row"] += 1
                if state["cells_in_row"] > EXCEL_COLUMNS:
                    raise _Refused(limits.too_many_columns())
                reference = attributes.get("r")
                state["column"] = _column_number(reference) if reference else state["column"] + 1
                state["cell_column"] = state["column"]
            elif local in ("v", "is"):  # the cell holds a value
                if state["cell_column"] > limits.max_columns:
                    raise _Refused(limits.too_many_columns())
                if not state["row_has_value"]:
                    state["row_has_value"] = True
                    state["value_rows"] += 1
                    if state["value_rows"] > limits.max_rows + 1:
                        raise _Refused(limits.too_many_rows())
                    scan.last_row = max(scan.last_row, state["row"])
                scan.last_column = max(scan.last_column, state["cell_column"])
            return
        state["elements"] += 1
        if state["elements"] > element_cap:
            raise _Refused(_unsafe() if not shared_strings else limits.too_many_rows())
        if local == "sheetData":
            if not sheet:
                raise _Stop  # another sheet, or this one before it is known: its rows are scanned later
            state["in_data"] = True

    def end(tag: str) -> None:
        if sheet and tag.rsplit(" ", 1)[-1] == "sheetData":
            state["in_data"] = False

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        pass
    except _Refused as refused:
        raise refused.problem from None
    except Exception as error:  # damaged XML, a damaged or encrypted member, a missing part...
        raise UploadProblem("The file looks like an Excel workbook but could not be opened") from error
    return scan


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, time):
        return value.isoformat()
    return str(value).strip()


def xlsx_rows(raw: bytes, limits: UploadLimits) -> Iterator[tuple[int, list[str]]]:
    """(sheet row number, cells) of every non-blank row of the first sheet, the header first."""
    from openpyxl import load_workbook

    unreadable = UploadProblem("The file looks like an Excel workbook but could not be opened")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    # NotImplementedError: a member claims a zip version or compression method zipfile cannot read (one
    # damaged byte in the central directory does it).
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise unreadable from error
    if len(members) > MAX_PARTS or sum(m.file_size for m in members) > limits.max_unzipped:
        raise UploadProblem(
            f"The workbook is larger than {limits.max_unzipped / (1024 * 1024):g} MB once unpacked. Save the "
            "sheet as CSV and upload that."
        )
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            _scan(archive, member.filename, limits, sheet=False)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        path = sheet._worksheet_path.lstrip("/")
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise unreadable from error
    try:
        scan = _scan(archive, path, limits, sheet=True)
        if not scan.last_row:
            return
        sheet.reset_dimensions()  # the declared dimension is not to be trusted
        rows = sheet.iter_rows(min_row=1, max_row=scan.last_row, max_col=scan.last_column, values_only=True)
        text = 0
        for number, values in enumerate(rows, start=1):
            if not any(v is not None for v in values):  # rows missing from the file come back empty
                continue
            cells = _trim([_cell(v) for v in values])
            if not cells:
                continue
            if any(len(cell) > limits.max_cell for cell in cells):
                raise limits.cell_too_long(number)
            # One shared string may fill every cell: a small workbook could hold far more text than its size.
            text += sum(len(cell) for cell in cells)
            if text > TEXT_PER_BYTE * limits.max_bytes:
                raise UploadProblem(
                    f"The workbook holds more than {TEXT_PER_BYTE * limits.max_bytes:,} characters of text. "
                    "Split it into smaller files, or save the sheet as CSV and upload that."
                )
            yield number, cells
    except UploadProblem:
        raise
    except Exception as error:  # a damaged sheet
        raise unreadable from error
    finally:
        workbook.close()


def table_rows(raw: bytes, limits: UploadLimits) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows of a CSV or XLSX file (told apart by content, not by name), header first."""
    if len(raw) > limits.max_bytes:
        raise limits.too_big()
    if raw.startswith(XLSX_MAGIC):
        return xlsx_rows(raw, limits)
    if b"\x00" in raw[:1024]:
        raise UploadProblem("The file must be CSV or an Excel workbook (XLSX)")
    return csv_rows(decode(raw), limits)
