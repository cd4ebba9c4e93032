"""Indicators in the browser: an analyst imports the messy sample (errors shown per row); residents see the
priority matrix on a board page on a phone, in English and Welsh, with axe checks."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engage.accounts.models import Role, User
from engage.extensions import db
from tests import hostile_files
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, sign_in_as

DATA = Path(__file__).parent.parent / "data"


def test_analyst_imports_a_messy_export(page, demo, make_user):
    analyst = db.session.scalar(select(User).where(User.email == "analyst@aldermoor.example"))
    admin = make_user(Role.ADMIN, organisation=analyst.organisation)
    sign_in_as(page, admin)
    page.get_by_role("link", name="Import indicators").click()
    assert_accessible(page, "indicator upload")
    page.get_by_label("Indicator export (CSV or Excel)").set_input_files(str(DATA / "indicators_messy.csv"))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.get_by_text("3 of 7 rows can be imported.")).to_be_visible()
    expect(page.get_by_role("table", name="Rows in the file")).to_contain_text("Unknown board “XYZ”")
    assert_accessible(page, "indicator preview")
    page.get_by_role("button", name="Import the valid rows").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Imported 1 new and 2 updated figures")
    assert_accessible(page, "indicator imported")


@pytest.mark.parametrize(
    ("lang", "heading"), [("en", "Importance and performance"), ("cy", "Pwysigrwydd a pherfformiad")]
)
def test_residents_see_the_priority_matrix_on_a_phone(make_page, demo, lang, heading):
    page = make_page(viewport={"width": 320, "height": 640})
    page.goto(f"/boards/children-and-young-people?lang={lang}")
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator(".app-chart__plot .main-svg").first).to_be_attached()
    assert_accessible(page, f"board page with the priority matrix ({lang})")
    assert_no_horizontal_scroll(page)


def test_a_file_with_too_many_columns_is_refused_on_the_form(page, demo, make_user, tmp_path):
    analyst = db.session.scalar(select(User).where(User.email == "analyst@aldermoor.example"))
    admin = make_user(Role.ADMIN, organisation=analyst.organisation)
    sign_in_as(page, admin)
    page.get_by_role("link", name="Import indicators").click()
    wide = tmp_path / "wide.csv"
    wide.write_bytes(hostile_files.csv_many_headers(30_000))
    page.get_by_label("Indicator export (CSV or Excel)").set_input_files(str(wide))
    page.get_by_role("button", name="Upload and preview").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The file has more than 200 columns.")
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(page.get_by_label("Indicator export (CSV or Excel)")).to_be_focused()
    assert_accessible(page, "indicator upload refused")
