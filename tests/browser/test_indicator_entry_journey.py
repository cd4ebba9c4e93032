"""A police analyst enters and corrects a value of an indicator the police own, on the GOV.UK form (errors
summarised and linked, axe-clean); the council's officer sees the value's history, the board's missing
returns and the trend of weights beside indicators."""

from playwright.sync_api import expect
from sqlalchemy import select

from engage.accounts.models import Organisation, Role, User
from engage.extensions import db
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as


def test_a_police_analyst_enters_and_corrects_a_value_and_the_council_sees_the_history(
    make_page, demo, make_user
):
    police = db.session.scalar(select(Organisation).where(Organisation.name == "Westmarch Police"))
    analyst = make_user(Role.ANALYST, organisation=police)
    page = make_page()
    sign_in_as(page, analyst)
    page.get_by_role("link", name="Indicators: enter and correct values, missing returns").click()
    expect(page.get_by_role("heading", name="Indicators", exact=True)).to_be_visible()
    assert_accessible(page, "indicator list")
    page.get_by_role("link", name="Enter a value for NI 17").click()
    assert_accessible(page, "value entry form")
    page.get_by_label("Period").fill("2025/26 Q3")
    page.get_by_label("Actual value").fill("lots")
    page.get_by_role("button", name="Save the value").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Actual value “lots” is not a number")
    expect(summary).to_be_focused()
    assert_accessible(page, "value entry form with an error")
    screenshot(page, "partners_form.png")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Actual value")).to_be_focused()
    page.get_by_label("Actual value").fill("31.5")
    page.get_by_label("Target (optional)").fill("30")
    page.get_by_label("Lower is better").check()
    page.get_by_label("Amber").check()
    page.get_by_label("Commentary (optional)").fill("A rise after the summer events.")
    page.get_by_role("button", name="Save the value").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved the figures for 2025/26 Q3")
    page.get_by_role("link", name="Correct the figures for 2025/26 Q3").click()
    expect(page.get_by_role("heading", name="Correct the figures for 2025/26 Q3")).to_be_visible()
    assert_accessible(page, "value correction form")
    page.get_by_label("Actual value").fill("29.5")
    page.get_by_label("Green").check()
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved the figures for 2025/26 Q3")
    page.context.clear_cookies()

    officer = db.session.scalar(select(User).where(User.email == "officer@aldermoor.example"))
    council_page = make_page()
    sign_in_as(council_page, officer, demo.passwords[officer.email])
    council_page.goto("/manage/indicators/all")
    council_page.get_by_role("link", name="NI 17: ").click()
    history = council_page.get_by_role("table", name="History of 2025/26 Q3")
    expect(history).to_contain_text("31.5 → 29.5")
    expect(history).to_contain_text("Amber → Green")
    expect(history).to_contain_text(f"{analyst.name} (Westmarch Police)")
    expect(council_page.get_by_role("link", name="Correct the figures for 2025/26 Q3")).to_have_count(0)
    assert_accessible(council_page, "indicator page with a value's history")
    screenshot(council_page, "partners_history.png")
    council_page.goto("/manage/boards/safer-and-stronger-communities/missing-returns")
    expect(council_page.get_by_role("heading", name="Missing returns")).to_be_visible()
    assert_accessible(council_page, "missing returns")
    screenshot(council_page, "partners_missing.png")
    council_page.goto("/manage/boards/safer-and-stronger-communities/trend")
    table = council_page.get_by_role(
        "table", name="Indicators of SSC-ASB in each period (actual, with the target)"
    )
    expect(table).to_contain_text("29.5 (30)")
    expect(council_page.locator(".app-chart__plot .main-svg").first).to_be_attached()
    assert_accessible(council_page, "trend")
    screenshot(council_page, "partners_trend.png")
