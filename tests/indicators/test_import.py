"""Indicator import: reading any export, matching columns, row-level problems, one transaction, updates."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.extensions import db
from engage.indicators.models import Indicator, IndicatorImport, IndicatorValue, Polarity, Rag
from engage.indicators.reading import FileProblem, read_table
from engage.indicators.rows import guess_mapping, parse_number
from engage.indicators.service import import_rows, preview_rows
from engage.service_errors import StateError
from tests.conftest import sign_in

DATA = Path(__file__).parent.parent / "data"
SAMPLE = (DATA / "indicators.csv").read_bytes()
MESSY = (DATA / "indicators_messy.csv").read_bytes()


@pytest.fixture
def demo_boards(demo, app):
    db.session.execute(IndicatorValue.__table__.delete())  # the demo imports the sample; start empty
    db.session.commit()


def values_count():
    return db.session.scalar(select(func.count()).select_from(IndicatorValue))


def test_reading_the_sample_and_the_messy_variant():
    sample = read_table(SAMPLE)
    assert sample.headers[:3] == ["Indicator Ref", "Indicator Name", "Board"]
    assert len(sample.rows) == 18
    messy = read_table(MESSY)
    assert messy.headers[0] == "Period"  # the byte-order mark is gone
    assert len(messy.rows) == 7  # blank rows skipped
    assert messy.rows[0][1][3] == "Obesity among primary school age children; Year 6"  # quoted semicolon


def test_windows_1252_tabs_and_xlsx_are_read():
    text = "Indicator Ref\tIndicator Name\tBoard\r\nNI 8\tAdults in sport – weekly\tHWB\r\n"
    table = read_table(text.encode("cp1252"))
    assert table.rows[0][1][1] == "Adults in sport – weekly"
    workbook = Workbook()
    workbook.active.append(["Indicator Ref", "Actual"])
    workbook.active.append(["NI 8", 21.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table(buffer.getvalue()).rows == [(2, ["NI 8", "21"])]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"just one column\nx\n", "name the columns"),
        (b"\x00\x01binary", "CSV or an Excel"),
        (b"PK\x03\x04broken", "could not be opened"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(raw, message):
    with pytest.raises(FileProblem, match=message):
        read_table(raw)


def test_numbers_are_read_as_people_write_them():
    assert parse_number("1,234.5") == 1234.5
    assert parse_number(" 21.4% ") == 21.4
    assert parse_number("-3") == -3
    assert parse_number("") is None
    for bad in ("n/a", "1.2.3", "12,34"):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_columns_are_guessed_from_headers_and_a_remembered_mapping_wins():
    messy = read_table(MESSY)
    mapping = guess_mapping(messy.headers)
    assert mapping == {
        "reference": "PI Ref",
        "name": "Measure",
        "board": "Theme",
        "priority_code": "Outcome Code",
        "period": "Period",
        "actual": "Result",
        "target": "Target Value",
        "polarity": "Good is",
        "unit": "Units",
        "status": "RAG",
    }
    assert guess_mapping(messy.headers, {"name": "Units"})["name"] == "Units"


def test_the_sample_imports_every_row_and_again_updates(demo_boards):
    preview = preview_rows(SAMPLE, None, None)
    assert not preview.mapping_problems and not preview.bad_rows
    record = import_rows(IndicatorImport(filename="indicators.csv"), preview)
    assert (record.rows_added, record.rows_updated, record.rows_rejected) == (18, 0, 0)
    again = import_rows(IndicatorImport(filename="indicators.csv"), preview_rows(SAMPLE, None, None))
    assert (again.rows_added, again.rows_updated) == (0, 18)
    assert values_count() == 18
    value = db.session.scalars(select(IndicatorValue).where(IndicatorValue.period == "2025/26 Q2")).first()
    assert value.indicator.polarity in set(Polarity)


def test_the_messy_variant_names_each_bad_row(demo_boards):
    preview = preview_rows(MESSY, None, None)
    problems = {row.line: row.problems for row in preview.bad_rows}
    assert problems == {
        6: ["Unknown board “XYZ”"],
        7: ["Board HWB has no priority “HWB-NOPE”"],
        8: ["Actual value “n/a” is not a number"],
        9: ["Unknown polarity “Sideways” (use Higher is better or Lower is better)"],
    }
    good = {row.values["reference"]: row for row in preview.valid_rows}
    assert good["NI 56"].polarity is Polarity.LOWER and good["NI 111"].status is Rag.RED
    assert good["LOCAL 1"].actual == 1234.5 and good["LOCAL 1"].target == 1200
    record = import_rows(IndicatorImport(filename="messy.csv"), preview)
    assert (record.rows_added, record.rows_rejected) == (3, 4)


def test_strict_imports_nothing_when_any_row_is_bad(demo_boards):
    imports = db.session.scalar(select(func.count()).select_from(IndicatorImport))
    with pytest.raises(StateError, match="4 rows have problems"):
        import_rows(IndicatorImport(filename="messy.csv"), preview_rows(MESSY, None, None), strict=True)
    assert values_count() == 0
    assert db.session.scalar(select(func.count()).select_from(IndicatorImport)) == imports


def test_the_same_indicator_and_period_twice_in_one_file_is_a_problem(demo_boards):
    lines = SAMPLE.decode("utf-8-sig").splitlines()
    raw = "\n".join([*lines[:3], lines[2]]).encode()
    preview = preview_rows(raw, None, None)
    assert preview.bad_rows[0].problems == ["The same indicator and period are on line 3"]


def test_command_line_import(runner, demo_boards, tmp_path):
    result = runner.invoke(args=["import-indicators", str(DATA / "indicators.csv")])
    assert result.exit_code == 0, result.output
    assert "18 added, 0 updated, 0 rejected of 18 rows" in result.output
    messy = runner.invoke(args=["import-indicators", "--strict", str(DATA / "indicators_messy.csv")])
    assert messy.exit_code != 0
    assert "Line 6: Unknown board “XYZ”" in messy.output
    assert "nothing was imported" in messy.output
    lenient = runner.invoke(args=["import-indicators", str(DATA / "indicators_messy.csv")])
    # NI 56 and NI 111 for 2025/26 Q2 came in with the sample: updated, not duplicated
    assert lenient.exit_code == 0 and "1 added, 2 updated, 4 rejected of 7 rows" in lenient.output
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "The file is empty" in runner.invoke(args=["import-indicators", str(empty)]).output


def test_upload_match_preview_and_import_in_the_browserless_flow(client, demo_boards, make_user):
    from engage.accounts.models import Organisation

    # The council owns the demo's CYP indicators the file updates (another organisation's would be refused).
    council = db.session.scalar(select(Organisation).where(Organisation.name == "Aldermoor Borough Council"))
    analyst = make_user(Role.ANALYST, organisation=council)
    sign_in(client, analyst)
    assert client.get("/manage/indicators").status_code == 200
    renamed = MESSY.replace(b"Measure", b"Column B")
    response = client.post(
        "/manage/indicators",
        data={"file": (io.BytesIO(renamed), "messy.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert "Choose the column that holds “Indicator name”" in text
    fields = {
        "column_reference": "PI Ref",
        "column_name": "",
        "column_board": "Theme",
        "column_priority_code": "Outcome Code",
        "column_period": "Period",
        "column_actual": "Result",
        "column_target": "Target Value",
        "column_polarity": "Good is",
        "column_unit": "Units",
        "column_status": "RAG",
    }
    refused = client.post(response.headers["Location"], data={**fields, "submit": "Import"})
    assert refused.status_code == 400 and "There is a problem" in refused.get_data(as_text=True)
    assert values_count() == 0
    fields["column_name"] = "Column B"
    preview = client.post(response.headers["Location"], data={**fields, "preview": "Update"}).get_data(
        as_text=True
    )
    assert "3 of 7 rows can be imported." in preview
    assert "Unknown board “XYZ”" in preview
    done = client.post(
        response.headers["Location"], data={**fields, "submit": "Import"}, follow_redirects=True
    )
    assert "Imported 3 new and 0 updated figures; 4 rows were left out." in done.get_data(as_text=True)
    assert values_count() == 3
    # The mapping is remembered for the organisation's next file
    again = client.post(
        "/manage/indicators",
        data={"file": (io.BytesIO(renamed), "messy.csv")},
        content_type="multipart/form-data",
    )
    assert "Choose the column that holds" not in client.get(again.headers["Location"]).get_data(as_text=True)
    history = client.get("/manage/indicators").get_data(as_text=True)
    assert "messy.csv" in history and analyst.name in history


def test_who_may_import(client, demo_boards, make_user):
    sign_in(client, make_user(Role.BOARD_OFFICER))
    assert client.get("/manage/indicators").status_code == 403


def test_an_unreadable_upload_is_an_error_on_the_form(client, demo_boards, make_user):
    sign_in(client, make_user(Role.ADMIN))
    response = client.post(
        "/manage/indicators",
        data={"file": (io.BytesIO(b""), "empty.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The file is empty" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IndicatorImport)) == 2  # the demo's own two


def test_analysts_only_import_for_boards_their_organisation_sits_on(client, demo_boards, make_user):
    sign_in(client, make_user(Role.ANALYST))  # an organisation on no board
    response = client.post(
        "/manage/indicators", data={"file": (io.BytesIO(SAMPLE), "s.csv")}, content_type="multipart/form-data"
    )
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 of 18 rows can be imported." in text
    assert "Your organisation does not sit on board “CYP”" in text


def _sample_with_blank_targets(*references: str, period: str | None = None) -> bytes:
    """The sample with the target cell of the named indicators' rows emptied (and the period changed)."""
    lines = SAMPLE.decode("utf-8-sig").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] in references:
            cells[6] = ""
        if period:
            cells[4] = period
        out.append(",".join(cells))
    return "\n".join(out).encode()


def test_a_blank_target_on_reimport_keeps_the_target_held(client, demo_boards, make_user):
    """Issue 21, item 14: re-importing a row with a blank target once deleted the stored target while the
    preview called the row "OK". Blank means unchanged, and the preview says so."""
    from engage.accounts.models import Organisation

    council = db.session.scalar(select(Organisation).where(Organisation.name == "Aldermoor Borough Council"))
    import_rows(IndicatorImport(filename="indicators.csv"), preview_rows(SAMPLE, None, None))
    db.session.commit()
    sign_in(client, make_user(Role.ANALYST, organisation=council))
    raw = _sample_with_blank_targets("NI 56")
    staged = client.post(
        "/manage/indicators",
        data={"file": (io.BytesIO(raw), "again.csv")},
        content_type="multipart/form-data",
    )
    text = client.get(staged.headers["Location"]).get_data(as_text=True)
    assert "No target: the target already held for this period (20) is kept." in text
    assert text.count("already held for this period") == 1  # the other rows have targets of their own
    fields = {f"column_{name}": header for name, header in guess_mapping(read_table(raw).headers).items()}
    done = client.post(staged.headers["Location"], data={**fields, "submit": "Import"}, follow_redirects=True)
    assert "Imported 0 new and 8 updated figures" in done.get_data(as_text=True)  # the council's boards' rows
    obesity = db.session.scalar(
        select(IndicatorValue).join(IndicatorValue.indicator).where(Indicator.reference == "NI 56")
    )
    assert (obesity.actual, obesity.target) == (21.4, 20.0)  # kept, not deleted


def test_a_blank_target_with_none_held_says_no_target_given(demo_boards):
    import_rows(IndicatorImport(filename="indicators.csv"), preview_rows(SAMPLE, None, None))
    raw = _sample_with_blank_targets("NI 56", period="2025/26 Q3")  # a period with nothing held yet
    preview = preview_rows(raw, None, None)
    (blank,) = [row for row in preview.valid_rows if row.target is None]
    assert blank.note == "No target given." and preview.kept_targets == 0
    import_rows(IndicatorImport(filename="q3.csv"), preview)
    value = db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(Indicator.reference == "NI 56", IndicatorValue.period == "2025/26 Q3")
    )
    assert value.target is None


def test_the_command_line_says_how_many_targets_it_kept(runner, demo_boards, tmp_path):
    assert runner.invoke(args=["import-indicators", str(DATA / "indicators.csv")]).exit_code == 0
    again = tmp_path / "again.csv"
    again.write_bytes(_sample_with_blank_targets("NI 56", "NI 8"))
    result = runner.invoke(args=["import-indicators", str(again)])
    assert result.exit_code == 0, result.output
    assert "2 rows have no target: the target already held for their period is kept." in result.output
    targets = dict(
        db.session.execute(
            select(Indicator.reference, IndicatorValue.target)
            .join(IndicatorValue.indicator)
            .where(Indicator.reference.in_(["NI 56", "NI 8"]))
        ).all()
    )
    assert targets == {"NI 56": 20.0, "NI 8": 25.0}
