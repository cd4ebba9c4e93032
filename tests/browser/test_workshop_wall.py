"""An open-text round as a room runs it: phones at 375 px (one in Welsh) type ideas; the facilitator at
1280 px reads each on the control page and lets it through or keeps it off, with notes for the round in view;
the projector at 1920x1080 shows only what was let through, as a word cloud and a list, without scrolling."""

from datetime import date

from playwright.sync_api import expect

from engage.accounts.models import Role
from engage.extensions import db
from engage.workshops import service, wall
from engage.workshops.models import WallState
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.browser.test_workshop_presenter import fits_the_screen

FOLLOW = 6_000  # ms: in production the screen asks every second, the control page every 2 s (FAST_POLLING)


def test_a_free_text_round_goes_on_the_wall_only_once_the_facilitator_lets_it(
    make_page, hwb, make_user, council, make_consultation
):
    facilitator = make_user(Role.FACILITATOR, organisation=council)
    session = service.create_session(hwb, facilitator, "Ideas evening", date(2026, 12, 3), "Library")
    question = next(q for q in make_consultation().questions if q.kind.value == "long_text")
    text_round = service.add_round(session, question=question)
    service.set_notes(session, text_round, "Ask the back tables first. Keep off anything with a name.")
    service.start_next_round(session)
    service.set_round_state(session, "reveal")
    token = service.new_screen_link(session)
    db.session.commit()

    screen = make_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"/screen/{token}")
    expect(screen.get_by_text("Answers will appear here once the facilitator has read them.")).to_be_visible()

    ideas = ["More buses at night", "Night buses to the hospital", "Ring Sam on 07700 900123", "Safer parks"]
    for number, idea in enumerate(ideas):
        phone = make_page(viewport={"width": 375, "height": 740})
        welsh = number == 1
        phone.goto(f"/join/{session.join_code}" + ("?lang=cy" if welsh else ""))
        phone.locator("#main-content form button[type=submit]").click()  # join without a name
        box = phone.locator("textarea")
        expect(box).to_be_visible()
        if number == 0:
            assert_accessible(phone, "free-text round on a phone")
            screenshot(phone, "workshop-wall-phone-375.png")
        box.fill(idea)
        phone.locator("#main-content form button[type=submit]").click()
        done = "Bydd yr hwylusydd yn darllen eich ateb" if welsh else "The facilitator will read your answer"
        expect(phone.get_by_text(done)).to_be_visible()
        if welsh:
            screenshot(phone, "workshop-wall-phone-375-cy.png")
        phone.close()
    # Nothing has been read yet: nothing on the screen.
    expect(screen.locator("[data-wall]")).to_have_count(0)

    control = make_page(viewport={"width": 1280, "height": 900})
    sign_in_as(control, facilitator)
    control.goto(f"/manage/workshops/{session.id}")
    expect(control.locator("[data-notes]")).to_contain_text("Ask the back tables first.")
    waiting = control.locator('[data-wall="waiting"]')
    expect(waiting.locator("li")).to_have_count(4)
    phone_number = waiting.locator("li", has_text="07700 900123")
    phone_number.get_by_role("button", name="Keep off").click()
    expect(control.locator('[data-wall="hidden"]')).to_contain_text("07700 900123", timeout=FOLLOW)
    control.get_by_role("button", name="Show all 3 waiting answers").click()
    expect(control.locator('[data-wall="shown"] li')).to_have_count(3, timeout=FOLLOW)
    assert_accessible(control, "control page with the wall")
    screenshot(control, "workshop-wall-control-1280.png")

    expect(screen.locator("[data-cloud]")).to_contain_text("buses", timeout=FOLLOW)
    expect(screen.locator("[data-wall]")).to_contain_text("Safer parks")
    expect(screen.locator("body")).not_to_contain_text("07700")
    expect(screen.locator("body")).not_to_contain_text("back tables")  # notes stay on the control page
    # "buses" and "night" were each in two answers: the biggest words; the rest once each.
    expect(screen.locator(".app-cloud__word--5")).to_have_text(["buses", "night"])
    fits_the_screen(screen, results="[data-wall]")
    assert_accessible(screen, "presenter view with the wall")
    screenshot(screen, "workshop-wall-presenter-1920x1080.png", full_page=False)

    # A late answer waits; "show all" earlier did not let it through unseen.
    late = make_page(viewport={"width": 375, "height": 740})
    late.goto(f"/join/{session.join_code}")
    late.locator("#main-content form button[type=submit]").click()
    late.locator("textarea").fill("Late idea about libraries")
    late.locator("#main-content form button[type=submit]").click()
    expect(control.locator('[data-wall="waiting"]')).to_contain_text("Late idea", timeout=FOLLOW)
    db.session.expire_all()
    states = {entry.text: entry.state for entry in wall.entries(text_round)}
    assert states["Late idea about libraries"] is WallState.WAITING
    assert states["Ring Sam on 07700 900123"] is WallState.HIDDEN
    expect(screen.locator("body")).not_to_contain_text("libraries")
