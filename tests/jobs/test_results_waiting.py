"""Results pages of a large exercise never compute in the request (issue 19: no request over 2 s): cold, the
page says the results are being worked out and polls; the refresh job fills the kept copy; stale, the last
kept results are shown with their time while newer answers are added; warm, the kept results are shown."""

from __future__ import annotations

from sqlalchemy import select

from engage.extensions import db
from engage.jobs import cache
from engage.jobs.models import CachedResult
from engage.jobs.tasks import refresh_results
from engage.prioritise import results_cache
from engage.prioritise.budget import results as budget_module
from engage.prioritise.models import ExerciseStatus
from engage.prioritise.pairwise import results as pairwise_module
from tests.conftest import sign_in

POLL = {"HX-Request": "true", "HX-Trigger": "results-poll"}


def _counting(monkeypatch, name, real):
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(results_cache, name, counted)
    return calls


def _share(exercise, submit, people):
    a, b, c, d = exercise.active_items
    for _ in range(people):
        submit(exercise, {a.id: 40, b.id: 30, c.id: 20, d.id: 10})


def test_a_cold_large_budget_is_worked_out_by_the_job_then_shown(
    app, client, officer, make_budget, submit, monkeypatch, large
):
    exercise = make_budget()
    _share(exercise, submit, 3)
    calls = _counting(monkeypatch, "budget_results", budget_module.budget_results)
    sign_in(client, officer)
    url = f"/manage/exercises/{exercise.id}/results"

    cold = client.get(url)
    page = cold.get_data(as_text=True)
    assert cold.status_code == 200 and calls == []  # nothing computed in the request
    assert "Results are being worked out" in page and 'hx-trigger="every 3000ms"' in page
    assert f'href="{url}">Look again for the results</a>' in page  # without JavaScript
    assert large == [("exercise", exercise.id)]
    assert client.get(url, headers=POLL).status_code == 204  # the poll: nothing yet

    refresh_results("exercise", exercise.id)  # what the worker runs
    assert len(calls) == 2  # the officers' and the public page's results
    db.session.commit()
    assert client.get(url, headers=POLL).headers["HX-Refresh"] == "true"  # the page reloads itself
    warm = client.get(url).get_data(as_text=True)
    assert len(calls) == 2 and "3 people took part." in warm
    assert "being worked out" not in warm and "newer answers are being added" not in warm


def test_new_answers_show_the_last_results_with_their_time_until_the_job_has_run(
    app, client, officer, make_budget, submit, monkeypatch, large
):
    exercise = make_budget()
    _share(exercise, submit, 3)
    refresh_results("exercise", exercise.id)
    kept = db.session.scalar(select(CachedResult).where(CachedResult.name == "budget-breakdowns-intervals"))
    _share(exercise, submit, 2)  # newer answers
    calls = _counting(monkeypatch, "budget_results", budget_module.budget_results)
    sign_in(client, officer)
    url = f"/manage/exercises/{exercise.id}/results"

    stale = client.get(url).get_data(as_text=True)
    assert calls == [] and "3 people took part." in stale
    when = app.jinja_env.filters["datetimeformat"](kept.computed_at, "short")
    assert f"These results are from {when}; newer answers are being added." in stale
    assert client.get(url, headers=POLL).status_code == 204

    refresh_results("exercise", exercise.id)
    db.session.commit()
    assert client.get(url, headers=POLL).headers["HX-Refresh"] == "true"
    fresh = client.get(url).get_data(as_text=True)
    assert "5 people took part." in fresh and "newer answers are being added" not in fresh


def test_a_cold_large_public_pairwise_page_is_worked_out_by_the_job(
    app, client, make_exercise, cast, monkeypatch, large
):
    exercise = make_exercise()
    left, right = exercise.items[:2]
    for _ in range(3):
        cast(exercise, left, right)
    exercise.status = ExerciseStatus.CLOSED
    db.session.commit()
    calls = _counting(monkeypatch, "pairwise_results", pairwise_module.pairwise_results)
    url = f"/exercises/{exercise.id}/results"
    cold = client.get(url).get_data(as_text=True)
    assert calls == [] and "Results are being worked out" in cold and "Back" not in cold
    welsh = client.get(url + "?lang=cy").get_data(as_text=True)
    assert "Results are being worked out" not in welsh and 'hx-trigger="every 3000ms"' in welsh

    refresh_results("exercise", exercise.id)
    db.session.commit()
    shown = client.get(url + "?lang=en").get_data(as_text=True)
    assert "What residents told us" in shown and "3 people made 3 choices." in shown


def test_a_small_exercise_is_still_computed_in_the_request(
    app, client, officer, make_budget, submit, monkeypatch
):
    exercise = make_budget()
    _share(exercise, submit, 3)
    calls = _counting(monkeypatch, "budget_results", budget_module.budget_results)
    sign_in(client, officer)
    page = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert calls == [1] and "3 people took part." in page


def test_a_slow_last_computation_counts_as_large_and_no_worker_means_the_request_computes(
    app, make_budget, submit, monkeypatch
):
    exercise = make_budget()
    _share(exercise, submit, 3)
    shown = results_cache.for_page(exercise, breakdowns=True)
    assert shown.current
    db.session.execute(CachedResult.__table__.update().values(seconds=5.0))
    _share(exercise, submit, 1)
    version, answers = cache._version_and_answers(exercise)
    kept = db.session.scalar(select(CachedResult).where(CachedResult.name == "budget-breakdowns-intervals"))
    assert answers == 4 and kept.version != version
    assert cache._too_heavy_for_a_request(answers, kept)
    # Tests run the queue in-process (no worker): refresh_now says so, and the page computes for itself.
    assert cache.refresh_now("exercise", exercise.id) is False
    assert results_cache.for_page(exercise, breakdowns=True).value.respondents == 4
