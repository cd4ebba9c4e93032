"""A large exercise's results are worked out in the background (issue 19): a resident opening the public
results first sees "Results are being worked out", and the page turns into the results by itself once the
job has kept them (htmx polling, with the strict CSP on); without JavaScript the page offers a link."""

from __future__ import annotations

from playwright.sync_api import expect

from engage.extensions import db
from engage.jobs import cache
from engage.jobs.tasks import refresh_results
from engage.prioritise.models import ExerciseStatus
from tests.browser.conftest import assert_accessible


def _closed_large_budget(make_budget, submit, monkeypatch, queued: list):
    """A closed budget exercise with public results and three answers, counted as large (more than two), whose
    recomputations are recorded (what a worker would be asked to do) rather than run."""
    exercise = make_budget()
    a, b, c, d = exercise.active_items
    for _ in range(3):
        submit(exercise, {a.id: 40, b.id: 30, c.id: 20, d.id: 10})
    exercise.status = ExerciseStatus.CLOSED
    db.session.commit()
    monkeypatch.setattr(cache, "IN_REQUEST_ANSWERS", 2)
    monkeypatch.setattr(cache, "refresh_now", lambda *key: queued.append(key) or True)
    return exercise


def test_the_being_worked_out_page_turns_into_the_results(make_page, make_budget, submit, monkeypatch):
    queued: list = []
    exercise = _closed_large_budget(make_budget, submit, monkeypatch, queued)

    page = make_page(viewport={"width": 390, "height": 844})
    page.goto(f"/exercises/{exercise.id}/results")
    expect(page.get_by_role("heading", name="Results are being worked out")).to_be_visible()
    expect(page.get_by_role("link", name="Look again for the results")).to_be_visible()
    assert_accessible(page, "results being worked out")
    assert queued

    refresh_results("exercise", exercise.id)  # the worker computes and keeps the results
    db.session.commit()
    expect(page.get_by_role("heading", name="What residents told us")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("3 people took part.")).to_be_visible()
    expect(page.get_by_text("newer answers are being added")).to_have_count(0)


def test_without_javascript_the_link_shows_the_results_once_ready(
    make_page, make_budget, submit, monkeypatch
):
    exercise = _closed_large_budget(make_budget, submit, monkeypatch, [])
    page = make_page(java_script_enabled=False)
    page.goto(f"/exercises/{exercise.id}/results")
    expect(page.get_by_role("heading", name="Results are being worked out")).to_be_visible()
    refresh_results("exercise", exercise.id)
    db.session.commit()
    page.get_by_role("link", name="Look again for the results").click()
    expect(page.get_by_role("heading", name="What residents told us")).to_be_visible()
