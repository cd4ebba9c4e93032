"""Weights in the browser: an analyst builds, previews and publishes a weight set (with an error on the way);
residents read the published weights on a phone, in English and Welsh, with axe checks throughout."""

import pytest
from playwright.sync_api import expect

from engage.extensions import db
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, sign_in_as
from tests.factories_weights import publish_weights


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

    page.get_by_role("button", name="Check and publish").click()
    expect(page.get_by_role("heading", name="Check before publishing")).to_be_visible()
    expect(page.get_by_role("heading", name="Minimum evidence")).to_be_visible()
    assert_accessible(page, "confirmation before publishing")
    page.get_by_role("button", name="Publish this version").click()  # without ticking the box
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Confirm that you have checked these weights before publishing")
    expect(summary).to_be_focused()
    page.get_by_label("I have checked these weights").check()
    page.screenshot(path="/tmp/blend_confirm.png", full_page=True)
    page.get_by_role("button", name="Publish this version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Published version 1 of the Health and Wellbeing weights."
    )
    expect(page.get_by_role("heading", name="How these weights were made")).to_be_visible()
    assert_accessible(page, "published weight set (manage)")


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
