"""A resident with scripts on, at 320px and with the keyboard: a question appears when the answer it depends
on (earlier on the same page) is chosen and goes when it is changed, a screen reader hears which, focus stays
where it was, and a changed answer's problem shows as soon as they move on. axe-core at each step."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.surveys.test_same_page_conditions import travel  # noqa: F401 (a fixture)


def test_a_question_appears_and_goes_with_the_answer_it_depends_on(make_page, travel):  # noqa: F811
    how, park, rate, trips = travel.sections[0].questions
    page = make_page(viewport={"width": 320, "height": 640})
    page.goto(f"/consultations/{travel.id}/sections/1")
    parking = page.get_by_label("Where do you park?")
    buses = page.get_by_role("group", name="Rate the buses")
    expect(parking).to_be_hidden()
    expect(buses).to_be_hidden()
    assert_accessible(page, "page with questions waiting on an answer")

    page.get_by_label("Car").focus()
    page.keyboard.press("Space")
    expect(parking).to_be_visible()
    expect(page.locator("#page-status")).to_have_text("Another question has appeared: Where do you park?")
    assert page.evaluate("document.activeElement.value") == str(how.options[0].id)  # focus stayed on Car
    page.keyboard.press("ArrowDown")  # to "Bus"
    expect(parking).to_be_hidden()
    expect(buses).to_be_visible()
    expect(page.locator("#page-status")).to_have_text("Another question has appeared: Rate the buses")

    trips_box = page.get_by_label("How many trips a week? (optional)")
    trips_box.fill("90")
    page.keyboard.press("Tab")
    expect(page.locator(f"#question-{trips.id} .govuk-error-message")).to_contain_text("must be 50 or less")
    assert_accessible(page, "a changed answer with its problem shown")
    assert_no_horizontal_scroll(page)
    trips_box.fill("3")
    page.keyboard.press("Tab")
    expect(page.locator(f"#question-{trips.id} .govuk-error-message")).to_have_count(0)
    buses.get_by_label("8", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sections/2")
    page.goto(f"/consultations/{travel.id}/check")
    expect(page.locator("main")).to_contain_text("Rate the buses")
    expect(page.locator("main")).not_to_contain_text("Where do you park?")
