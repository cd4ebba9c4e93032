"""Results kept per exercise: a cold view computes and keeps them, a warm one reads them, and they are never
used once the data they came from has changed."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.extensions import db
from engage.jobs import cache
from engage.jobs.models import CachedResult
from engage.jobs.tasks import refresh_results
from engage.prioritise import integrity, results_cache
from engage.prioritise.budget import results as budget_module
from engage.prioritise.models import Outcome, Respondent
from engage.prioritise.pairwise import voting
from engage.prioritise.service import save_profile
from tests.conftest import sign_in


def _counting(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(results_cache, name, counted)
    return calls


def _main(html: str) -> str:
    return html.split('<h1 class="govuk-heading-xl">Results</h1>')[1].split("</main>")[0]


def _share_everything(exercise, submit, people=3):
    a, b, c, d = exercise.active_items
    for _ in range(people):
        submit(exercise, {a.id: 40, b.id: 30, c.id: 20, d.id: 10})


def test_a_cold_view_computes_and_keeps_a_warm_one_reads(
    app, client, officer, make_budget, submit, monkeypatch
):
    exercise = make_budget()
    _share_everything(exercise, submit)
    calls = _counting(monkeypatch, budget_module, "budget_results")
    sign_in(client, officer)
    first = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert calls == [1]
    kept = db.session.scalar(select(CachedResult).where(CachedResult.subject_id == exercise.id))
    assert kept.name == "budget-breakdowns-intervals" and kept.seconds >= 0
    second = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert calls == [1] and _main(second) == _main(first)  # read back, rows and all, and shown the same


def test_new_answers_an_exclusion_and_an_undo_each_make_it_compute_again(
    app, officer, make_budget, make_exercise, submit, cast, monkeypatch
):
    exercise = make_budget()
    _share_everything(exercise, submit)
    calls = _counting(monkeypatch, budget_module, "budget_results")
    before = results_cache.budget(exercise)
    assert results_cache.budget(exercise).respondents == before.respondents == 3 and len(calls) == 1

    a, b, c, d = exercise.active_items
    receipt = submit(exercise, {a.id: 10, b.id: 20, c.id: 30, d.id: 40})
    after = results_cache.budget(exercise)
    assert len(calls) == 2 and after.respondents == 4

    integrity.exclude(exercise, [receipt.submission.respondent_id], officer, "testing")
    db.session.commit()
    assert results_cache.budget(exercise).respondents == 3 and len(calls) == 3

    save_profile(
        db.session.get(Respondent, receipt.submission.respondent_id), {"age_band": "25-34"}
    )  # an answer changed in place
    db.session.commit()
    results_cache.budget(exercise)
    assert len(calls) == 4

    pairwise = make_exercise()
    left, right = pairwise.items[:2]
    cast(pairwise, left, right, token="same-person")
    assert results_cache.pairwise(pairwise).items  # computed and kept
    assert voting.undo_last_vote(pairwise, "same-person") is not None
    db.session.commit()
    assert (
        db.session.scalar(
            select(func.count()).select_from(CachedResult).where(CachedResult.subject_id == pairwise.id)
        )
        == 0
    )  # an undone vote drops the kept results (its id may be given to the next vote)
    cast(pairwise, right, left, Outcome.LEFT, token="same-person")
    outcome = results_cache.pairwise(pairwise)
    assert {row.item.id: row.wins for row in outcome.items}[right.id] == 1


def test_results_kept_under_another_key_are_not_trusted(app, make_budget, submit, monkeypatch):
    exercise = make_budget()
    _share_everything(exercise, submit)
    results_cache.budget(exercise)
    kept = db.session.scalar(select(CachedResult))
    kept.payload = b"\0" * 32 + kept.payload[32:]  # not signed by this app's key
    db.session.commit()
    calls = _counting(monkeypatch, budget_module, "budget_results")
    assert results_cache.budget(exercise).respondents == 3 and calls == [1]
    assert cache.loads(b"x" * 40) is None


def test_the_refresh_job_computes_what_the_pages_show(app, make_budget, submit):
    exercise = make_budget()
    _share_everything(exercise, submit)
    refresh_results("exercise", exercise.id)
    names = set(db.session.scalars(select(CachedResult.name).where(CachedResult.subject_id == exercise.id)))
    assert names == {"budget-breakdowns-intervals", "budget-plain-intervals"}
    version = cache.exercise_version(exercise)
    assert all(row.version == version for row in db.session.scalars(select(CachedResult)))
