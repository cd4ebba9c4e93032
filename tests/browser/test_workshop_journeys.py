"""A four-round workshop in real browsers: a facilitator's control page and projector, and three
participants on phones who join with the code and follow the rounds without reloading. axe checks every
participant state."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import func, select

from engage.channels import Channel
from engage.extensions import db
from engage.prioritise.models import PairwiseVote, Submission
from engage.workshops import service
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, sign_in_as

FOLLOW = 6_000  # ms: the room asks every 2 s in production (FAST_POLLING here); allow for a slow machine


def sign_in_page(page, user):
    sign_in_as(page, user)


def next_round(control):
    """Moving on closes the running round for good: the facilitator confirms it on a page of its own."""
    control.get_by_role("button", name="Start the next round").click()
    control.get_by_role("button", name="Yes, start the next round").click()


def test_four_round_workshop_with_a_facilitator_and_three_phones(
    make_page, hwb, make_user, council, make_exercise, make_budget, make_ranking, make_consultation
):
    from engage.accounts.models import Role

    facilitator = make_user(Role.FACILITATOR, organisation=council)
    session = service.create_session(
        hwb, facilitator, "Healthy Aldermoor evening", date(2026, 12, 3), "Library"
    )
    service.add_round(session, make_exercise(title="Which matters more?"), 2)
    service.add_round(session, make_budget(title="Dot vote"), None)
    service.add_round(session, make_ranking(title="Put them in order"), None)
    consultation = make_consultation()
    service.add_round(
        session, question=next(q for q in consultation.questions if q.kind.value == "agreement")
    )
    db.session.commit()  # services only flush: the live server's requests read what this test committed
    code = session.join_code

    control = make_page()
    sign_in_page(control, facilitator)
    control.goto(f"/manage/workshops/{session.id}")
    assert_accessible(control, "workshop control page")
    projector = make_page(viewport={"width": 1280, "height": 800})
    sign_in_page(projector, facilitator)
    projector.goto(f"/manage/workshops/{session.id}/projector")
    expect(projector.get_by_text(code, exact=True)).to_be_visible()
    qr = projector.locator("img.app-projector__qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 0, "the QR code is not drawn"

    phones = [make_page(viewport={"width": 320, "height": 640}) for _ in range(3)]
    for number, phone in enumerate(phones, start=1):
        phone.goto("/join")
        if number == 1:
            assert_accessible(phone, "enter the code")
        phone.get_by_label("Workshop code").fill(code.lower())
        phone.get_by_role("button", name="Continue").click()
        phone.get_by_label("Your first name or table number (optional)").fill(f"Table {number}")
        if number == 1:
            assert_accessible(phone, "join page")
        phone.get_by_role("button", name="Join the workshop").click()
        expect(phone.get_by_role("heading", name="You are in")).to_be_visible()
    assert_accessible(phones[0], "waiting")
    assert_no_horizontal_scroll(phones[0])
    expect(projector.locator("[data-joined]")).to_have_text("3", timeout=FOLLOW)

    # Round 1: pairwise, two pairs each. The phones follow without reloading.
    control.get_by_role("button", name="Start the next round").click()
    for phone in phones:
        expect(phone.locator("#pair-question")).to_be_visible(timeout=FOLLOW)
    assert_accessible(phones[0], "pairwise round")
    for phone in phones:
        for _ in range(2):
            heading = phone.locator("#pair-question")
            expect(heading).to_be_focused()
            phone.locator(".app-choice").first.click()
        expect(phone.get_by_role("heading", name="Thank you: you have finished this round")).to_be_visible()
    assert_accessible(phones[0], "round finished")
    control.get_by_role("button", name="Show the results").click()
    expect(projector.get_by_role("table")).to_contain_text("The room so far: 3 people", timeout=FOLLOW)
    expect(projector.locator(".app-bar")).to_have_count(4)

    # Round 2: a dot vote (100 points). One phone gets it wrong first.
    next_round(control)
    for phone in phones:
        expect(phone.get_by_role("button", name="Send")).to_be_visible(timeout=FOLLOW)
    boxes = phones[0].locator("input.govuk-input")
    for k in range(boxes.count()):
        boxes.nth(k).fill("50")
    phones[0].get_by_role("button", name="Send").click()
    expect(phones[0].locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(phones[0], "dot vote with an error")
    for phone in phones:
        boxes = phone.locator("input.govuk-input")
        for k, value in enumerate((40, 30, 20, 10)):
            boxes.nth(k).fill(str(value))
        phone.get_by_role("button", name="Send").click()
        expect(phone.get_by_role("heading", name="Thank you: you have finished this round")).to_be_visible()

    # Round 3: a ranking.
    next_round(control)
    phone = phones[1]
    expect(phone.get_by_role("button", name="Send")).to_be_visible(timeout=FOLLOW)
    assert_accessible(phone, "ranking round")
    boxes = phone.locator("input.govuk-input")
    for k in range(boxes.count()):
        boxes.nth(k).fill(str(k + 1))
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_role("heading", name="Thank you: you have finished this round")).to_be_visible()
    # Round 4: a consultation question; then pause, and the end.
    next_round(control)
    phone = phones[0]
    expect(phone.get_by_role("heading", name="Services are easy to reach")).to_be_visible(timeout=FOLLOW)
    assert_accessible(phone, "question round")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Choose an answer")
    phone.get_by_label("Agree", exact=True).check()
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_role("heading", name="Thank you: you have finished this round")).to_be_visible()
    control.get_by_role("button", name="Pause voting").click()
    expect(phones[2].locator("#room-state")).to_contain_text("Voting is paused", timeout=FOLLOW)
    control.get_by_role("button", name="End the workshop").click()
    expect(control.get_by_role("heading", name="End the workshop?")).to_be_visible()
    assert_accessible(control, "confirm the end")
    control.get_by_role("button", name="Yes, end the workshop").click()
    for phone in phones:
        expect(phone.get_by_role("heading", name="The workshop has ended")).to_be_visible(timeout=FOLLOW)
    assert_accessible(phones[0], "ended")

    votes = db.session.scalar(
        select(func.count())
        .select_from(PairwiseVote)
        .where(PairwiseVote.workshop_session_id == session.id, PairwiseVote.channel == Channel.WORKSHOP)
    )
    answers = db.session.scalar(
        select(func.count()).select_from(Submission).where(Submission.workshop_session_id == session.id)
    )
    assert (votes, answers) == (6, 4)
    control.goto(f"/manage/workshops/{session.id}/report")
    expect(control.get_by_role("heading", name="Round 2: Dot vote")).to_be_visible()
    assert_accessible(control, "session report")
