"""Indicators in the browser: an analyst imports the messy sample (errors shown per row); residents see the
priority matrix on a board page on a phone, in English and Welsh, with axe checks."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engage.accounts.models import Organisation, Role, User
from engage.extensions import db
from engage.indicators.models import Indicator, IndicatorValue
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


def test_a_blank_target_on_reimport_keeps_the_target_held(make_page, demo, make_user, tmp_path):
    """Issue 21, item 14: an analyst at 1280 px re-imports last quarter's file with NI 56's target left blank;
    the preview says the target already held is kept, and after the import the indicator still has it."""
    council = db.session.scalar(select(Organisation).where(Organisation.name == "Aldermoor Borough Council"))
    analyst = make_user(Role.ANALYST, organisation=council)
    obesity = db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(Indicator.reference == "NI 56", IndicatorValue.period == "2025/26 Q2")
    )
    held, indicator_id = obesity.target, obesity.indicator_id
    assert held is not None
    lines = (DATA / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    blank = [lines[0]] + [
        line.replace(",20.0,", ",,") if line.startswith("NI 56,") else line for line in lines[1:5]
    ]
    again = tmp_path / "cyp-again.csv"
    again.write_text("\n".join(blank) + "\n", encoding="utf-8")

    page = make_page(viewport={"width": 1280, "height": 900})
    sign_in_as(page, analyst)
    page.get_by_role("link", name="Import indicators").click()
    page.get_by_label("Indicator export (CSV or Excel)").set_input_files(str(again))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    rows = page.get_by_role("table", name="Rows in the file")
    obesity_row = rows.get_by_role("row").filter(has_text="NI 56")
    expect(obesity_row).to_contain_text(
        f"No target: the target already held for this period ({held:g}) is kept."
    )
    expect(rows.get_by_role("row").filter(has_text="NI 111")).not_to_contain_text("No target")
    assert_accessible(page, "indicator preview with a blank target")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Import the valid rows").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Imported 0 new and 4 updated figures")

    page.goto(f"/manage/indicators/{indicator_id}")
    period = page.locator("h3", has_text="2025/26 Q2").locator("xpath=following-sibling::dl[1]")
    expect(period.locator(".govuk-summary-list__row", has_text="Target")).to_contain_text(f"{held:g}")
    assert_accessible(page, "indicator page after the import")


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
