"""A small streaming writer of Excel workbooks (.xlsx): every sheet's XML is written straight into the zip as
its rows come, one string per row, with the text inline in its cell (no shared-strings table to hold).

openpyxl's write-only mode builds an object and an XML element per cell, which made a 50,000-response export
take about 15 s of processor time in the writer alone; this writes the same cells in about a tenth of that
(docs/benchmarks.md). Reading workbooks stays with openpyxl (engage/uploads.py).

Cells: ``None`` and ``""`` are left out (an empty cell); ``bool`` is a boolean; ``int``, ``float``,
``Decimal`` and NumPy's numbers are numbers (NaN and infinities, which Excel has no number for, are written
as text); a ``datetime`` or ``date`` is a date number with a date format (a datetime with a time zone is
given in UTC); anything else is text, its XML escaped and the characters XML 1.0 cannot hold removed.
Making text safe from formula injection is the caller's job (engage/spreadsheets.py does it for every
download).
"""

from __future__ import annotations

import math
import numbers
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

#: Characters XML 1.0 forbids (the C0 controls but tab, newline and carriage return; lone surrogates; the
#: two non-characters U+FFFE and U+FFFF): a workbook containing one will not open.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Excel's limit on a cell's text and on a sheet's name.
MAX_CELL_TEXT = 32_767
MAX_TITLE = 31
#: Excel's day 0 (it counts 1900 as a leap year, so serial numbers from 1 March 1900 count from here).
EPOCH = datetime(1899, 12, 30)
#: Style indexes in styles.xml: 0 plain, 1 a date, 2 a date and time.
DATE_STYLE, DATETIME_STYLE = 1, 2

#: XML's escapes, and a carriage return as a reference (XML readers turn a literal one into a newline).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def clean_text(value: str) -> str:
    """``value`` as XML may hold it: forbidden characters removed, cut at Excel's limit, escaped."""
    if ILLEGAL_XML.search(value):
        value = ILLEGAL_XML.sub("", value)
    return value[:MAX_CELL_TEXT].translate(_ESCAPES)


def column_letters(index: int) -> str:
    """The column's letters from its 0-based index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _serial(value: datetime | date) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        delta = value - EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86_400
    return float((value - EPOCH.date()).days)


def _text_cell(ref: str, text: str) -> str:
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def cell_xml(ref: str, value: Any) -> str:
    """One cell's XML at ``ref`` (e.g. "B7"); an empty string for an empty cell."""
    kind = type(value)
    if kind is str:
        return _text_cell(ref, clean_text(value)) if value else ""
    if kind is int:
        return f'<c r="{ref}"><v>{value}</v></c>'
    if kind is float:
        if math.isfinite(value):
            return f'<c r="{ref}"><v>{value!r}</v></c>'
        return _text_cell(ref, str(value))
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        return f'<c r="{ref}" s="{DATETIME_STYLE}"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, time):
        return _text_cell(ref, value.isoformat())
    if isinstance(value, numbers.Integral):  # IntEnum, NumPy's integers
        return cell_xml(ref, int(value))
    if isinstance(value, numbers.Real | Decimal):  # NumPy's floats, Fraction, Decimal
        return cell_xml(ref, float(value))
    text = str(value)
    return _text_cell(ref, clean_text(text)) if text else ""


def sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (no []:*?/\\, at most 31 characters, unique ignoring case)."""
    name = _TITLE_FORBIDDEN.sub("_", ILLEGAL_XML.sub("", title)).strip("'")[:MAX_TITLE] or "Sheet"
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: MAX_TITLE - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _write_rows(out: IO[bytes], rows: Iterable[Iterable]) -> tuple[int, int]:
    """The rows' XML (what goes in <sheetData>); returns how many rows and columns there were."""
    letters: list[str] = []
    buffer: list[str] = []
    number = 0
    for number, row in enumerate(rows, start=1):
        cells = []
        for index, value in enumerate(row):
            if index >= len(letters):
                letters.append(column_letters(index))
            if value is None or value == "":
                continue
            cells.append(cell_xml(f"{letters[index]}{number}", value))
        buffer.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(buffer) >= 500:
            out.write("".join(buffer).encode("utf-8", "replace"))
            buffer.clear()
    out.write("".join(buffer).encode("utf-8", "replace"))
    return number, len(letters)


def _write_sheet(out: IO[bytes], rows: Iterable[Iterable]) -> None:
    """The sheet's XML. Its rows go to a temporary file first, so that the sheet can start with its size
    (<dimension>): without it, readers such as openpyxl's read-only mode (and pandas) read the whole sheet
    once more to find it (6 s for 50,000 responses)."""
    with tempfile.TemporaryFile() as body:
        count, width = _write_rows(body, rows)
        size = f"A1:{column_letters(width - 1)}{count}" if count and width else "A1"
        out.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + f'<dimension ref="{size}"/><sheetData>'.encode()
        )
        body.seek(0)
        shutil.copyfileobj(body, out, 1 << 20)
    out.write(b"</sheetData></worksheet>")


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _package_parts(titles: list[str]) -> dict[str, str]:
    """Every part but the sheets: content types, relationships, the workbook and its styles."""
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
        for n in range(1, len(titles) + 1)
    )
    office = "application/vnd.openxmlformats-officedocument"
    types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{office}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{office}.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'{_XML}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    sheets = "".join(
        f'<sheet name="{title.translate(_ESCAPES)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in enumerate(titles, start=1)
    )
    workbook = f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>{sheets}</sheets></workbook>'
    workbook_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(titles) + 1)
    )
    styles_id = len(titles) + 1
    workbook_rels = (
        f'{_XML}<Relationships xmlns="{_RELS}">{workbook_rels}'
        f'<Relationship Id="rId{styles_id}" Type="{_DOC_RELS}/styles" Target="styles.xml"/></Relationships>'
    )
    return {
        "[Content_Types].xml": types,
        "_rels/.rels": root_rels,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/styles.xml": STYLES,
    }


def write_workbook(sheets: Mapping[str, Iterable[Iterable]], out: str | Path | IO[bytes]) -> None:
    """A workbook with one sheet per entry ({title: rows}), in order, each sheet written as its rows come.
    Cells are written as they are (see the module's notes): make them safe before."""
    taken: set[str] = set()
    titles = [sheet_title(title, taken) for title in sheets] or ["Sheet"]
    # Deflate's default level: for 50,000 responses 7.3 MB in 3.0 s of processor time, against 10.9 MB in
    # 2.0 s at level 1 (measured 2026-11-29); the smaller download is worth the second.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as book:
        for name, text in _package_parts(titles).items():
            book.writestr(name, text)
        for number, rows in enumerate(sheets.values() or [[]], start=1):
            with book.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
                _write_sheet(part, rows)
