"""Staff journeys in the browser: sign in (and its errors), create a board, add priorities, see them."""

import pytest
from playwright.sync_api import expect

from engage.accounts.models import Role
from tests.browser.conftest import assert_accessible, sign_in_as


@pytest.mark.parametrize(
    ("lang", "error_title", "error_message", "sign_in"),
    [
        ("en", "There is a problem", "Enter a correct email address and password", "Sign in"),
        ("cy", "Mae problem", "Rhowch gyfeiriad e-bost a chyfrinair cywir", "Mewngofnodi"),
    ],
)
def test_wrong_password_shows_a_focused_error_summary(
    page, make_user, lang, error_title, error_message, sign_in
):
    user = make_user(Role.ADMIN)
    page.goto(f"/sign-in?lang={lang}")
    assert_accessible(page, f"sign in ({lang})")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill("not the password")
    page.get_by_role("button", name=sign_in).click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert error_title in summary.inner_text()
    assert error_message in summary.inner_text()
    # GOV.UK Frontend moves focus to the summary so screen-reader users hear it first
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert page.locator("#email").input_value() == user.email
    assert page.title().startswith("Gwall:" if lang == "cy" else "Error:")
    assert_accessible(page, f"sign-in error state ({lang})")


def test_admin_creates_a_board_and_adds_priorities_that_residents_then_see(
    page, make_user, make_organisation
):
    council = make_organisation("Aldermoor Borough Council")
    admin = make_user(Role.ADMIN, organisation=council)

    sign_in_as(page, admin)
    assert_accessible(page, "manage home")

    page.get_by_role("link", name="Boards").click()
    page.get_by_role("button", name="Add a board").click()
    assert_accessible(page, "new board form")
    page.get_by_label("Board name").fill("Safer and Stronger Communities")
    page.get_by_label("Short code").fill("SSC")
    page.get_by_label("Partnership board").check()
    page.get_by_label("Aldermoor Borough Council").check()
    page.get_by_role("button", name="Save board").click()
    page.wait_for_url("**/manage/boards/safer-and-stronger-communities")
    assert "Saved Safer and Stronger Communities." in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page, "board management page")

    for code, title in [("SSC-ASB", "Tackling anti-social behaviour"), ("SSC-ROADS", "Safer roads")]:
        page.get_by_role("button", name="Add a priority").click()
        page.get_by_label("Code").fill(code)
        page.get_by_label("Title").fill(title)
        page.get_by_label("Description for residents").fill(f"{title}, explained plainly.")
        page.get_by_role("button", name="Save priority").click()
        page.wait_for_url("**/manage/boards/safer-and-stronger-communities")

    # A duplicate code is refused with a message and the typed title kept
    page.get_by_role("button", name="Add a priority").click()
    page.get_by_label("Code").fill("SSC-ASB")
    page.get_by_label("Title").fill("A second try")
    page.get_by_role("button", name="Save priority").click()
    assert (
        "This board already has a priority with this code"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert page.get_by_label("Title").input_value() == "A second try"
    assert_accessible(page, "priority form with errors")

    for lang in ("en", "cy"):
        page.goto(f"/?lang={lang}")
        main = page.locator("main").inner_text()
        assert "Safer and Stronger Communities" in main
        assert "Tackling anti-social behaviour" in main and "Safer roads" in main
        assert ("2 flaenoriaeth" if lang == "cy" else "2 priorities") in main


def test_analyst_uploads_population_figures(page, make_user, tmp_path):
    analyst = make_user(Role.ANALYST)
    sign_in_as(page, analyst)
    page.get_by_role("link", name="Population figures for weighting").click()
    assert_accessible(page, "population upload")
    bad = tmp_path / "bad.csv"
    bad.write_text("dimension,category,population\nsex,F,10\nward,N,5\n", encoding="utf-8")
    page.get_by_label("Population file (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and replace").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Each dimension must add up to the same total"
    )
    assert_accessible(page, "population upload with errors")
    good = tmp_path / "good.csv"
    good.write_text("dimension,category,population\nsex,Female,10\nsex,Male,10\n", encoding="utf-8")
    page.get_by_label("Population file (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Upload and replace").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Loaded population figures for 1 dimension."
    )
