"""Uploaded tables are read within bounds whatever the file claims (issue 18, finding 5). Each hostile file is
built small in the test; memory is measured with tracemalloc (times belong to `make bench`)."""

from __future__ import annotations

import contextlib
import csv
import io
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from engage.indicators.reading import FileProblem, read_table
from engage.population.service import PopulationFileProblem, parse_population_csv
from engage.uploads import UploadLimits, guess_delimiter
from tests import hostile_files as hostile


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    with contextlib.suppress(FileProblem, PopulationFileProblem):
        fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def refused(raw: bytes, message: str, limits: UploadLimits | None = None) -> None:
    with pytest.raises(FileProblem, match=message):
        read_table(raw, limits=limits)


def test_a_workbook_declaring_a_huge_sheet_is_read_by_what_it_holds():
    # Declares every column down to row 2,000: the old reader filled out each missing row to 16,384 cells
    # (about 260 MB here, 1.8 GB at 12,800 rows).
    raw = hostile.xlsx_huge_dimension(2_000)
    assert len(raw) < 2_000
    table = read_table(raw)
    assert table.headers == ["Indicator Ref", "Board"]
    assert table.rows == [(2, ["PI-1", "HWB"]), (2_000, ["PI-2", "HWB"])]
    assert peak_mib(lambda: read_table(raw)) < 8


def test_a_cell_far_beyond_the_columns_allowed_is_refused_without_filling_the_row():
    raw = hostile.xlsx_far_cell()
    refused(raw, "more than 200 columns")
    assert peak_mib(lambda: read_table(raw)) < 8


def test_a_row_of_countless_empty_cells_is_refused_before_it_is_built():
    raw = hostile.xlsx_wide_row(200_000)  # about 5 KB compressed
    refused(raw, "more than 200 columns")
    assert peak_mib(lambda: read_table(raw)) < 8


def test_a_workbook_with_entity_declarations_is_refused():
    refused(hostile.xlsx_entity_bomb(), "could not be read safely")


def test_a_style_sheet_of_countless_formats_is_refused_before_openpyxl_builds_it():
    raw = hostile.xlsx_style_bomb(100_000)  # about 15 KB; openpyxl took some 700 bytes a format
    refused(raw, "could not be read safely")
    assert peak_mib(lambda: read_table(raw)) < 8


def test_shared_strings_are_bounded_by_the_rows_allowed():
    assert len(read_table(hostile.xlsx_shared_strings(100)).rows) == 3
    refused(hostile.xlsx_shared_strings(2_600), "more than 100 rows", UploadLimits(max_rows=100))


def test_one_long_shared_string_in_every_cell_is_refused_past_the_text_allowed():
    strings = hostile.xlsx_with_part(
        "sharedStrings",
        "sharedStrings.xml",
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        + "x" * 1_000
        + "</t></si></sst>",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    )
    assert len(read_table(strings).rows) == 3
    row = "".join(f'<c r="{chr(65 + k)}{{n}}" t="s"><v>0</v></c>' for k in range(20))
    header = "".join(f'<c r="{chr(65 + k)}1" t="inlineStr"><is><t>H{k}</t></is></c>' for k in range(20))
    data = f'<row r="1">{header}</row>' + "".join(
        f'<row r="{n}">{row.format(n=n)}</row>' for n in range(2, 402)
    )
    source = zipfile.ZipFile(io.BytesIO(strings))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = (
                    content.split(b"<sheetData>")[0] + f"<sheetData>{data}</sheetData></worksheet>".encode()
                )
            archive.writestr(info.filename, content)
    # 400 rows of 20 cells, each the same 1,000 characters: 8 million characters from a few kilobytes
    refused(buffer.getvalue(), "more than 4,000,000 characters of text", UploadLimits(max_bytes=1_000_000))


def test_a_workbook_that_unpacks_too_big_is_refused():
    refused(hostile.xlsx_many_rows(50), "once unpacked", UploadLimits(max_unzipped=2_000))


@pytest.mark.parametrize("make", [hostile.csv_many_rows, hostile.xlsx_many_rows], ids=["csv", "xlsx"])
def test_too_many_rows_are_refused_whole(make):
    limits = UploadLimits(max_rows=100)
    assert len(read_table(make(100), limits=limits).rows) == 100
    refused(make(101), "more than 100 rows", limits)


def test_a_million_columns_are_refused_within_a_few_megabytes():
    raw = hostile.csv_wide(1_000_000)  # 2 MB: the old reader padded every row to a million cells
    refused(raw, "The file has more than 200 columns")
    assert peak_mib(lambda: read_table(raw)) < 25


def test_the_widest_allowed_file_is_read():
    header = ",".join(f"Column {k}" for k in range(200))
    table = read_table((header + "\n" + ",".join("x" * 200) + "\n").encode())
    assert len(table.headers) == 200 and table.rows[0][1][199] == "x"


def test_csv_sniffer_is_never_used(monkeypatch):
    # csv.Sniffer takes quadratic time on a line like this one (63 KB took 12.5 s).
    def sniff(*_args, **_kwargs):
        raise AssertionError("csv.Sniffer is quadratic on some lines")

    monkeypatch.setattr(csv.Sniffer, "sniff", sniff)
    refused(hostile.csv_sniffer_trap(63_000), "more than 200 columns")
    assert read_table(b"Ref;Name;Board\n1;a,b;HWB\n").rows == [(2, ["1", "a,b", "HWB"])]


@pytest.mark.parametrize(
    ("first_line", "delimiter"),
    [
        ("Ref,Name,Board", ","),
        ("Ref;Name;Board", ";"),
        ("Ref\tName\tBoard", "\t"),
        ("Ref|Name|Board", "|"),
        ('"Ref;Code","Name;Title",Board', ","),  # delimiters inside quotes do not count
        ("\n\n  \nRef;Name", ";"),  # blank lines first
        ("Single", ","),
        ("", ","),
    ],
)
def test_the_delimiter_is_counted_in_the_first_line(first_line, delimiter):
    assert guess_delimiter(first_line) == delimiter


def test_a_cell_too_long_is_refused():
    refused(hostile.csv_long_cell(), "Row 2 has a cell longer than 1,000 characters")
    refused(hostile.csv_long_cell(2_000), "longer than 1,000 characters")


def test_a_heading_too_long_for_the_preview_is_refused():
    refused(("x" * 101 + ",Board\n1,HWB\n").encode(), "column heading in the first row is longer than 100")


def test_a_file_too_big_is_refused():
    refused(b"a,b\n" + b"1,2\n" * 300, "larger than", UploadLimits(max_bytes=1_000))


def test_dates_and_numbers_in_a_workbook_read_as_before():
    from datetime import date

    workbook = Workbook()
    workbook.active.append(["Indicator Ref", "Actual", "Date"])
    workbook.active.append(["NI 8", 21.0, date(2026, 3, 31)])
    workbook.active.append([])
    workbook.active.append(["NI 9", 2.5, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table(buffer.getvalue()).rows == [(2, ["NI 8", "21", "2026-03-31"]), (4, ["NI 9", "2.5", ""])]


def test_a_population_file_full_of_bad_rows_lists_twenty_problems_and_a_count():
    text = hostile.population_bad_rows(5_000).decode()
    with pytest.raises(PopulationFileProblem) as error:
        parse_population_csv(text)
    assert len(error.value.problems) == 21
    assert error.value.problems[-1].startswith("4,980 more rows have problems too")
    assert peak_mib(lambda: parse_population_csv(text)) < 8


def test_a_population_file_too_wide_or_too_long_is_refused_whole():
    with pytest.raises(PopulationFileProblem, match="more than 200 columns"):
        parse_population_csv(hostile.csv_wide(10_000).decode())
    rows = "dimension,category,population\n" + "".join(f"sex,c{k},1\n" for k in range(101))
    with pytest.raises(PopulationFileProblem, match="more than 100 rows"):
        parse_population_csv(rows, UploadLimits(max_rows=100))


def test_a_damaged_workbook_is_refused_with_a_message_never_an_error():
    workbook = Workbook()
    workbook.active.append(["Indicator Ref", "Board"])
    workbook.active.append(["NI 8", "HWB"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    good = buffer.getvalue()
    for position in range(4, len(good), max(1, len(good) // 300)):
        damaged = bytearray(good)
        damaged[position] ^= 0x5A
        try:
            read_table(bytes(damaged))
        except FileProblem as problem:
            assert str(problem)
    for length in range(4, len(good), max(1, len(good) // 50)):
        with pytest.raises(FileProblem):
            read_table(good[:length])


def test_a_workbook_claiming_a_zip_version_nobody_reads_is_refused_with_a_message():
    """One damaged byte in the zip's central directory can claim "version 7.8 needed to extract", which
    Python's zipfile answers with NotImplementedError: the damaged-workbook sweep above met it once, when
    the workbook's timestamp put that byte under one of its flips (a 500 for the upload, not a message)."""
    workbook = Workbook()
    workbook.active.append(["Indicator Ref", "Board"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    damaged = bytearray(buffer.getvalue())
    entry = damaged.index(b"PK\x01\x02")  # the first central directory entry
    damaged[entry + 6 : entry + 8] = (78).to_bytes(2, "little")  # "version needed to extract": 7.8
    with pytest.raises(FileProblem, match="could not be opened"):
        read_table(bytes(damaged))


def test_a_row_numbered_beyond_excel_is_refused():
    header = '<c r="A1" t="inlineStr"><is><t>Ref</t></is></c><c r="B1" t="inlineStr"><is><t>B</t></is></c>'
    data = f'<row r="1">{header}</row>'
    data += '<row r="999999999999"><c r="A999999999999"><v>1</v></c></row>'
    refused(hostile.xlsx_with_sheet(data), "could not be read safely")


def test_the_limits_are_settings_and_a_request_has_room_for_the_largest_upload(tmp_path):
    from engage.config import load_config

    default = UploadLimits.from_config(load_config(str(tmp_path), env={"ENGAGE_ENV": "testing"}))
    assert default == UploadLimits()
    env = {"ENGAGE_ENV": "testing", "ENGAGE_UPLOAD_MAX_BYTES": str(20 * 1024 * 1024)}
    env |= {"ENGAGE_UPLOAD_MAX_ROWS": "50000", "ENGAGE_UPLOAD_MAX_COLUMNS": "30"}
    config = load_config(str(tmp_path), env=env)
    limits = UploadLimits.from_config(config)
    assert (limits.max_bytes, limits.max_rows, limits.max_columns) == (20 * 1024 * 1024, 50_000, 30)
    assert config["MAX_CONTENT_LENGTH"] > limits.max_bytes
    assert load_config(str(tmp_path), env={"ENGAGE_ENV": "testing"})["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    """A form with one file, encoded by hand: the test client would spool a large one to a temporary file it
    never closes."""
    boundary = "engage-test-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
    head += "Content-Type: text/csv\r\n\r\n"
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_request_over_the_apps_limit_gets_a_page_saying_the_limit(app, client, signed_in, monkeypatch):
    # Without nginx in front, the app itself refuses a body over MAX_CONTENT_LENGTH: a page of its own (413),
    # saying the largest file it takes and what to do, and nothing stored.
    from sqlalchemy import func, select

    from engage.accounts.models import Role
    from engage.extensions import db
    from engage.population.models import PopulationMargin

    signed_in(Role.ANALYST)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    monkeypatch.setitem(app.config, "ENGAGE_UPLOAD_MAX_BYTES", 1024 * 1024)
    body, content_type = _multipart(
        "people.csv", b"dimension,category,population\n" + b"age_band,16-24,100\n" * 200_000
    )  # about 3.8 MB
    response = client.post("/manage/population", data=body, content_type=content_type)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is too large" in page and "govuk-heading-xl" in page
    assert "The largest file you can send is 1 MB." in page
    assert "choose a smaller file" in page
    assert db.session.scalar(select(func.count()).select_from(PopulationMargin)) == 0

    welsh = client.post("/manage/population?lang=cy", data=body, content_type=content_type)
    assert welsh.status_code == 413 and "The file is too large" not in welsh.get_data(as_text=True)
    assert "Mae'r ffeil yn rhy fawr" in welsh.get_data(as_text=True).replace("&#39;", "'")
