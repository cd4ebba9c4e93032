"""What still read a large exercise's results inside a request (issue 19: no request over 2 s): the results
downloads, the comparison after answering, the pairwise finish page's standings and the reports page now read
the kept results; when they are not ready a download is prepared as a job and a page says the results are
being worked out. A kept copy from older data is not even unpickled unless a page shows it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from engage.accounts.models import Role
from engage.extensions import db
from engage.jobs import cache
from engage.jobs.models import Job, JobStatus
from engage.jobs.running import files_dir
from engage.jobs.tasks import refresh_results
from engage.prioritise import results_cache
from engage.prioritise.budget import results as budget_module
from engage.prioritise.pairwise import results as pairwise_module
from engage.prioritise.ranking import results as ranking_module
from engage.reports.builders import build_report
from engage.reports.data import Period, organisation_report
from tests.conftest import sign_in
from tests.jobs.test_results_waiting import POLL, _counting, _share
from tests.prioritise.budget.test_budget_views import fields, key_of

START, END = date(2024, 4, 1), date(2030, 3, 31)
PERIOD = f"?start={START}&end={END}"


def _answered_as_resident(client, exercise, *amounts):
    """A resident shares out the points through the pages, as a browser would."""
    client.post(f"/exercises/{exercise.id}/allocate", data=fields(exercise, *amounts))
    key = key_of(client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True))
    assert client.post(f"/exercises/{exercise.id}/check", data={"key": key}).status_code == 302
    return client.get(f"/exercises/{exercise.id}/your-answer").get_data(as_text=True)


# -- item 1: the kept copy is read only when it is of the data as it is now ----------------------------


def test_a_poll_never_unpickles_an_older_copy_and_a_current_one_is_read_once(
    app, client, officer, make_budget, submit, monkeypatch, large
):
    exercise = make_budget()
    _share(exercise, submit, 3)
    refresh_results("exercise", exercise.id)
    _share(exercise, submit, 1)  # the kept copies are now of older data
    loads = []
    real = cache.loads
    monkeypatch.setattr(cache, "loads", lambda payload: loads.append(1) or real(payload))
    sign_in(client, officer)
    url = f"/manage/exercises/{exercise.id}/results"
    assert client.get(url, headers=POLL).status_code == 204 and loads == []  # the poll: nothing read
    assert "3 people took part." in client.get(url).get_data(as_text=True) and loads == [1]  # shown

    refresh_results("exercise", exercise.id)
    db.session.commit()
    loads.clear()
    assert client.get(url, headers=POLL).headers["HX-Refresh"] == "true" and loads == [1]


def test_one_helper_computes_and_keeps_for_both_ways_in(app, make_budget, submit):
    exercise = make_budget()
    _share(exercise, submit, 3)
    shown = results_cache.for_page(exercise, breakdowns=False)  # a small exercise: computed in the request
    kept = cache._kept("exercise", exercise.id, "budget-plain-intervals")
    assert shown.current and kept.version == cache.exercise_version(exercise) and kept.seconds >= 0
    assert results_cache.budget(exercise, breakdowns=False).respondents == shown.value.respondents == 3


# -- item 2: results downloads ----------------------------------------------------------------------------


@pytest.mark.parametrize(("what", "fmt"), [("results", "csv"), ("results", "xlsx")])
def test_a_large_budgets_results_file_is_prepared_as_a_job_when_not_kept(
    app, client, officer, make_budget, submit, monkeypatch, large, what, fmt
):
    exercise = make_budget()
    _share(exercise, submit, 3)
    calls = _counting(monkeypatch, "budget_results", budget_module.budget_results)
    sign_in(client, officer)
    url = f"/manage/exercises/{exercise.id}/{what}.{fmt}"
    asked = client.get(url)
    prepare = f"/manage/downloads/new/exercise_results/{exercise.id}.{fmt}"
    assert asked.status_code == 302 and asked.location == prepare and calls == []  # nothing computed
    page = client.get(prepare).get_data(as_text=True)
    title = f"Results of Share the budget ({'CSV' if fmt == 'csv' else 'Excel'})"
    assert title in page and "Prepare the download" in page

    made = client.post(prepare)
    job = db.session.get(Job, int(made.location.rsplit("job-", 1)[1]))
    assert job.status is JobStatus.DONE and job.file_name == f"exercise-{exercise.id}-results.{fmt}"
    assert calls == [1]  # the job computed them (and kept them for the pages)
    saved = client.get(f"/manage/downloads/{job.id}/file")
    body = saved.data
    saved.close()

    direct = client.get(url)  # now kept and current: sent by the request, computed nothing more
    assert direct.status_code == 200 and calls == [1]
    assert direct.headers["Content-Disposition"].endswith(f"exercise-{exercise.id}-results.{fmt}")
    if fmt == "csv":
        assert direct.data == body
        rows = list(csv.reader(io.StringIO(body.decode())))
        assert rows[0][:3] == ["rank", "code", "title"] and rows[1][9] == "3"  # respondents
    else:
        sheet = load_workbook(io.BytesIO(body))["Results"]
        assert [cell.value for cell in next(sheet.iter_rows())][:2] == ["rank", "code"]


def test_pairwise_scores_and_ranking_results_go_the_same_way(
    app, client, officer, make_exercise, make_ranking, submit, cast, monkeypatch, large
):
    pairwise = make_exercise()
    left, right = pairwise.items[:2]
    for _ in range(3):
        cast(pairwise, left, right)
    ranking = make_ranking()
    a, b, c, d = ranking.active_items
    for _ in range(3):
        submit(ranking, {a.id: 1, b.id: 2, c.id: 3, d.id: 4})
    pairwise_calls = _counting(monkeypatch, "pairwise_results", pairwise_module.pairwise_results)
    ranking_calls = _counting(monkeypatch, "ranking_results", ranking_module.ranking_results)
    sign_in(client, officer)
    for exercise, what in ((pairwise, "scores"), (ranking, "results")):
        asked = client.get(f"/manage/exercises/{exercise.id}/{what}.xlsx")
        assert asked.location == f"/manage/downloads/new/exercise_results/{exercise.id}.xlsx"
    assert pairwise_calls == ranking_calls == []
    made = client.post(f"/manage/downloads/new/exercise_results/{pairwise.id}.csv")
    job = db.session.get(Job, int(made.location.rsplit("job-", 1)[1]))
    assert job.file_name == f"exercise-{pairwise.id}-scores.csv" and pairwise_calls == [1]
    saved = client.get(f"/manage/downloads/{job.id}/file")
    assert saved.data.decode().startswith("rank,code,title,score")
    saved.close()
    # A kind's own name only: a pairwise exercise has no "results" file, a ranking no "scores".
    assert client.get(f"/manage/exercises/{pairwise.id}/results.csv").status_code == 404
    assert client.get(f"/manage/exercises/{ranking.id}/scores.csv").status_code == 404
    assert client.get(f"/manage/exercises/{ranking.id}/results.pb").status_code == 404


def test_who_may_have_a_results_file(app, client, council, make_budget, submit, make_user, make_organisation):
    exercise = make_budget()
    _share(exercise, submit, 3)
    url = f"/manage/exercises/{exercise.id}/results.csv"
    prepare = f"/manage/downloads/new/exercise_results/{exercise.id}.csv"
    assert client.get(url).status_code == 302 and "/sign-in" in client.get(url).location  # a resident
    assert "/sign-in" in client.get(prepare).location
    outsider = make_user(Role.BOARD_OFFICER, organisation=make_organisation("Elsewhere"))
    sign_in(client, outsider)
    assert client.get(url).status_code == 403
    assert client.get(prepare).status_code == 403 and client.post(prepare).status_code == 403
    assert client.get(f"/manage/downloads/new/exercise_results/{exercise.id + 999}.csv").status_code == 404
    assert client.get(f"/manage/downloads/new/exercise_results/{exercise.id}.pb").status_code == 404
    analyst = make_user(Role.ANALYST, organisation=council)  # reads results, manages nothing
    colleague = app.test_client()
    sign_in(colleague, analyst)
    assert colleague.get(url).status_code == 200


# -- item 3: the comparison after answering, the finish page, the reports page ---------------------------


def test_the_comparison_says_it_is_being_worked_out_then_shows_the_kept_results(
    app, client, make_budget, submit, monkeypatch, large
):
    exercise = make_budget()
    monkeypatch.setitem(app.config, "ENGAGE_SMALL_CELL", 2)  # four people are enough to compare with here
    _share(exercise, submit, 3)
    calls = _counting(monkeypatch, "budget_results", budget_module.budget_results)
    html = _answered_as_resident(client, exercise, 40, 30, 20, 10)
    assert calls == [] and "How your choices compare" in html
    assert "take a little while to work out" in html and "people have taken part" not in html
    assert f'href="/exercises/{exercise.id}/your-answer">Look again for the results</a>' in html
    assert "hx-trigger" not in html.split("How your choices compare")[1].split("Anything else")[0]

    refresh_results("exercise", exercise.id)  # the worker
    db.session.commit()
    fresh = client.get(f"/exercises/{exercise.id}/your-answer").get_data(as_text=True)
    assert "4 people have taken part" in fresh and "newer answers are being added" not in fresh

    _share(exercise, submit, 1)  # someone else answers: the kept copy is older, and says so
    stale = client.get(f"/exercises/{exercise.id}/your-answer").get_data(as_text=True)
    assert "4 people have taken part" in stale and "newer answers are being added" in stale
    assert calls == [1, 1]  # only the worker's two computations (officers' and public)


def test_the_finish_pages_standings_say_they_are_being_worked_out(
    app, client, make_exercise, cast, monkeypatch, large
):
    exercise = make_exercise(show_standings=True, results_public=True)
    left, right = exercise.items[:2]
    for _ in range(3):
        cast(exercise, left, right)
    calls = _counting(monkeypatch, "pairwise_results", pairwise_module.pairwise_results)
    html = client.get(f"/exercises/{exercise.id}/finish").get_data(as_text=True)
    assert calls == [] and "How everyone has chosen so far" in html
    assert "take a little while to work out" in html and "people made" not in html
    assert f'href="/exercises/{exercise.id}/finish">Look again for the results</a>' in html
    welsh = client.get(f"/exercises/{exercise.id}/finish?lang=cy").get_data(as_text=True)
    assert "take a little while to work out" not in welsh

    refresh_results("exercise", exercise.id)
    db.session.commit()
    shown = client.get(f"/exercises/{exercise.id}/finish?lang=en").get_data(as_text=True)
    assert "3 people made 3 choices." in shown and "take a little while" not in shown


def test_the_reports_page_says_a_large_exercises_results_are_being_worked_out_and_the_file_has_them(
    app, client, officer, make_budget, submit, monkeypatch, large
):
    exercise = make_budget()
    _share(exercise, submit, 10)  # enough people for headline results
    calls = _counting(monkeypatch, "budget_results", budget_module.budget_results)
    sign_in(client, officer)
    page = client.get(f"/manage/reports/organisations/{officer.organisation_id}{PERIOD}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and calls == []
    assert "The results are being worked out" in html and "of the budget" not in html

    # The file is a job: it computes whatever it takes (and keeps the results for the pages).
    name, body = build_report("organisation", officer.organisation_id, START, END, "xlsx")
    headlines = list(load_workbook(io.BytesIO(body))["Headline results"].iter_rows(values_only=True))
    assert any("40% of the budget" in str(row) for row in headlines) and calls == [1]
    db.session.commit()
    html = client.get(f"/manage/reports/organisations/{officer.organisation_id}{PERIOD}").get_data(
        as_text=True
    )
    assert "40% of the budget" in html and "being worked out" not in html and calls == [1]

    _share(exercise, submit, 1)
    line = organisation_report(officer.organisation, Period(START, END)).activities[0]
    assert line.headlines and line.results_from is not None and not line.results_pending


# -- item 5: the report job checks the asker's access again when it runs ---------------------------------


@pytest.mark.parametrize("change", ["deactivated", "moved", "board"])
def test_a_report_job_whose_asker_lost_access_fails_with_a_reason_and_no_file(
    app, client, officer, hwb, council, make_organisation, change, monkeypatch
):
    from engage.jobs import queue

    queued = []
    monkeypatch.setattr(queue, "after_commit", lambda send: queued.append(send))  # asked, not yet run
    sign_in(client, officer)
    if change == "board":
        url = f"/manage/reports/boards/{hwb.slug}/pack.pdf{PERIOD}"
    else:
        url = f"/manage/reports/organisations/{council.id}/report.pdf{PERIOD}"
    asked = client.post(url)
    assert asked.status_code == 302 and len(queued) == 1
    job = db.session.get(Job, int(asked.location.rsplit("job-", 1)[1]))
    assert job.status is JobStatus.QUEUED
    kept_before = set(files_dir().iterdir())

    if change == "deactivated":
        officer.active = False
    elif change == "moved":
        officer.organisation = make_organisation("Another partner")
    else:
        hwb.members = [make_organisation("Another partner")]
    db.session.commit()
    monkeypatch.undo()
    queued[0]()  # the worker takes the job

    db.session.refresh(job)
    assert job.status is JobStatus.FAILED and job.file_path is None and job.file_name is None
    assert job.error == "You can no longer pull this report: your access was changed after you asked for it."
    assert set(files_dir().iterdir()) == kept_before


# -- item 4: a large consultation's "Unusual activity" is compared by the refresh job ----------------------


def test_a_large_consultations_activity_is_compared_by_the_job_then_shown(
    app, client, make_consultation, hwb, officer, make_user, make_organisation, monkeypatch, large
):
    from engage.surveys import activity
    from tests.surveys.test_consultations import respond

    consultation = make_consultation()
    for _ in range(3):  # a script: fresh cookies, the same answers
        assert respond(app.test_client(), consultation, hwb)[0].status_code == 302
    monkeypatch.setattr(cache, "IN_REQUEST_RESPONSES", 2)
    monkeypatch.setitem(app.config, "ENGAGE_COORDINATED_THRESHOLD", 3)
    compared = []
    real = activity.coordinated_responses
    monkeypatch.setattr(activity, "coordinated_responses", lambda c: compared.append(1) or real(c))
    url = f"/manage/consultations/{consultation.id}/activity"
    assert "/sign-in" in client.get(url).location
    sign_in(client, officer)

    cold = client.get(url).get_data(as_text=True)
    assert compared == [] and "The responses are being compared" in cold
    assert 'hx-trigger="every 3000ms"' in cold
    assert large == [("consultation", consultation.id)]
    assert client.get(url, headers=POLL).status_code == 204

    refresh_results("consultation", consultation.id)  # the worker
    db.session.commit()
    assert compared == [1] and client.get(url, headers=POLL).headers["HX-Refresh"] == "true"
    warm = client.get(url).get_data(as_text=True)
    assert "3 responses" in warm and "being compared" not in warm and compared == [1]

    assert respond(app.test_client(), consultation, hwb)[0].status_code == 302  # a newer response
    stale = client.get(url).get_data(as_text=True)
    assert "3 responses" in stale and "newer answers are being added" in stale and compared == [1]

    outsider = app.test_client()
    sign_in(outsider, make_user(Role.BOARD_OFFICER, organisation=make_organisation("Elsewhere")))
    assert outsider.get(url).status_code == 403
    assert client.get(f"/manage/consultations/{consultation.id + 999}/activity").status_code == 404


def test_a_small_consultations_activity_is_compared_in_the_request_and_kept(
    app, client, make_consultation, hwb, officer, monkeypatch
):
    from engage.surveys import activity
    from tests.surveys.test_consultations import respond

    consultation = make_consultation()
    assert respond(app.test_client(), consultation, hwb)[0].status_code == 302
    compared = []
    real = activity.coordinated_responses
    monkeypatch.setattr(activity, "coordinated_responses", lambda c: compared.append(1) or real(c))
    sign_in(client, officer)
    url = f"/manage/consultations/{consultation.id}/activity"
    assert "None: no 20 or more online responses" in client.get(url).get_data(as_text=True)
    assert "None: no 20" in client.get(url).get_data(as_text=True) and compared == [1]  # kept
    monkeypatch.setitem(app.config, "ENGAGE_COORDINATED_THRESHOLD", 19)  # another setting: compared again
    assert "None: no 19 or more" in client.get(url).get_data(as_text=True) and compared == [1, 1]
