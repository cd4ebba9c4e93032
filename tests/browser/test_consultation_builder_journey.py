"""An officer builds a consultation with a conditional question and a ranking in the browser, a resident
answers it (the condition applies), and the officer reads the results with their charts, the breakdown and
the paper entry page: every step checked with axe-core."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in_as


def _sign_in(page, user):
    sign_in_as(page, user)


def _add_question(page, kind: str, label: str, options: str = "", condition: str | None = None):
    page.get_by_role("link", name="Add a question to this page").last.click()
    page.get_by_label(kind).check()
    page.get_by_label("Question", exact=True).fill(label)
    if options:
        page.get_by_label("Options (single choice, multiple choice and ranking)").fill(options)
    if condition:
        page.get_by_label("Ask only some people (optional)").select_option(label=condition)
    page.get_by_role("button", name="Save question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved the question.")


def test_officer_builds_a_consultation_a_resident_answers_and_the_officer_reads_results(
    make_page, hwb, officer
):
    page = make_page()
    _sign_in(page, officer)
    page.goto(f"/manage/boards/{hwb.slug}")
    page.get_by_role("button", name="New consultation").click()
    assert_accessible(page, "new consultation")
    page.get_by_label("Title").fill("Getting about")
    page.get_by_role("button", name="Save consultation").click()
    expect(page.locator("h1")).to_have_text("Getting about")

    page.get_by_role("link", name="Add a section").click()
    page.get_by_label("Section title").fill("You")
    page.get_by_role("button", name="Save section").click()
    page.get_by_role("link", name="Add a question to this page").click()
    # A question with no options is refused with a linked error summary, and nothing is saved.
    page.get_by_label("Single choice (radios)").check()
    page.get_by_label("Question", exact=True).fill("Do you drive?")
    page.get_by_role("button", name="Save question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give at least 2 options, one per line")
    assert_accessible(page, "question form with an error")
    page.get_by_label("Options (single choice, multiple choice and ranking)").fill("Yes\nNo")
    page.get_by_role("button", name="Save question").click()

    page.get_by_role("link", name="Add a section").click()
    page.get_by_label("Section title").fill("Getting about")
    page.get_by_role("button", name="Save section").click()
    page.get_by_role("link", name="Add a question to this page").last.click()
    assert_accessible(page, "new question with a condition to choose")
    page.get_by_role("link", name="Back", exact=True).click()
    _add_question(page, "Rating from 0 to 10", "How easy is it to park?", condition="Do you drive?: Yes")
    _add_question(
        page,
        "Ranking: put the options in order",
        "Put these in order",
        "More buses\nCheaper fares\nCycle lanes",
    )
    expect(page.locator("main")).to_contain_text("Asked only of people who chose “Yes” for “Do you drive?”")
    assert_accessible(page, "consultation being built")
    page.get_by_role("button", name="Open to residents").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The consultation is open to residents."
    )
    manage_url = page.url

    resident = make_page(viewport={"width": 320, "height": 800})
    resident.goto(manage_url.replace("/manage/consultations/", "/consultations/"))
    resident.get_by_role("button", name="Start now").click()
    resident.get_by_label("No").check()
    resident.get_by_role("button", name="Continue").click()
    resident.wait_for_url("**/sections/2")
    expect(resident.locator("main")).not_to_contain_text("How easy is it to park?")
    for place, option in enumerate(["Cheaper fares", "More buses", "Cycle lanes"], start=1):
        resident.get_by_label(option).select_option(str(place))
    assert_accessible(resident, "ranking question at 320 px")
    resident.get_by_role("button", name="Continue").click()
    resident.wait_for_url("**/check")
    expect(resident.locator("main")).to_contain_text("1. Cheaper fares")
    resident.get_by_role("button", name="Send your response").click()
    resident.wait_for_url("**/confirmation")

    page.goto(manage_url + "/results")
    # One response: every count is hidden (fewer than 5 people), so no chart gives them away.
    expect(page.locator("main")).to_contain_text("“hidden” marks a figure we do not show")
    expect(page.locator(".app-chart__plot")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Mean place (1 is first)")
    assert_accessible(page, "consultation results")
    page.get_by_role("button", name="Show the breakdown").click()
    expect(page.locator("main table")).to_be_visible()
    assert_accessible(page, "consultation breakdown")
    page.goto(manage_url + "/paper")
    expect(page.locator("main")).to_contain_text("How easy is it to park?")
    assert_accessible(page, "paper entry")
