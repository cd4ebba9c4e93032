"""What the results pages now say about the numbers (issue 22): not enough comparisons, one person one voice,
too few responses for an interval, how many ranked each item. Checked with axe; screenshots on request."""

from engage.extensions import db
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as


def _shot(page, name):
    screenshot(page, f"{name}.png")


def test_officer_results_pages_say_what_the_numbers_can_bear(
    page, make_exercise, make_budget, make_ranking, cast, submit, officer, app
):
    pairwise = make_exercise(title="Which matters more?")
    a, b, c, d = pairwise.items
    for _ in range(6):
        cast(pairwise, a, b)
        cast(pairwise, b, c)
    budget = make_budget(title="Share 100 points")
    ranking = make_ranking(title="Your top 2", rank_top_n=2)
    with app.test_request_context("/"):
        w, x, y, z = budget.active_items
        for _ in range(4):
            submit(budget, {w.id: 50, x.id: 30, y.id: 20, z.id: 0})
        w, x, y, z = ranking.active_items
        submit(ranking, {z.id: 1, y.id: 2})
        for _ in range(4):
            submit(ranking, {w.id: 1, x.id: 2})
    db.session.commit()
    sign_in_as(page, officer)

    page.goto(f"/manage/exercises/{pairwise.id}/results")
    main = page.locator("main").inner_text()
    assert "1 priority has not been compared yet" in main and "Not enough comparisons" in main
    assert "one person, one voice" in main and "Counting every vote the same" in main
    assert_accessible(page, "pairwise results")
    _shot(page, "pairwise-results")

    page.goto(f"/manage/exercises/{budget.id}/results")
    main = page.locator("main").inner_text()
    assert "Too few responses for an interval" in main and "With fewer than 10 responses" in main
    assert_accessible(page, "budget results")
    _shot(page, "budget-results")

    page.goto(f"/manage/exercises/{ranking.id}/results")
    main = page.locator("main").inner_text()
    assert "Each person ranked only their top 2" in main and "1 of 5" in main
    assert_accessible(page, "ranking results")
    _shot(page, "ranking-results")
