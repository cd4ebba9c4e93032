"""Cells for CSV and Excel downloads that are safe to open in a spreadsheet.

Text from residents (free-text answers, suggestions, names) reaches the downloads. A cell starting with
=, +, -, @, a tab or a carriage return is run as a formula by Excel, LibreOffice and Google Sheets (CSV or
formula injection), and openpyxl writes such a string as a formula. Such text gets a leading apostrophe,
the spreadsheet convention for "this is text"; numbers, including negative ones written as text, are left
alone so the data stays machine-readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

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


def safe_append(sheet: Any, row: Iterable) -> None:  # an openpyxl worksheet
    sheet.append(safe_row(row))
