"""Downloads are safe to open in a spreadsheet: residents' text cannot become a formula."""

from __future__ import annotations

import csv
import io
import re

import pytest

from engage.spreadsheets import safe_cell
from tests.conftest import sign_in
from tests.downloads import prepared_file
from tests.surveys.test_consultations import first_page, second_page


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3", "'-2+3"),
        ("\tsomething", "'\tsomething"),
        ("-12.5", "-12.5"),  # a number written as text stays a number
        ("+3%", "+3%"),
        ("More evening appointments", "More evening appointments"),
        (-4, -4),
        (None, None),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_marked_as_text(value, safe):
    assert safe_cell(value) == safe


def test_a_residents_formula_stays_text_in_the_csv_and_excel_downloads(
    client, make_consultation, hwb, officer
):
    from openpyxl import load_workbook

    consultation = make_consultation()
    anything = consultation.sections[1].questions[4]
    page_two = second_page(consultation, hwb) | {f"q{anything.id}": '=HYPERLINK("http://evil.example","x")'}
    client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
    client.post(f"/consultations/{consultation.id}/sections/2", data=page_two)
    html = client.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
    client.post(f"/consultations/{consultation.id}/check", data={"key": key})
    sign_in(client, officer)
    rows = list(
        csv.reader(io.StringIO(client.get(f"/manage/consultations/{consultation.id}/responses.csv").text))
    )
    column = rows[0].index(f"q{anything.id}")
    assert rows[1][column] == '\'=HYPERLINK("http://evil.example","x")'
    book = load_workbook(
        io.BytesIO(prepared_file(client, f"/manage/consultations/{consultation.id}/responses.xlsx"))
    )
    cell = book["Responses"].cell(row=2, column=column + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_cell_another_separator_could_split_is_quoted_whole():
    from engage.spreadsheets import csv_text

    # Excel set to ";" would read x;=1+1 unquoted as two cells, the second a live formula.
    assert csv_text([["x;=1+1", 3, None], ["plain", 4, "y"]]) == '"x;=1+1",3,""\r\nplain,4,y\r\n'
    assert list(csv.reader(io.StringIO(csv_text([["a\t=1", 2.5]])))) == [["a\t=1", "2.5"]]
