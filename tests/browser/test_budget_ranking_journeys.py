"""Residents share out a budget and put priorities in order, in a real browser: keyboard alone, htmx running
totals and moves, JavaScript off, a 320px phone in Welsh, with axe on every step."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.budget.setup import ItemBudget, save_item_budgets
from engage.prioritise.models import BudgetMode, Submission, SubmissionEntry, Threshold
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll


def stored():
    db.session.expire_all()
    return db.session.scalars(select(Submission)).all()


@pytest.fixture
def budget(make_budget):
    exercise = make_budget(BudgetMode.REBALANCE)
    items = exercise.active_items
    budgets = {
        i.id: ItemBudget(current_amount=i.current_amount, minimum=i.minimum, step=i.step) for i in items
    }
    budgets[items[1].id].consequences = [(Threshold.BELOW, 250_000, "Libraries close on Mondays")]
    budgets[items[1].id].buys = "Opening hours at six libraries"
    save_item_budgets(exercise, budgets)
    db.session.commit()
    return exercise


def test_keyboard_resident_rebalances_a_budget_with_a_running_total(page, budget):
    first, second = budget.active_items[:2]
    page.goto(f"/exercises/{budget.id}")
    assert_accessible(page, "budget start page")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(f"**/exercises/{budget.id}/allocate")
    assert_accessible(page, "allocation page")
    summary = page.locator("#allocation-summary")
    expect(summary).to_contain_text("Left to allocate: £0")
    # "Update the total" is only for pages without JavaScript
    expect(page.get_by_role("button", name="Update the total")).to_be_hidden()

    box = page.get_by_label(second.title)
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("200000")
    expect(summary).to_contain_text("Left to allocate: £100,000")
    expect(page.locator(f"#consequence-{second.id}")).to_contain_text("Libraries close on Mondays")
    expect(box).to_be_focused()  # the total updated without taking focus
    # the slider beside the box follows it, and is hidden from assistive technology
    slider = page.locator(
        f"#item-{second.id} ~ .app-slider, .govuk-input__wrapper:has(#item-{second.id}) ~ .app-slider"
    )
    expect(slider.first).to_have_attribute("aria-hidden", "true")

    page.keyboard.press("Enter")  # submit with £100,000 unallocated
    page.wait_for_url(f"**/exercises/{budget.id}/allocate")
    expect(page.locator(".govuk-error-summary")).to_contain_text("You have £100,000 left to allocate")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "allocation with errors")

    page.get_by_label(first.title).fill("500000")
    expect(summary).to_contain_text("Left to allocate: £0")
    page.get_by_role("button", name="Continue").press("Enter")
    page.wait_for_url(f"**/exercises/{budget.id}/check")
    expect(page.locator(".govuk-summary-list")).to_contain_text("£500,000")
    assert_accessible(page, "check your answers")
    page.get_by_role("button", name="Submit").press("Enter")
    page.wait_for_url(f"**/exercises/{budget.id}/your-answer")
    expect(page.get_by_role("heading", name="How your choices compare")).to_be_visible()
    assert_accessible(page, "after submitting")
    [submission] = stored()
    amounts = {e.item_id: e.value for e in submission.entries}
    assert amounts[first.id] == 500_000 and amounts[second.id] == 200_000


def test_budget_without_javascript_uses_update_the_total(make_page, budget):
    first, second = budget.active_items[:2]
    page = make_page(java_script_enabled=False)
    page.goto(f"/exercises/{budget.id}/allocate")
    page.get_by_label(second.title).fill("250000")
    page.get_by_label(first.title).fill("450000")
    page.get_by_role("button", name="Update the total").click()
    expect(page.locator("#allocation-summary")).to_contain_text("Left to allocate: £0")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/your-answer")
    assert len(stored()) == 1


def test_budget_on_a_phone_in_welsh(make_page, budget):
    page = make_page(viewport={"width": 320, "height": 640})
    page.goto(f"/exercises/{budget.id}/allocate?lang=cy")
    assert page.locator("html").get_attribute("lang") == "cy"
    expect(page.locator("#allocation-summary")).to_contain_text("Ar ôl i'w ddyrannu: £0")
    box = page.get_by_label(budget.active_items[0].title)
    box.fill("300000")
    expect(page.locator("#allocation-summary")).to_contain_text("Ar ôl i'w ddyrannu: £100,000")
    page.get_by_role("button", name="Parhau").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Mae gennych £100,000 ar ôl i'w ddyrannu")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "allocation in Welsh at 320px")


def test_a_move_button_pressed_the_moment_it_appears_is_sent_by_htmx(page, make_ranking):
    """htmx wires up new content's buttons as it settles. With its default 20 ms settle delay, a button
    pressed just after the list was swapped in posted the whole page instead (the status line empty, focus
    lost): a fast double press, or a test that clicked as soon as the list changed."""
    exercise = make_ranking()
    a, b = exercise.active_items[:2]
    page.goto(f"/exercises/{exercise.id}/rank")
    page.evaluate("window.samePage = true")
    # The moment the first move's list is in the page, press "Move up" on the second item.
    page.evaluate(
        """(title) => document.body.addEventListener("htmx:afterSwap", () => setTimeout(() => {
            const buttons = [...document.querySelectorAll("#ranking-list button[value^=up-]")];
            buttons.find((button) => button.textContent.includes(title)).click();
        }, 0), { once: true })""",
        b.title,
    )
    page.get_by_role("button", name=re.compile(rf"^Move up\W+{a.title}$")).click()
    expect(page.locator("#ranking-status")).to_have_text(f"{b.title} is now in place 2")
    assert page.evaluate("window.samePage === true"), "the second press reloaded the page"


def test_keyboard_resident_ranks_with_move_buttons_and_htmx(page, make_ranking):
    exercise = make_ranking()
    a, b, c, d = exercise.active_items
    page.goto(f"/exercises/{exercise.id}")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(f"**/exercises/{exercise.id}/rank")
    assert_accessible(page, "ranking page")
    # Nothing is placed to start with (issue 21, item 6): "Move up" on an item gives it the first free
    # place, and no other item gets a place the resident did not give it.
    expect(page.locator("main select option[value='']:checked")).to_have_count(4)
    page.get_by_role("button", name=re.compile(rf"^Move up\W+{a.title}$")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ranking-status")).to_have_text(f"{a.title} is now in place 1")
    # at the top it has no "Move up" button: focus moves to its "Move down"
    expect(page.get_by_role("button", name=re.compile(rf"^Move down\W+{a.title}$"))).to_be_focused()
    move = page.get_by_role("button", name=re.compile(rf"^Move up\W+{c.title}$"))
    move.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ranking-status")).to_have_text(f"{c.title} is now in place 2")
    # focus stays on the same button, now on the item's new row, after htmx swapped the list
    expect(move).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#ranking-status")).to_have_text(f"{c.title} is now in place 1")
    titles = page.locator(".app-ranking__title").all_inner_texts()
    assert titles[:2] == [c.title, a.title]
    expect(page.locator("main select option[value='']:checked")).to_have_count(2)
    assert_accessible(page, "ranking after moves")
    # change a place with the numbered select: two items in place 1 is refused with a clear message
    page.get_by_label(f"Place for {d.title}").select_option("1")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("are both in place 1")
    assert_accessible(page, "ranking with errors")
    page.get_by_label(f"Place for {b.title}").select_option("4")
    page.get_by_label(f"Place for {d.title}").select_option("1")
    page.get_by_label(f"Place for {c.title}").select_option("2")
    page.get_by_label(f"Place for {a.title}").select_option("3")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/exercises/{exercise.id}/check")
    assert page.locator("ol.govuk-list li").all_inner_texts() == [d.title, c.title, a.title, b.title]
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/your-answer")
    assert_accessible(page, "after ranking")
    places = {e.item_id: e.value for e in stored()[0].entries}
    assert places == {d.id: 1, c.id: 2, a.id: 3, b.id: 4}
    assert db.session.scalar(select(func.count()).select_from(SubmissionEntry)) == 4


def test_ranking_on_a_phone_in_welsh(make_page, make_ranking):
    exercise = make_ranking(rank_top_n=2)
    page = make_page(viewport={"width": 320, "height": 640})
    page.goto(f"/exercises/{exercise.id}/rank?lang=cy")
    assert page.locator("html").get_attribute("lang") == "cy"
    expect(page.locator("select").first).to_contain_text("Ddim yn fy 2 uchaf")
    page.get_by_role("button", name=re.compile("^Symud i fyny")).last.click()
    expect(page.locator("#ranking-status")).to_contain_text("bellach yn safle 1")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "ranking in Welsh at 320px")


def test_public_budget_results_draw_the_spread_beside_a_table(page, budget, submit):
    from engage.prioritise.models import ExerciseStatus
    from engage.prioritise.service import set_status

    a, b, c, d = budget.active_items
    with page_request_context():
        for cut in (0, 50_000, 100_000):
            submit(budget, {a.id: 400_000 - cut, b.id: 300_000, c.id: 200_000, d.id: 100_000 + cut})
    set_status(budget, ExerciseStatus.CLOSED)
    db.session.commit()  # services only flush: the live server reads what this test committed
    page.goto(f"/exercises/{budget.id}/results")
    page.wait_for_selector(".app-chart__plot .main-svg")
    expect(page.locator(".app-scores-table tbody tr")).to_have_count(4)
    expect(page.locator(".app-scores-table")).to_contain_text("Mean share")
    expect(page.locator(".govuk-inset-text")).to_contain_text("On average residents would take 12.5% from")
    assert_accessible(page, "public budget results")


def page_request_context():
    from flask import current_app

    return current_app.test_request_context("/")
