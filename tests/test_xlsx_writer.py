"""The streaming workbook writer (engage/xlsx_writer.py), read back with openpyxl as a spreadsheet program
would: cell types, escaping, characters XML cannot hold, sheet names, and formula injection through
engage.spreadsheets."""

from __future__ import annotations

import io
import math
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from engage.spreadsheets import xlsx_bytes
from engage.xlsx_writer import column_letters, write_workbook


def _read(sheets, *, safe: bool = False):
    out = io.BytesIO()
    if safe:
        out.write(xlsx_bytes(sheets))
    else:
        write_workbook(sheets, out)
    return load_workbook(io.BytesIO(out.getvalue()))


def test_numbers_booleans_and_dates_keep_their_type():
    book = _read(
        {
            "Types": [
                [1, -2.5, 10**15, True, False, Decimal("3.25")],
                [date(2026, 3, 4), datetime(2026, 3, 4, 13, 45, 30), 0.1, 1e-7],
                [datetime(2026, 3, 4, 14, 0, tzinfo=timezone(timedelta(hours=1))), math.nan, math.inf],
            ]
        }
    )
    sheet = book["Types"]
    first = [cell.value for cell in sheet[1]]
    assert first == [1, -2.5, 10**15, True, False, 3.25]
    assert [type(value) for value in first[:5]] == [int, float, int, bool, bool]
    assert sheet["A2"].value == datetime(2026, 3, 4) and sheet["A2"].is_date
    assert sheet["B2"].value == datetime(2026, 3, 4, 13, 45, 30) and sheet["B2"].is_date
    assert sheet["C2"].value == 0.1 and sheet["D2"].value == 1e-7
    assert sheet["A3"].value == datetime(2026, 3, 4, 13, 0)  # given in UTC
    # Excel has no number for these: they are written as text, not as a broken file.
    assert (sheet["B3"].value, sheet["C3"].value) == ("nan", "inf")


def test_empty_cells_are_left_out_and_later_cells_keep_their_column():
    sheet = _read({"Gaps": [["a", "", None, 4], [], [None, "b"]]})["Gaps"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_row=3, max_col=4)] == [
        ["a", None, None, 4],
        [None, None, None, None],
        [None, "b", None, None],
    ]
    assert sheet.max_row == 3


def test_text_is_escaped_and_keeps_its_spaces_lines_and_scripts():
    texts = [
        'More evening <appointments> & a "late" bus\'s stop',
        "  leading and trailing  ",
        "two\nlines\r\nand a\ttab",
        "Mwy o apwyntiadau gyda'r nos ym Mhen-y-bont: ŵ ŷ â",  # Welsh
        "شام کے اوقات میں مزید ملاقاتیں",  # Urdu
        "Więcej wizyt wieczorem",  # Polish
        "emoji 🚌 and ]]> and &amp;",
    ]
    sheet = _read({"Text": [[text] for text in texts]})["Text"]
    assert [sheet.cell(row=n, column=1).value for n in range(1, len(texts) + 1)] == texts


def test_characters_xml_cannot_hold_are_removed_not_a_broken_file():
    row = ["bell\x07 vertical\x0btab\x00 form\x0cfeed", "lone \ud800 surrogate\ufffe"]
    sheet = _read({"Bad": [row]})["Bad"]
    assert sheet["A1"].value == "bell verticaltab formfeed"
    assert sheet["B1"].value == "lone  surrogate"


def test_text_beyond_excels_limit_is_cut_at_it():
    sheet = _read({"Long": [["x" * 40_000]]})["Long"]
    assert len(sheet["A1"].value) == 32_767


def test_sheet_names_excel_refuses_are_made_acceptable_and_unique():
    title = "Results: 2026/27 [draft]?"
    book = _read({title: [["a"]], title.lower(): [["b"]], "x" * 40: [], "X" * 31: []})
    assert book.sheetnames == [
        "Results_ 2026_27 _draft__",
        "results_ 2026_27 _draft__ (2)",
        "x" * 31,
        "X" * 27 + " (2)",
    ]
    assert book.sheetnames[0] in book and book.worksheets[1]["A1"].value == "b"


def test_column_letters_run_as_excels_do():
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702, 16_383)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]
    sheet = _read({"Wide": [list(range(60))]})["Wide"]
    assert sheet["BH1"].value == 59 and sheet.max_column == 60


@pytest.mark.parametrize(
    "dangerous",
    ["=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", '=HYPERLINK("x")'],
)
def test_formulas_from_residents_stay_text_through_the_apps_writer(dangerous):
    sheet = _read({"Responses": [["answer", dangerous, "-12.5", -3]]}, safe=True)["Responses"]
    cell = sheet["B1"]
    assert cell.data_type == "s" and cell.value == "'" + dangerous
    # A number written as text stays as it was; a real number stays a number.
    assert sheet["C1"].value == "-12.5" and sheet["D1"].value == -3


def test_the_file_is_a_workbook_excel_can_open():
    """The parts Excel insists on are there, and the sheet is written straight into the zip (no shared
    strings to build first)."""
    out = io.BytesIO()
    write_workbook({"One": [["a", 1]], "Two": ([n] for n in range(3))}, out)
    names = set(zipfile.ZipFile(io.BytesIO(out.getvalue())).namelist())
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    } == names
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    assert [[cell.value for cell in row] for row in book["Two"].iter_rows()] == [[0], [1], [2]]


def test_a_workbook_with_no_sheets_still_opens():
    assert _read({}).sheetnames == ["Sheet"]


def test_aware_utc_datetimes_are_written_as_they_are():
    sheet = _read({"When": [[datetime(2026, 11, 29, 6, 0, tzinfo=UTC)]]})["When"]
    assert sheet["A1"].value == datetime(2026, 11, 29, 6, 0)


def test_each_sheet_says_its_size_so_a_reader_need_not_read_it_twice():
    out = io.BytesIO()
    write_workbook({"Sized": [["a", 1, None], ["b"]], "Empty": []}, out)
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    assert book["Sized"].calculate_dimension() == "A1:C2"
    assert book["Empty"].calculate_dimension() == "A1:A1"
    assert list(book["Sized"].iter_rows(values_only=True)) == [("a", 1, None), ("b", None, None)]


def test_numpy_numbers_are_numbers():
    import numpy as np

    sheet = _read({"NumPy": [[np.int64(7), np.float64(2.5), np.float32(0.5), np.bool_(True)]]})["NumPy"]
    assert [cell.value for cell in sheet[1]][:3] == [7, 2.5, 0.5]
    assert isinstance(sheet["A1"].value, int)
