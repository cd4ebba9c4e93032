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
    column = rows[0].index(f"q{consultation.questions.index(anything) + 1}")  # columns go by number, not id
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


def test_the_excel_download_holds_what_the_csv_download_holds(app, make_consultation, hwb, officer):
    """Three residents' answers (Welsh, Urdu, a formula, a pasted control character, a question left
    blank) in both downloads: the same cells, numbers as numbers in the workbook, blanks empty, the control
    character (which XML cannot hold) dropped from the workbook only."""
    from openpyxl import load_workbook

    consultation = make_consultation()
    anything = consultation.sections[1].questions[4]
    town = consultation.sections[1].questions[3]
    texts = [
        ("Mwy o apwyntiadau gyda'r nos, ŵ ŷ", "Pen-y-bont"),
        ("شام کے اوقات میں مزید ملاقاتیں", "=cmd|' /C calc'!A0"),
        ("Pasted\x07 from a form", ""),
    ]
    for written, place in texts:
        resident = app.test_client()
        page_two = second_page(consultation, hwb) | {f"q{anything.id}": written, f"q{town.id}": place}
        resident.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
        resident.post(f"/consultations/{consultation.id}/sections/2", data=page_two)
        html = resident.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
        key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
        assert resident.post(f"/consultations/{consultation.id}/check", data={"key": key}).status_code == 302
    client = app.test_client()
    sign_in(client, officer)
    csv_rows = list(
        csv.reader(io.StringIO(client.get(f"/manage/consultations/{consultation.id}/responses.csv").text))
    )
    book = load_workbook(
        io.BytesIO(prepared_file(client, f"/manage/consultations/{consultation.id}/responses.xlsx"))
    )
    sheet = book["Responses"]
    width = len(csv_rows[0])
    xlsx_rows = [[cell.value for cell in row] for row in sheet.iter_rows(max_col=width)]
    assert len(csv_rows) == len(xlsx_rows) == 4
    for csv_row, xlsx_row in zip(csv_rows, xlsx_rows, strict=True):
        as_text = ["" if value is None else str(value) for value in xlsx_row]
        assert as_text == [value.replace("\x07", "") for value in csv_row]

    def column_of(question) -> int:  # columns are named by the question's place: q1, q2 ...
        return csv_rows[0].index(f"q{consultation.questions.index(question) + 1}")

    column = column_of(anything)
    assert [row[column] for row in xlsx_rows[1:]] == [
        "Mwy o apwyntiadau gyda'r nos, ŵ ŷ",
        "شام کے اوقات میں مزید ملاقاتیں",
        "Pasted from a form",
    ]
    assert xlsx_rows[2][column_of(town)] == "'=cmd|' /C calc'!A0"
    assert xlsx_rows[3][column_of(town)] is None
    assert isinstance(xlsx_rows[1][0], int) and xlsx_rows[1][0] == 1
    assert book["Codebook"]["A1"].value == "column"
