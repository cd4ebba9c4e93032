"""A resident reads the home page and a board page: keyboard, 320px, English and Welsh, no axe violations."""

import pytest
from playwright.sync_api import expect

from engage.boards.models import BoardKind
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll


@pytest.fixture
def demo_board(make_board, make_priority, make_organisation):
    board = make_board(
        "Health and Wellbeing",
        members=[make_organisation("Aldermoor and District Integrated Care Board")],
        kind=BoardKind.PARTNERSHIP,
        remit="Improves the health of residents.",
    )
    make_priority(board, "HWB-SMOKING", "Helping people stop smoking", description="Free support to quit.")
    make_priority(board, "HWB-ACTIVE", "More people active", description="Sport and everyday exercise.")
    return board


@pytest.mark.parametrize(
    ("lang", "heading", "empty_state"),
    [
        ("en", "Have your say on what matters most", "There are no open exercises at the moment"),
        ("cy", "Dweud eich dweud am yr hyn sydd bwysicaf", "Nid oes unrhyw ymarferion ar agor ar hyn o bryd"),
    ],
)
def test_home_page_reads_well_in_each_language(page, demo_board, lang, heading, empty_state):
    page.goto(f"/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert empty_state in page.locator("#no-open-exercises").inner_text()
    assert "Helping people stop smoking" in page.locator("main").inner_text()
    assert_accessible(page, f"home ({lang})")


def test_home_page_fits_a_320px_screen(page, demo_board):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    assert_no_horizontal_scroll(page)
    page.goto("/boards/health-and-wellbeing")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "board page at 320px")


def test_keyboard_user_skips_to_content_then_reaches_a_board(page, demo_board):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    # Tab onwards until the board link has focus, then follow it with Enter
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Health and Wellbeing":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/boards/health-and-wellbeing")
    assert page.get_by_role("heading", level=1).inner_text() == "Health and Wellbeing"
    assert "Free support to quit." in page.locator("main").inner_text()
    assert_accessible(page, "board page")


def test_language_switcher_keeps_the_resident_on_the_same_page(page, demo_board):
    page.goto("/boards/health-and-wellbeing")
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")  # same address, now in Welsh
    # The lang attribute arrives with the first bytes of the new page: wait for its content too.
    expect(page.get_by_role("heading", name="Blaenoriaethau")).to_be_visible()
    assert page.url.endswith("/boards/health-and-wellbeing")
    assert_accessible(page, "board page in Welsh")


@pytest.mark.parametrize("path", ["/accessibility", "/privacy", "/no-such-page"])
def test_statement_and_error_pages_are_accessible(page, path):
    page.goto(path)
    assert_accessible(page, path)
