"""Results charts on a phone (issue 21 item 4) and the results archive (item 3), in Chromium.

At 320 and 375 px, in every language, a results chart must read: every item's name inside the chart and
above its own row, no two names overlapping, each interval bar visibly long, rows far enough apart to tell
apart, and the axis title whole. Narrower than a chart can be read, it gives way to the table (always
there). Screenshots in Welsh and Urdu at 375 and 1280 px go to test-artefacts/.
"""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from engage.extensions import db
from engage.prioritise import service
from engage.prioritise.models import ExerciseStatus, Outcome
from tests import bulk
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, screenshot

LONG_TITLES = [
    "Helping people stop smoking",
    "More people active",
    # Officers write long titles; a Welsh or Polish translation is longer still.
    "Making sure that every older person who lives alone has someone to talk to each week, in their own "
    "language, wherever they live in the borough",
    "Cefnogi gofalwyr di-dâl a'u teuluoedd drwy wasanaethau seibiant lleol",
    "Bezpieczniejsze ulice",
    "Reducing-alcohol-harm-in-the-town-centre-at-night-without-any-spaces-at-all",
]

#: Where each part of the first chart on the page is drawn (CSS pixels).
MEASURE = """() => {
  const plot = document.querySelector('.app-chart__plot');
  const figure = plot.closest('figure');
  if (figure.hidden) return {hidden: true};
  const rect = el => {
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height};
  };
  const svg = plot.querySelector('svg.main-svg');
  return {
    hidden: false,
    svg: rect(svg),
    points: [...plot.querySelectorAll('.scatterlayer .point')].map(rect),
    intervals: [...plot.querySelectorAll('.errorbar path')].map(rect),
    boxes: [...plot.querySelectorAll('.boxlayer path.box')].map(rect),
    labels: [...plot.querySelectorAll('.annotation-text')].map(rect),
    title: rect(plot.querySelector('.g-xtitle text')),
    viewport: window.innerWidth,
  };
}"""


@pytest.fixture
def long_board(make_board, make_priority, council):
    board = make_board("Community Wellbeing", members=[council])
    for k, title in enumerate(LONG_TITLES):
        make_priority(board, f"CW-{k}", title)
    return board


@pytest.fixture
def closed_pairwise(make_exercise, long_board):
    """A closed pairwise exercise with public results, long item titles and 14 people (so intervals).

    The votes are stored in bulk (tests/bulk.py): these tests are about the chart, not about voting."""
    exercise = make_exercise(
        board=long_board, priorities=long_board.active_priorities, title="Community priorities 2026"
    )
    items = exercise.active_items
    n = len(items)
    ballots = [
        [
            (
                items[(person + k) % n],
                items[(person + 2 * k + 1) % n],
                Outcome.LEFT if (person + k) % 3 else Outcome.RIGHT,
            )
            for k in range(6)
            if (person + k) % n != (person + 2 * k + 1) % n
        ]
        for person in range(14)
    ]
    bulk.votes(exercise, ballots)
    service.set_status(exercise, ExerciseStatus.CLOSED)
    db.session.commit()
    return exercise


@pytest.fixture
def closed_budget(make_budget):
    exercise = make_budget()
    items = exercise.active_items
    shares = [40, 30, 20, 10]
    rotations = [shares[person % 4 :] + shares[: person % 4] for person in range(12)]
    bulk.submissions(
        exercise,
        [{item.id: share for item, share in zip(items, rotated, strict=True)} for rotated in rotations],
    )
    service.set_status(exercise, ExerciseStatus.CLOSED)
    db.session.commit()
    return exercise


def _assert_readable(chart: dict, rows: int, where: str) -> None:
    assert not chart["hidden"], f"{where}: the chart is hidden"
    svg = chart["svg"]
    assert svg["right"] <= chart["viewport"] + 0.5, f"{where}: the chart is wider than the screen"
    labels = sorted(chart["labels"], key=lambda r: r["top"])
    assert len(labels) == rows, f"{where}: {len(labels)} names for {rows} rows"
    for label in labels:
        assert label["left"] >= svg["left"] - 0.5 and label["right"] <= svg["right"] + 0.5, (
            f"{where}: a name runs out of the chart: {label}"
        )
    for upper, lower in zip(labels, labels[1:], strict=False):
        assert upper["bottom"] <= lower["top"] + 1, f"{where}: two names overlap"
    points = sorted(chart["points"], key=lambda r: r["top"])
    assert len(points) == rows, f"{where}: {len(points)} points for {rows} rows"
    for label, point in zip(labels, points, strict=True):
        assert label["bottom"] <= point["top"] + 2, f"{where}: a name is not above its row"
    gaps = [b["top"] - a["top"] for a, b in zip(points, points[1:], strict=False)]
    assert min(gaps) >= 30, f"{where}: rows only {min(gaps):.0f} px apart"
    title = chart["title"]
    assert title["width"] > 0 and title["bottom"] <= svg["bottom"] + 0.5, f"{where}: the axis title is cut"
    assert title["left"] >= svg["left"] - 0.5 and title["right"] <= svg["right"] + 0.5, (
        f"{where}: the axis title runs off the side"
    )


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("language", ["en", "cy", "ur", "pl"])
def test_pairwise_results_chart_reads_on_a_phone(make_page, closed_pairwise, width, language):
    page = make_page(viewport={"width": width, "height": 800})
    page.goto(f"/language/{language}?next=/exercises/{closed_pairwise.id}/results")
    expect(page.locator(".app-chart__plot svg.main-svg").first).to_be_visible()
    chart = page.evaluate(MEASURE)
    where = f"pairwise results at {width}px [{language}]"
    _assert_readable(chart, len(LONG_TITLES), where)
    intervals = chart["intervals"]
    assert len(intervals) == len(LONG_TITLES), f"{where}: {len(intervals)} intervals"
    assert min(r["width"] for r in intervals) >= 4, f"{where}: an interval is too short to see"
    expect(page.locator("table.app-scores-table")).to_be_visible()
    assert_no_horizontal_scroll(page)
    if width == 375 and language in {"cy", "ur"}:
        screenshot(page, f"pairwise-results-375px-{language}.png")


@pytest.mark.parametrize("width", [320, 375])
def test_budget_results_chart_reads_on_a_phone(make_page, closed_budget, width):
    page = make_page(viewport={"width": width, "height": 800})
    for language in ("cy", "ur"):
        page.goto(f"/language/{language}?next=/exercises/{closed_budget.id}/results")
        expect(page.locator(".app-chart__plot svg.main-svg").first).to_be_visible()
        chart = page.evaluate(MEASURE)
        where = f"budget results at {width}px [{language}]"
        _assert_readable(chart, 4, where)
        assert len(chart["boxes"]) == 4 and min(r["width"] for r in chart["boxes"]) >= 4, where
        assert min(r["height"] for r in chart["boxes"]) >= 10, f"{where}: the boxes are slivers"
        assert min(r["width"] for r in chart["intervals"]) >= 2, f"{where}: an interval cannot be seen"
        assert_no_horizontal_scroll(page)
        if width == 375:
            screenshot(page, f"budget-results-375px-{language}.png")


def test_a_chart_too_narrow_to_read_gives_way_to_the_table(make_page, closed_pairwise):
    page = make_page(viewport={"width": 240, "height": 800})
    page.goto(f"/exercises/{closed_pairwise.id}/results")
    expect(page.locator("table.app-scores-table")).to_be_visible()
    expect(page.locator("figure.app-chart")).to_be_hidden()
    # Turned wider (a phone on its side), the chart comes back.
    page.set_viewport_size({"width": 568, "height": 320})
    expect(page.locator("figure.app-chart")).to_be_visible()
    _assert_readable(page.evaluate(MEASURE), len(LONG_TITLES), "pairwise results turned to 568px")


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_results_at_desktop_width(make_page, closed_pairwise, closed_budget, language):
    page = make_page(viewport={"width": 1280, "height": 900})
    page.goto(f"/language/{language}?next=/exercises/{closed_pairwise.id}/results")
    expect(page.locator(".app-chart__plot svg.main-svg").first).to_be_visible()
    _assert_readable(page.evaluate(MEASURE), len(LONG_TITLES), f"pairwise results at 1280px [{language}]")
    screenshot(page, f"pairwise-results-1280px-{language}.png")
    page.goto(f"/exercises/{closed_budget.id}/results")
    expect(page.locator(".app-chart__plot svg.main-svg").first).to_be_visible()
    _assert_readable(page.evaluate(MEASURE), 4, f"budget results at 1280px [{language}]")
    screenshot(page, f"budget-results-1280px-{language}.png")


def test_resident_finds_past_results_from_the_home_page(make_page, closed_pairwise):
    page = make_page(viewport={"width": 375, "height": 800})
    page.goto("/?lang=cy")
    page.locator("#all-past-results").click()
    page.wait_for_url("**/results")
    assert_accessible(page, "results archive [cy]")
    screenshot(page, "results-archive-375px-cy.png")
    page.locator(f"a[href='/exercises/{closed_pairwise.id}/results']").click()
    page.wait_for_url(f"**/exercises/{closed_pairwise.id}/results")
    expect(page.locator(".app-chart__plot svg.main-svg").first).to_be_visible()
    page.goto(f"/boards/{closed_pairwise.board.slug}?lang=ur")
    page.locator("#board-past-results").click()
    page.wait_for_url(f"**/boards/{closed_pairwise.board.slug}/results")
    expect(page.locator(f"a[href='/exercises/{closed_pairwise.id}/results']")).to_be_visible()
    assert_accessible(page, "board results archive [ur]")
    screenshot(page, "board-results-archive-375px-ur.png")


def test_standings_after_finishing(make_page, make_exercise, long_board):
    """Where the officer allows it, a resident who finishes sees everyone's scores so far: chart and table."""
    exercise = make_exercise(
        board=long_board,
        priorities=long_board.active_priorities,
        title="Community priorities 2026",
        show_standings=True,
    )
    items = exercise.active_items
    # Eleven people before them (stored in bulk: what they see is the point, not how those votes came in).
    bulk.votes(
        exercise,
        [
            [(items[(person + k) % 6], items[(person + k + 1) % 6], Outcome.LEFT) for k in range(5)]
            for person in range(11)
        ],
    )
    page = make_page(viewport={"width": 375, "height": 800})
    page.goto(f"/language/ur?next=/exercises/{exercise.id}/vote")
    for _ in range(4):
        counter = page.locator("#vote-status").inner_text()
        page.locator("button.app-choice").first.click()
        expect(page.locator("#vote-status")).not_to_have_text(counter)
    page.goto(f"/exercises/{exercise.id}/finish")
    expect(page.locator("#standings")).to_be_visible()
    expect(page.locator("table.app-scores-table")).to_be_visible()
    expect(page.locator(".app-chart__plot svg.main-svg").first).to_be_visible()
    chart = page.evaluate(MEASURE)
    _assert_readable(chart, len(LONG_TITLES), "standings at 375px [ur]")
    assert min(r["width"] for r in chart["intervals"]) >= 4, "an interval is too short to see"
    assert_accessible(page, "pairwise finish with standings [ur]")
    assert_no_horizontal_scroll(page)
    page.locator("#standings").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, document.querySelector('#standings').getBoundingClientRect().top)")
    screenshot(page, "pairwise-standings-375px-ur.png", full_page=False)


def test_no_chart_without_a_common_scale(make_page, make_exercise, long_board, cast):
    """One person's few choices split the items into groups: no scores, so no empty chart, only the table."""
    exercise = make_exercise(
        board=long_board, priorities=long_board.active_priorities, title="Split", show_standings=True
    )
    items = exercise.active_items
    token = secrets.token_urlsafe(32)
    cast(exercise, items[0], items[1], token=token)
    cast(exercise, items[2], items[3], token=token)
    page = make_page(viewport={"width": 375, "height": 800})
    page.goto(f"/exercises/{exercise.id}/finish")
    expect(page.locator("#standings")).to_be_visible()
    expect(page.locator("figure.app-chart")).to_have_count(0)
    expect(page.locator("table.app-scores-table")).to_be_visible()
