"""Phones keep what they are typing while the facilitator runs the room: pausing, resuming, the timer, a
minute more and showing the results change a status line on each phone, never its form or its focus."""

import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.extensions import db
from engage.prioritise.models import Submission
from engage.workshops import service
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in_as

FOLLOW = 6_000  # ms: the phones ask every 2 s in production (FAST_POLLING here)
PHONES = 8


def test_facilitator_actions_leave_typed_answers_and_focus_alone(
    make_page, hwb, make_user, council, make_budget
):
    facilitator = make_user(Role.FACILITATOR, organisation=council)
    session = service.create_session(hwb, facilitator, "Evening", date(2026, 12, 3), "Library")
    service.add_round(session, make_budget(title="Dot vote"), None)
    db.session.commit()
    code = session.join_code

    control = make_page()
    sign_in_as(control, facilitator)
    control.goto(f"/manage/workshops/{session.id}")
    # Eight phones from 320 to 375 px wide, as in a real room.
    phones = [
        make_page(viewport={"width": 320 + 55 * k // (PHONES - 1), "height": 700}) for k in range(PHONES)
    ]
    for number, phone in enumerate(phones, start=1):
        phone.goto(f"/join/{code}")
        phone.get_by_label("Your first name or table number (optional)").fill(f"Table {number}")
        phone.get_by_role("button", name="Join the workshop").click()
        expect(phone.get_by_role("heading", name="You are in")).to_be_visible()
    control.get_by_role("button", name="Start the next round").click()
    for phone in phones:
        expect(phone.get_by_role("button", name="Send")).to_be_visible(timeout=FOLLOW)

    # Each phone half-types its dots; the second is still in its second box.
    for phone in phones:
        boxes = phone.locator("input.govuk-input")
        boxes.nth(0).fill("40")
        boxes.nth(1).click()
        boxes.nth(1).press_sequentially("3")
    for label, seen in (
        ("Pause voting", "Voting is paused"),
        ("Resume voting", None),
        ("Start a 3-minute timer", "closes at"),
        ("Add a minute", "closes at"),
        ("Show the results", "results are on the screen"),
    ):
        control.get_by_role("button", name=label).click()
        for phone in phones:
            if seen:
                expect(phone.locator("#room-state")).to_contain_text(seen, timeout=FOLLOW)
            else:
                expect(phone.locator("#room-state")).not_to_contain_text("paused", timeout=FOLLOW)
            boxes = phone.locator("input.govuk-input")
            expect(boxes.nth(0)).to_have_value("40")
            expect(boxes.nth(1)).to_have_value("3")
            expect(boxes.nth(1)).to_be_focused()
    screenshot(phones[0], "workshop-phone-results-shown-320.png")
    # The running count, as the boxes are typed in and the big + and − buttons tapped.
    count = phones[0].locator("[data-count]")
    expect(count).to_have_text("Left to share out: 57 of 100")
    third = phones[0].locator("input.govuk-input").nth(2)
    plus = phones[0].get_by_role("button", name=re.compile(r"^One more for "))
    minus = phones[0].get_by_role("button", name=re.compile(r"^One less for "))
    box = third.bounding_box()
    assert box["height"] >= 44 and plus.nth(2).bounding_box()["height"] >= 44, "tap targets too small"
    plus.nth(2).click()
    plus.nth(2).click()
    minus.nth(2).click()
    expect(third).to_have_value("1")
    expect(count).to_have_text("Left to share out: 56 of 100")
    phones[0].locator("input.govuk-input").nth(3).fill("90")
    expect(count).to_have_text("Too many: 34 more than 100. Take some away.")
    screenshot(phones[0], "workshop-phone-dots-320.png")
    assert_accessible(phones[0], "dot vote with its running count and buttons")
    assert_no_horizontal_scroll(phones[0])
    for phone in phones:
        boxes = phone.locator("input.govuk-input")
        boxes.nth(1).fill("30")
        boxes.nth(2).fill("20")
        boxes.nth(3).fill("10")
    expect(count).to_have_text("Left to share out: 0 of 100")
    for phone in phones:
        phone.get_by_role("button", name="Send").click()
        expect(phone.get_by_role("heading", name="Thank you: you have finished this round")).to_be_visible()
    control.goto(f"/manage/workshops/{session.id}")
    expect(control.locator("[data-answered]")).to_have_text(str(PHONES))
    expect(control.locator("[data-person]")).to_have_count(PHONES)
    screenshot(control, "workshop-control-page.png")
    stored = db.session.scalar(
        select(func.count()).select_from(Submission).where(Submission.workshop_session_id == session.id)
    )
    assert stored == PHONES  # every answer stored once
