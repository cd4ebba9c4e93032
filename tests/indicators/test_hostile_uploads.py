"""The indicator upload refuses hostile files with a message on the form and stages nothing; the preview
page stays small whatever the file holds (issue 18, finding 5)."""

import io

from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.extensions import db
from engage.indicators.models import IndicatorImport
from tests import hostile_files as hostile
from tests.conftest import sign_in


def staged_count() -> int:
    return db.session.scalar(select(func.count()).select_from(IndicatorImport))


def upload(client, raw: bytes, name: str = "export.csv"):
    return client.post(
        "/manage/indicators", data={"file": (io.BytesIO(raw), name)}, content_type="multipart/form-data"
    )


def test_hostile_files_are_refused_on_the_form_and_nothing_is_staged(client, make_user, monkeypatch, app):
    sign_in(client, make_user(Role.ANALYST))
    before = staged_count()
    for raw, name, message in [
        (hostile.csv_many_headers(30_000), "headers.csv", "The file has more than 200 columns."),
        (hostile.xlsx_far_cell(), "far.xlsx", "The file has more than 200 columns."),
        (hostile.csv_sniffer_trap(63_000), "trap.csv", "The file has more than 200 columns."),
        (hostile.csv_long_cell(), "long.csv", "has a cell longer than 1,000 characters"),
        (hostile.csv_many_rows(20_001), "rows.csv", "The file has more than 20,000 rows after the header."),
        (hostile.xlsx_entity_bomb(), "bomb.xlsx", "could not be read safely"),
    ]:
        response = upload(client, raw, name)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, name
        assert "There is a problem" in html and message in html, name
        assert len(html) < 50_000, name  # the old preview of 50,000 headers was 47 MB of HTML
    # (files over 500 KB are kept off here: the test client leaves their temporary file open)
    monkeypatch.setitem(app.config, "ENGAGE_UPLOAD_MAX_BYTES", 100 * 1024)
    too_big = upload(client, hostile.csv_many_rows(20_000)).get_data(as_text=True)
    assert "The file is larger than 100 KB." in too_big
    assert staged_count() == before


def test_the_preview_lists_at_most_500_rows_problems_first(client, make_user):
    sign_in(client, make_user(Role.ANALYST))
    header = "Indicator Ref,Indicator Name,Board,Priority Code,Period,Actual,Polarity\n"
    rows = "".join(f"PI {k},Name,NOPE,P1,2026 Q{k % 4 + 1},{k},Higher\n" for k in range(600))
    response = upload(client, (header + rows).encode())
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 of 600 rows can be imported." in html
    assert "The table shows 500 of the 600 rows" in html
    assert html.count("Left out</strong>") == 500


def test_a_file_is_read_once_when_uploaded_and_never_again_by_the_preview(client, make_user, monkeypatch):
    from engage.indicators import service

    sign_in(client, make_user(Role.ANALYST))
    reads = []
    real = service.read_table
    monkeypatch.setattr(
        service, "read_table", lambda *args, **kwargs: reads.append(1) or real(*args, **kwargs)
    )
    header = "Indicator Ref,Indicator Name,Board,Priority Code,Period,Actual,Polarity\n"
    staged = upload(client, (header + "\n\nPI 1,Name,NOPE,P1,2026 Q1,1,Higher\n").encode())
    assert len(reads) == 1
    page = client.get(staged.headers["Location"])
    assert page.status_code == 200 and "Unknown board “NOPE”" in page.get_data(as_text=True)
    fields = {"column_reference": "Indicator Ref", "column_name": "Indicator Name", "column_board": "Board"}
    fields |= {"column_priority_code": "Priority Code", "column_period": "Period", "column_actual": "Actual"}
    fields |= {"column_polarity": "Polarity", "preview": "Update"}
    again = client.post(staged.headers["Location"], data=fields).get_data(as_text=True)
    assert ">4</td>" in again  # the row's line in the file, kept with the table
    assert len(reads) == 1


def test_a_file_staged_before_tables_were_kept_is_read_again(client, make_user):
    analyst = make_user(Role.ANALYST)
    sign_in(client, analyst)
    header = "Indicator Ref,Indicator Name,Board,Priority Code,Period,Actual,Polarity\n"
    record = IndicatorImport(
        organisation=analyst.organisation,
        user=analyst,
        filename="old.csv",
        content=(header + "PI 1,Name,NOPE,P1,2026 Q1,1,Higher\n").encode(),
    )
    db.session.add(record)
    db.session.flush()
    page = client.get(f"/manage/indicators/imports/{record.id}")
    assert page.status_code == 200 and "Unknown board “NOPE”" in page.get_data(as_text=True)


def test_the_commands_refuse_a_file_too_big_before_reading_it(runner, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "ENGAGE_UPLOAD_MAX_BYTES", 1024)
    big = tmp_path / "big.csv"
    big.write_bytes(hostile.csv_many_rows(500))
    for command in ("import-indicators", "import-population"):
        result = runner.invoke(args=[command, str(big)])
        assert result.exit_code != 0 and "The file is larger than 1 KB." in result.output, command
    monkeypatch.setitem(app.config, "ENGAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    wide = tmp_path / "wide.csv"
    wide.write_bytes(hostile.csv_wide(1_000))
    result = runner.invoke(args=["import-population", str(wide)])
    assert "Nothing was imported" in result.output and "more than 200 columns" in result.output
