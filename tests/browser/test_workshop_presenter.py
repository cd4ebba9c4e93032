"""The presenter view on the room's screen, by its projector-only link (nobody signed in): at 1920x1080 and
1280x720 it fits without scrolling, with the code and the QR code in view, and the results update in place."""

from datetime import date

import pytest
from playwright.sync_api import expect

from engage.accounts.models import Role
from engage.extensions import db
from engage.prioritise.models import Outcome
from engage.workshops import service
from tests.browser.conftest import assert_accessible, screenshot

FOLLOW = 5_000  # ms: the screen asks every second in production (FAST_POLLING here, but for one case)


def fits_the_screen(page, results: str = ".app-presenter__results") -> None:
    """No scrolling, nothing spilling out of its column, and the code, the QR code and the ``results``
    (the table, or an open-text round's wall) within the screen."""
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth - innerWidth,"
        " document.documentElement.scrollHeight - innerHeight]"
    )
    assert overflow[0] <= 0 and overflow[1] <= 0, f"the presenter view scrolls by {overflow}"
    for selector in ("[data-code]", ".app-presenter__url", ".app-presenter__question"):
        spill = page.locator(selector).evaluate("el => el.scrollWidth - el.clientWidth")
        assert spill <= 0, f"{selector} spills out of its column by {spill} px"
    # Where each ends, read in one go in the page: the screen swaps its results in every half second here,
    # and a box read between the old element leaving and the new one settling came back empty (a failure
    # in CI now and then, with the wall on the screen all along).
    selectors = ["[data-code]", "img.app-presenter__qr", results]
    bottoms = page.evaluate(
        "(selectors) => selectors.map((s) => { const el = document.querySelector(s);"
        " if (!el) return null; const r = el.getBoundingClientRect();"
        " return r.width || r.height ? r.bottom : null; })",
        selectors,
    )
    for selector, bottom in zip(selectors, bottoms, strict=True):
        assert bottom is not None, f"{selector} is not on the screen"
        assert bottom <= page.viewport_size["height"] + 1, f"{selector} is below the screen"


@pytest.mark.parametrize(
    "width,height",
    [
        # The production intervals once: the screen follows the room at the pace a real one asks.
        pytest.param(1920, 1080, marks=pytest.mark.production_polling),
        (1280, 720),
    ],
)
def test_presenter_view_fits_the_screen_and_updates_in_place(
    make_page, hwb, make_user, council, make_exercise, width, height
):
    facilitator = make_user(Role.FACILITATOR, organisation=council)
    session = service.create_session(hwb, facilitator, "Evening", date(2026, 12, 3), "Library")
    current_round = service.add_round(session, make_exercise(title="Which matters more?"), None)
    service.start_next_round(session)
    service.set_round_state(session, "timer")
    service.set_round_state(session, "reveal")
    items = list(current_round.exercise.active_items)
    for person in range(5):
        service.join(session, f"phone-{person}", f"Table {person}")
        service.record_room_vote(
            current_round, f"phone-{person}", items[0].id, items[1].id, Outcome.LEFT, f"{person:032d}"
        )
    token = service.new_screen_link(session)
    # The widest code the alphabet allows: a random one spilled out of its column only now and then.
    session.join_code = "W" * len(session.join_code)
    db.session.commit()

    screen = make_page(viewport={"width": width, "height": height})
    screen.goto(f"/screen/{token}")
    expect(screen.locator("[data-code]")).to_have_text(session.join_code)
    qr = screen.locator("img.app-presenter__qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 0, "the QR code is not drawn"
    expect(screen.get_by_role("table")).to_contain_text("The room so far: 5 people")
    expect(screen.get_by_text("Sign out")).to_have_count(0)
    expect(screen.get_by_text("Table 1")).to_have_count(0)  # names stay on the control page
    fits_the_screen(screen)
    assert_accessible(screen, f"presenter view {width}x{height}")
    screenshot(screen, f"workshop-presenter-{width}x{height}.png", full_page=False)

    # A new answer arrives: the count and the bars change where they are, with no reload.
    screen.evaluate("window.__notReloaded = true")
    service.join(session, "phone-9", "")
    service.record_room_vote(current_round, "phone-9", items[2].id, items[3].id, Outcome.LEFT, "9" * 32)
    db.session.commit()
    expect(screen.get_by_role("table")).to_contain_text("The room so far: 6 people", timeout=FOLLOW)
    expect(screen.locator("[data-answered]")).to_have_text("6")
    assert screen.evaluate("window.__notReloaded") is True
    fits_the_screen(screen)
