"""Weights in the browser: an analyst builds, previews and submits a partnership board's weight set for
sign-off (with an error on the way), and it is refused publication until a councillor signs it off, then
published as decided; a network's are published as advisory; residents read the published weights on a
phone, in English and Welsh, with axe checks throughout."""

import re

import pytest
from playwright.sync_api import expect

from engage.boards.models import BoardKind
from engage.extensions import db
from engage.weights import sign_off
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in_as
from tests.factories_weights import councillor_for, publish_weights


def test_analyst_builds_previews_and_publishes_weights(page, board_with_answers, analyst):
    b = board_with_answers
    sign_in_as(page, analyst)
    page.goto("/manage/boards/health-and-wellbeing")
    page.get_by_role("link", name="Priority weights for performance management").click()
    assert_accessible(page, "board weights (manage)")
    page.get_by_role("button", name="Build a new weight set").click()
    assert_accessible(page, "weight set form")

    page.get_by_label("Which matters more?").fill("50")
    page.get_by_label("Share 100 points").fill("30")
    page.get_by_role("button", name="Save and preview").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The shares of the blend add up to 80%. They must add up to 100%.")
    expect(summary).to_be_focused()
    assert page.get_by_label("Which matters more?").input_value() == "50"
    assert_accessible(page, "weight set form with an error")

    page.get_by_label(f"{b['question'].section.consultation.title}: {b['question'].label}").fill("20")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.locator(".app-chart__plot .main-svg").first).to_be_attached()
    table = page.get_by_role("table", name="Weights if published now")
    expect(table.locator("tbody tr").first).to_contain_text("Helping people stop smoking")
    expect(page.get_by_role("heading", name="How robust is the order?")).to_be_visible()
    assert_accessible(page, "weight set preview")

    # A partnership board: the weights are a decision, so they go for sign-off instead of being published.
    page.get_by_role("button", name="Check and submit for sign-off").click()
    expect(page.get_by_role("heading", name="Check before submitting for sign-off")).to_be_visible()
    expect(page.get_by_role("heading", name="Minimum evidence")).to_be_visible()
    assert_accessible(page, "confirmation before submitting")
    page.get_by_role("button", name="Submit for sign-off").click()  # without ticking the box
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Confirm that you have checked these weights before publishing")
    expect(summary).to_be_focused()
    page.get_by_label("I have checked these weights").check()
    screenshot(page, "blend_confirm.png")
    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Submitted for sign-off.")
    expect(page.get_by_text("Waiting for sign-off", exact=True)).to_be_visible()
    # Refused publication until signed off: nothing public, nothing to publish, nothing to change.
    expect(page.get_by_role("button", name="Check and submit for sign-off")).to_have_count(0)
    expect(page.get_by_role("link", name="Change the sources, blend or weighting")).to_have_count(0)
    assert_accessible(page, "draft waiting for sign-off")
    page.goto("/boards/health-and-wellbeing/weights")
    expect(page.get_by_text("No weights have been published for this board yet.")).to_be_visible()
    page.goto(page.url.replace("/boards/health-and-wellbeing/weights", "/manage/oversight"))
    expect(page.get_by_role("heading", name="You do not have permission")).to_be_visible()


def test_a_councillor_signs_off_a_partnership_decision(make_page, make_weight_set, analyst):
    weight_set = make_weight_set()
    sign_off.submit(weight_set, analyst)
    councillor = councillor_for(weight_set.board)
    db.session.commit()
    page = make_page(viewport={"width": 1280, "height": 900})
    sign_in_as(page, councillor)
    page.get_by_role("link", name="Partnership decisions: waiting for sign-off and made").click()
    assert_accessible(page, "oversight page")
    page.get_by_role("link", name=re.compile("review and sign off")).click()
    expect(page.get_by_role("heading", name="Sign off the priority weights")).to_be_visible()
    expect(page.get_by_role("table", name="Weights to be published")).to_be_visible()
    expect(page.get_by_role("heading", name="How robust is the order?")).to_be_visible()
    expect(page.get_by_role("heading", name="How these weights were made")).to_be_visible()
    assert_accessible(page, "sign-off page")
    page.get_by_role("button", name="Approve and publish as the board's decision").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the meeting or minute reference of the decision")
    expect(summary).to_be_focused()
    assert_accessible(page, "sign-off page with an error")
    page.get_by_label("Meeting or minute reference").fill("Board meeting 3 March 2027, minute 4")
    screenshot(page, "sign_off.png")
    page.get_by_role("button", name="Approve and publish as the board's decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Approved: version 1 is published as the board's decision."
    )
    expect(page.get_by_text("Decided", exact=True)).to_be_visible()
    # Residents read it as the board's decision, with who decided and the minute.
    phone = make_page(viewport={"width": 375, "height": 740})
    phone.goto("/boards/health-and-wellbeing/weights/1")
    expect(phone.get_by_text("Decided", exact=True)).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Cllr Test Member (Chair of the board)")
    expect(phone.locator("main")).to_contain_text("Board meeting 3 March 2027, minute 4")
    screenshot(phone, "decided_public.png")
    assert_accessible(phone, "decided weights (public)")
    assert_no_horizontal_scroll(phone)


def test_a_networks_weights_are_published_as_advisory(page, make_weight_set, analyst):
    weight_set = make_weight_set()
    weight_set.board.kind = BoardKind.NETWORK
    db.session.commit()
    sign_in_as(page, analyst)
    page.goto(f"/manage/weights/{weight_set.id}")
    page.get_by_role("button", name="Check and publish as advisory").click()
    expect(page.get_by_role("heading", name="Check before publishing")).to_be_visible()
    expect(page.locator("main")).to_contain_text("published as advisory, without sign-off")
    page.get_by_label("I have checked these weights").check()
    page.get_by_role("button", name="Publish this version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Published version 1 of the Health and Wellbeing weights as advisory."
    )
    expect(page.get_by_text("Advisory", exact=True)).to_be_visible()
    assert_accessible(page, "advisory weight set (manage)")
    page.goto("/boards/health-and-wellbeing/weights/1?lang=cy")
    expect(page.locator("main .govuk-tag--purple")).to_be_visible()
    screenshot(page, "advisory_cy.png")
    assert_accessible(page, "advisory weights (cy)")


@pytest.mark.parametrize(
    ("lang", "heading", "caption"),
    [
        ("en", "Priority weights, version 1", "Weight of each priority"),
        ("cy", "Pwysoliadau blaenoriaethau, fersiwn 1", "Pwysoliad pob blaenoriaeth"),
    ],
)
def test_residents_read_published_weights_on_a_phone(
    make_page, make_weight_set, analyst, lang, heading, caption
):
    publish_weights(make_weight_set(), analyst)
    db.session.commit()  # the live server reads it on its own connection
    page = make_page(viewport={"width": 320, "height": 640})
    page.goto(f"/boards/health-and-wellbeing?lang={lang}")
    page.locator("a[href='/boards/health-and-wellbeing/weights']").click()
    assert_accessible(page, f"board weights ({lang})")
    page.locator("a[href='/boards/health-and-wellbeing/weights/1']").first.click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("table", name=caption).locator("tbody tr")).to_have_count(4)
    assert_accessible(page, f"published weights ({lang})")
    assert_no_horizontal_scroll(page)
