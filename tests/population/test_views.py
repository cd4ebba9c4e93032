"""Admins and analysts upload the population file; problems are listed and nothing changes."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.extensions import db
from engage.population.models import PopulationMargin
from tests import hostile_files as hostile

SAMPLE = (Path(__file__).resolve().parents[1] / "data" / "population.csv").read_bytes()


def upload(client, content: bytes, name="population.csv"):
    return client.post(
        "/manage/population", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
def test_admins_and_analysts_upload_the_file(client, signed_in, role):
    signed_in(role)
    assert "Population figures for weighting" in client.get("/manage").get_data(as_text=True)
    response = upload(client, b"\xef\xbb\xbf" + SAMPLE)
    assert response.status_code == 302
    html = client.get("/manage/population").get_data(as_text=True)
    assert "Loaded population figures for 3 dimensions." in html
    assert "175,300" in html
    assert db.session.scalar(select(func.count()).select_from(PopulationMargin)) == 14


@pytest.mark.parametrize("role", [Role.BOARD_OFFICER, Role.FACILITATOR])
def test_other_roles_cannot(client, signed_in, role):
    signed_in(role)
    assert client.get("/manage/population").status_code == 403
    assert "Population figures for weighting" not in client.get("/manage").get_data(as_text=True)


def test_problems_are_listed_and_the_old_figures_stay(client, signed_in):
    signed_in(Role.ANALYST)
    upload(client, SAMPLE)
    response = upload(client, b"dimension,category,population\nsex,F,ten\nsex,M,10\nward,N,5\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and "&#39;ten&#39; is not a whole number" in html
    assert db.session.scalar(select(func.count()).select_from(PopulationMargin)) == 14


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "population.csv", "The file is empty."),
        (b"dimension,category,population\n", "population.xlsx", "The file must be a CSV file"),
        ("dimension,category,population\nsex,Caf\u00e9,1\n".encode("latin-1"), "p.csv", "saved as UTF-8"),
    ],
)
def test_wrong_files_get_a_clear_message(client, signed_in, content, name, message):
    signed_in(Role.ADMIN)
    response = upload(client, content, name)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_no_file_chosen(client, signed_in):
    signed_in(Role.ADMIN)
    response = client.post("/manage/population", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a CSV file" in response.get_data(as_text=True)


def test_a_file_of_bad_rows_lists_twenty_and_a_count_in_a_small_page(client, signed_in):
    # 200,000 bad rows once made a 100-second error page: every problem was listed twice.
    signed_in(Role.ANALYST)
    response = upload(client, hostile.population_bad_rows(5_000))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html
    assert "Row 21: &#39;many&#39; is not a whole number." in html
    assert "Row 22:" not in html
    assert "4,980 more rows have problems too" in html
    assert len(html) < 50_000
    assert db.session.scalar(select(func.count()).select_from(PopulationMargin)) == 0


def test_files_too_big_or_too_wide_are_refused_whole(client, signed_in, app, monkeypatch):
    signed_in(Role.ANALYST)
    monkeypatch.setitem(app.config, "ENGAGE_UPLOAD_MAX_BYTES", 1_000)
    too_big = upload(client, SAMPLE + b"\n" * 1_000)
    assert too_big.status_code == 400 and "The file is larger than" in too_big.get_data(as_text=True)
    monkeypatch.setitem(app.config, "ENGAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    wide = upload(client, hostile.csv_wide(100_000))
    assert wide.status_code == 400 and "The file has more than 200 columns." in wide.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PopulationMargin)) == 0
