"""Keyboard alone, in every language: a consultation and a workshop room, with Tab, Space, Enter and arrows.

Every focus stop must be visible (GOV.UK's yellow focus state), Tab must get past every control to the
footer (no traps), and after each htmx swap focus lands somewhere sensible. The pairwise, budget and ranking
keyboard journeys are in their own files.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.models import PairwiseVote
from engage.surveys.models import ConsultationResponse
from engage.workshops import service as workshops
from engage.workshops.models import WorkshopSession
from tests.test_translations import RESIDENT_LANGUAGES

LANGUAGES = ["en", *RESIDENT_LANGUAGES]

#: What the focused element looks like: its own box-shadow/outline, or for GOV.UK radios and checkboxes
#: (the input is invisible) the ring drawn on its label.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const ring = (style) => style.outlineStyle !== "none" && style.outlineWidth !== "0px"
    && style.outlineColor !== "rgba(0, 0, 0, 0)";
  const visible = (style) => (style.boxShadow && style.boxShadow !== "none") || ring(style);
  if (el.matches(".govuk-radios__input, .govuk-checkboxes__input")) {
    const label = document.querySelector(`label[for="${el.id}"]`);
    return visible(getComputedStyle(label, "::before"));
  }
  return visible(getComputedStyle(el));
}"""


def focus_is_visible(page) -> bool:
    return page.evaluate(FOCUS_STYLE)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus, checking each stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert focus_is_visible(page), f"focus on {selector} is not visible"
            return
        tag = page.evaluate("document.activeElement.tagName")
        if tag != "BODY":
            assert focus_is_visible(page), (
                f"focus is not visible on {page.evaluate('document.activeElement.outerHTML')[:120]}"
            )
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def tab_reaches_the_footer(page) -> None:
    """No keyboard trap: Tab gets from the top of the page to the footer's links."""
    page.evaluate("document.activeElement.blur()")
    tab_to(page, ".govuk-footer a", limit=150)


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_only_consultation(make_page, make_consultation, language):
    consultation = make_consultation()
    gp, services, _, rating = consultation.sections[0].questions
    importance = consultation.sections[1].questions[0]
    page = make_page(viewport={"width": 320, "height": 800})
    page.goto(f"/language/{language}?next=/consultations/{consultation.id}")
    tab_reaches_the_footer(page)
    page.evaluate("document.activeElement.blur()")
    tab_to(page, "a.govuk-button--start")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sections/1")

    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")  # the required questions are empty
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK moves focus to the summary
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the first error's link takes focus to its question
    expect(page.locator(f"input[name=q{gp.id}]").first).to_be_focused()
    page.keyboard.press("ArrowDown")  # arrows move through a radio group and choose as they go
    expect(page.locator(f"input[name=q{gp.id}]").nth(1)).to_be_checked()

    tab_to(page, f"input[name=q{services.id}]")
    page.keyboard.press("Space")
    expect(page.locator(f"input[name=q{services.id}]").first).to_be_checked()
    tab_to(page, f"input[name=q{rating.id}]")
    page.keyboard.press("Space")
    for _ in range(7):
        page.keyboard.press(
            "ArrowRight" if language != "ur" else "ArrowLeft"
        )  # "forward" in the reading order
    expect(page.locator(f"input[name=q{rating.id}][value='7']")).to_be_checked()
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sections/2")

    for priority in consultation.board.active_priorities:
        tab_to(page, f"input[name=q{importance.id}-p{priority.id}]")
        page.keyboard.press("Space")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/check")
    tab_reaches_the_footer(page)
    page.evaluate("document.activeElement.blur()")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/confirmation")
    expect(page.locator(".app-reference")).not_to_be_empty()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_only_workshop_participant(make_page, app, demo, language):
    session = db.session.scalar(select(WorkshopSession))
    page = make_page(viewport={"width": 320, "height": 800})
    page.goto(f"/language/{language}?next=/join")
    tab_to(page, "main input[name=code]")
    page.keyboard.type(session.join_code.lower())  # as typed on a phone: lower case is fine
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/join/{session.join_code}")
    tab_to(page, "main input[name=label]")
    page.keyboard.type("Table 3")
    page.keyboard.press("Enter")
    status = page.locator("#room-status")
    expect(page.locator("main input[name=label]")).to_have_count(0)

    workshops.start_next_round(session)  # the facilitator starts the pairwise round
    db.session.commit()  # services only flush: the live server reads what this test committed
    # The page polls; the new round arrives without anyone pressing a key, and focus goes to its heading.
    choice = page.locator("button.app-choice").first
    expect(choice).to_be_visible(timeout=10_000)
    expect(page.locator("#pair-question")).to_be_focused()  # data-autofocus is used once, then taken off
    first_pair = page.locator("input[name=key]").input_value()
    tab_to(page, "button.app-choice")
    page.keyboard.press("Enter")
    # htmx swapped in the next pair: focus is on its question (read out), not lost to <body>
    expect(page.locator("input[name=key]")).not_to_have_value(first_pair)
    expect(page.locator("#pair-question")).to_be_focused()
    expect(status).to_be_empty()  # nothing went wrong, so nothing extra is announced
    db.session.expire_all()
    in_room = select(PairwiseVote).where(PairwiseVote.workshop_session_id == session.id)
    assert db.session.scalar(in_room).locale == language
    tab_reaches_the_footer(page)
