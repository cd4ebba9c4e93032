"""Reading an indicator export as a header and rows of text, whatever the system wrote: CSV in UTF-8 (with or
without a byte-order mark) or Windows-1252, comma, semicolon, tab or pipe separated, Excel-style quoting,
blank rows; or the first sheet of an XLSX workbook. Bounded in rows, columns, cell length and size
(engage/uploads.py)."""

from __future__ import annotations

from dataclasses import dataclass

from engage.uploads import UploadLimits, UploadProblem, table_rows


class FileProblem(UploadProblem):
    """The file cannot be read at all (not CSV or XLSX, empty, too big, too wide or long, no header)."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    #: (line or sheet row number, cells) for every non-blank row after the header
    rows: list[tuple[int, list[str]]]


#: Longest column heading: each one is offered in every "which column?" list of the preview.
MAX_HEADER = 100


def read_table(raw: bytes, filename: str = "", limits: UploadLimits | None = None) -> Table:
    """The header and rows of a CSV or XLSX file (told apart by content, not by name)."""
    limits = limits or UploadLimits.current()
    if not raw:
        raise FileProblem("The file is empty")
    try:
        lines = table_rows(raw, limits)
        first = next(lines, None)
        if first is None:
            raise FileProblem("The file is empty")
        headers = first[1]
        if len([h for h in headers if h]) < 2:
            raise FileProblem(
                "The first row must name the columns (for example Indicator Ref, Board, Actual)"
            )
        if any(len(h) > MAX_HEADER for h in headers):
            raise FileProblem(
                f"A column heading in the first row is longer than {MAX_HEADER} characters. Shorten it and "
                "upload the file again."
            )
        width = len(headers)
        rows = [(n, (cells + [""] * width)[:width]) for n, cells in lines]
    except FileProblem:
        raise
    except UploadProblem as problem:
        raise FileProblem(str(problem)) from problem
    return Table(headers, rows)
