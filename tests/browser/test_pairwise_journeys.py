"""A resident votes in a pairwise exercise (keyboard, htmx, no JavaScript, phone, Welsh); an officer moderates
suggestions."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.models import ExerciseStatus, Outcome, PairwiseVote, RespondentProfile, Suggestion
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, sign_in_as


def votes():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(PairwiseVote))


def status_says(page, text):
    expect(page.locator("#vote-status")).to_contain_text(text)


#: Send a body again as the pair's form sends it (a browser's retry), and swap the answer in where htmx puts
#: it.
RESEND = """([url, body]) => htmx.ajax("POST", url, {
    target: "#pair", swap: "outerHTML", values: Object.fromEntries(new URLSearchParams(body))})"""


def resend(page, url: str, body: str) -> None:
    """Send ``body`` to ``url`` again as the pair's form would, once htmx has loaded: after an undo the page
    is drawn anew, and its text can show before its scripts have run."""
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(RESEND, [url, body])


def posted_bodies(page, url: str) -> list[str]:
    """The bodies of the posts the page sends to ``url`` from now on, in order."""
    sent: list[str] = []

    def keep_body(route) -> None:
        if route.request.method == "POST":
            sent.append(route.request.post_data or "")
        route.continue_()

    page.route(f"**{url}", keep_body)
    return sent


def test_keyboard_resident_votes_with_htmx_and_finishes(page, make_exercise):
    exercise = make_exercise()
    page.goto(f"/exercises/{exercise.id}")
    assert_accessible(page, "start page")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(f"**/exercises/{exercise.id}/vote")
    assert_accessible(page, "first pair")
    vote_url = page.url

    page.locator(".app-choice").first.focus()
    page.keyboard.press("Enter")
    status_says(page, "You've made 1 choice.")
    # htmx swapped the pair in place and moved focus to the new question
    expect(page.locator("#pair-question")).to_be_focused()
    assert page.url == vote_url
    for made in range(2, 5):
        page.keyboard.press("Tab")  # from the question to the first priority
        assert page.evaluate("document.activeElement.classList.contains('app-choice')")
        page.keyboard.press("Space")
        status_says(page, f"You've made {made} choices.")
        expect(page.locator("#pair-question")).to_be_focused()
    assert votes() == 4

    # "I can't decide", with a reason chosen by keyboard
    page.locator(".app-cant-decide summary").focus()
    page.keyboard.press("Enter")
    page.get_by_label("They are equally important").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Skip this pair").focus()
    page.keyboard.press("Enter")
    status_says(page, "You've made 5 choices.")
    skip = db.session.scalar(select(PairwiseVote).where(PairwiseVote.outcome == Outcome.SKIP))
    assert skip.skip_reason.value == "equal"
    assert_accessible(page, "pair after a skip")

    page.get_by_role("link", name="Finish and see your top priorities").click()
    page.wait_for_url(f"**/exercises/{exercise.id}/finish")
    expect(page.locator(".app-top-list li").first).to_be_visible()
    assert_accessible(page, "finish page")
    page.get_by_label("Suggest a priority").fill("Better buses to the hospital")
    page.get_by_role("button", name="Send suggestion").click()
    assert "Thank you. Your suggestion" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_label("25 to 34").check()
    page.get_by_label("North").check()
    page.get_by_role("button", name="Send answers").click()
    page.wait_for_url("**/thank-you")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for taking part"
    assert_accessible(page, "thank you")
    db.session.expire_all()
    assert db.session.scalar(select(Suggestion.text)) == "Better buses to the hospital"
    assert db.session.scalar(select(func.count()).select_from(RespondentProfile)) == 2


def test_resident_without_javascript_votes_by_posting_the_form(make_page, make_exercise):
    exercise = make_exercise()
    page = make_page(java_script_enabled=False)
    page.goto(f"/exercises/{exercise.id}/vote")
    for made in (1, 2, 3):
        page.locator(".app-choice").nth(made % 2).click()
        noun = "choice" if made == 1 else "choices"
        expect(page.locator("#vote-status")).to_contain_text(f"You've made {made} {noun}.")
    assert votes() == 3


def test_phone_sized_screen_in_welsh(make_page, make_exercise):
    exercise = make_exercise()
    page = make_page(viewport={"width": 320, "height": 640})
    page.goto(f"/exercises/{exercise.id}?lang=cy")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Dechrau nawr").click()
    page.wait_for_url(f"**/exercises/{exercise.id}/vote")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert_no_horizontal_scroll(page)
    box = page.locator(".app-choice").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 250  # large touch targets, full width on a phone
    second = page.locator(".app-choice").nth(1).bounding_box()
    assert second["y"] >= box["y"] + box["height"], "the two choices overlap"
    for choice in page.locator(".app-choice").all():  # the whole text sits inside its button
        assert choice.evaluate("b => b.scrollHeight <= b.clientHeight + 1")
    page.locator(".app-choice").first.click()
    status_says(page, "Rydych wedi gwneud 1 dewis.")
    assert_accessible(page, "pair in Welsh at 320px")


def test_phone_vote_after_the_exercise_closed_shows_the_closed_page_alone(make_page, make_exercise):
    from engage.prioritise.service import set_status

    exercise = make_exercise()
    page = make_page(viewport={"width": 375, "height": 740})
    page.goto(f"/exercises/{exercise.id}/vote")
    page.locator(".app-choice").first.click()
    status_says(page, "You've made 1 choice.")
    set_status(exercise, ExerciseStatus.CLOSED)  # as an officer would, while the resident has a pair open
    db.session.commit()  # services only flush: the live server reads what this test committed
    page.locator(".app-choice").first.click()
    closed = "This exercise is not taking votes at the moment"
    expect(page.get_by_role("heading", level=1)).to_have_text(closed)
    # The page itself, loaded whole: not a second header, main and footer swapped into the pair area.
    for landmark in ("header", "main", "footer"):
        assert page.locator(landmark).count() == 1, landmark
    assert page.locator("#pair").count() == 0
    assert_no_horizontal_scroll(page)
    assert votes() == 1


def test_phone_last_choice_allowed_goes_to_the_finish_page(make_page, make_exercise):
    exercise = make_exercise(max_votes_per_respondent=2)
    page = make_page(viewport={"width": 375, "height": 740})
    page.goto(f"/exercises/{exercise.id}/vote")
    page.locator(".app-choice").first.click()
    status_says(page, "You've made 1 choice.")
    page.locator(".app-choice").first.click()
    page.wait_for_url(f"**/exercises/{exercise.id}/finish")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your top priorities")
    assert page.locator("main").count() == 1
    expect(page.locator(".govuk-notification-banner")).to_contain_text("the most choices this exercise takes")
    assert votes() == 2
    # The last choice can still be taken back from here (the pair page, which had the button, is passed by).
    assert page.get_by_role("link", name="Make more choices").count() == 0
    page.get_by_role("button", name="Undo my last choice").click()
    page.wait_for_url(f"**/exercises/{exercise.id}/vote")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Your last choice has been taken back.")
    assert votes() == 1 and page.locator(".app-choice").count() == 2


def test_public_results_page_draws_the_chart_beside_a_table(page, make_exercise, cast):
    exercise = make_exercise()
    items = exercise.items
    for _ in range(5):
        cast(exercise, items[0], items[1])
        cast(exercise, items[1], items[2])
        cast(exercise, items[2], items[3])
    from engage.prioritise.service import set_status

    set_status(exercise, ExerciseStatus.CLOSED)
    db.session.commit()  # services only flush: the live server reads what this test committed
    page.goto(f"/exercises/{exercise.id}/results")
    page.wait_for_selector(".app-chart__plot .main-svg")
    assert page.locator(".app-scores-table tbody tr").count() == 4
    first_title = page.locator(".app-scores-table tbody tr").first.locator("th").inner_text()
    page.get_by_role("button", name="Score", exact=True).click()  # ascending: the lowest score first
    score_header = page.locator(".app-scores-table thead th").nth(2)
    assert score_header.get_attribute("aria-sort") == "ascending"
    assert page.locator(".app-scores-table tbody tr").first.locator("th").inner_text() != first_title
    page.get_by_role("button", name="Score", exact=True).press("Enter")  # again, by keyboard: descending
    assert score_header.get_attribute("aria-sort") == "descending"
    assert page.locator(".app-scores-table tbody tr").first.locator("th").inner_text() == first_title
    assert_accessible(page, "public results")


def test_officer_moderates_a_suggestion(page, make_exercise, officer):
    exercise = make_exercise()
    db.session.add(Suggestion(exercise_id=exercise.id, text="Free swimming for <b>under 16s</b>"))
    db.session.commit()
    sign_in_as(page, officer)
    page.goto(f"/manage/exercises/{exercise.id}")
    assert_accessible(page, "exercise overview")
    page.get_by_role("link", name="Moderate suggestions").click()
    assert "Free swimming for <b>under 16s</b>" in page.locator("blockquote").inner_text()  # shown as text
    assert_accessible(page, "moderation")
    page.get_by_text("Approve as a new item").click()
    page.get_by_label("Title residents will see").fill("Free swimming for children")
    page.get_by_role("button", name="Approve").click()
    assert "Suggestion moderated." in page.locator(".govuk-notification-banner").inner_text()
    page.goto(f"/manage/exercises/{exercise.id}")
    assert re.search(r"Free swimming for children\s*\(from a suggestion\)", page.locator("main").inner_text())
    page.goto(f"/manage/exercises/{exercise.id}/results")
    assert_accessible(page, "officer results")


@pytest.mark.parametrize("path", ["/exercises/{id}/finish", "/exercises/{id}/thank-you"])
def test_other_resident_pages_are_accessible(page, make_exercise, path):
    exercise = make_exercise()
    page.goto(path.format(id=exercise.id))
    assert_accessible(page, path)


def test_phone_vote_refused_as_too_many_shows_the_refusal_instead_of_nothing(make_page, make_exercise, app):
    """htmx drops an error answer: a choice refused by the rate limit (429) left the pair as it was and said
    nothing (the reviewer's finding). The refusal page's main content now takes the page's place."""
    from flask import render_template
    from werkzeug.exceptions import TooManyRequests

    exercise = make_exercise()
    page = make_page(viewport={"width": 375, "height": 740})
    page.goto(f"/exercises/{exercise.id}/vote")
    with app.test_request_context("/"):
        refusal = render_template("errors/429.html", error=TooManyRequests(), wait=60)

    def refuse(route):  # as the live server answers past ENGAGE_VOTE_LIMIT (limits are off in tests)
        if route.request.method != "POST":
            return route.continue_()
        headers = {"Retry-After": "60", "Content-Type": "text/html; charset=utf-8"}
        return route.fulfill(status=429, headers=headers, body=refusal)

    page.route("**/exercises/*/vote", refuse)
    make_page.expect(429, f"/exercises/{exercise.id}/vote")
    page.locator(".app-choice").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    expect(page.locator("main h1")).to_be_focused()
    expect(page.locator("main")).to_contain_text("Wait 1 minute, then try again.")
    assert page.locator("main").count() == 1 and page.locator("#pair").count() == 0
    assert page.title().startswith("Too many attempts")
    assert_no_horizontal_scroll(page)
    assert votes() == 0


def test_phone_late_copy_of_a_choice_taken_back_gets_a_new_pair_and_is_not_stored(make_page, make_exercise):
    """A resident on a slow phone connection makes a choice and takes it back; then a copy of that choice
    arrives late (a retry). The copy is answered with a new pair and a message, as htmx swaps it in, and
    nothing of it is stored; the next choice counts as the first."""
    exercise = make_exercise()
    page = make_page(viewport={"width": 375, "height": 740})
    vote_url = f"/exercises/{exercise.id}/vote"
    page.goto(vote_url)
    sent = posted_bodies(page, vote_url)
    page.locator(".app-choice").first.click()
    status_says(page, "You've made 1 choice.")
    assert votes() == 1 and len(sent) == 1
    page.get_by_role("button", name="Undo my last choice").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Your last choice has been taken back.")
    assert votes() == 0

    # The late copy, sent as htmx sends the pair's form, and swapped in where htmx puts the answer.
    resend(page, vote_url, sent[0])
    status_says(page, "Something went wrong with that choice. Here is a new pair.")
    assert page.locator(".app-choice").count() == 2
    assert_accessible(page, "a late copy answered")
    assert_no_horizontal_scroll(page)
    assert votes() == 0

    page.locator(".app-choice").first.click()
    status_says(page, "You've made 1 choice.")
    assert votes() == 1
