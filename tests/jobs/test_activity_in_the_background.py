"""An exercise's "Unusual activity" page never compares a large exercise's respondents in the request
(issue 19: no request over 2 s): cold, it says the answers are being compared and polls; the refresh job
keeps what it found; stale, the last kept signals are shown with their time; and however many views ask at
once, from however many threads, one job is queued."""

from __future__ import annotations

import threading

import pytest

from engage.accounts.models import Role
from engage.extensions import db
from engage.jobs import cache, queue
from engage.jobs.tasks import refresh_results
from engage.prioritise import integrity
from tests.conftest import sign_in
from tests.jobs.test_results_waiting import POLL

WAITING = "The answers are being compared"


def _script(exercise, submit, people: int = 22) -> None:
    """``people`` fresh "residents" giving the same allocation within a minute: a coordinated group."""
    items = [item.id for item in exercise.active_items]
    for _ in range(people):
        submit(exercise, dict(zip(items, [85, 5, 5, 5], strict=True)))


@pytest.fixture
def large_activity(monkeypatch):
    """Every exercise counts as large (over 2 respondents); queued recomputations are recorded, not run."""
    queued = []
    monkeypatch.setattr(cache, "IN_REQUEST_RESPONDENTS", 2)
    monkeypatch.setattr(cache, "refresh_now", lambda *key: queued.append(key) or True)
    return queued


def test_a_large_exercise_is_compared_by_the_job_then_shown(
    app, client, officer, make_budget, submit, large_activity
):
    exercise = make_budget()
    _script(exercise, submit)
    sign_in(client, officer)
    url = f"/manage/exercises/{exercise.id}/activity"
    cold = client.get(url).get_data(as_text=True)
    assert WAITING in cold and "22 respondents" not in cold and 'hx-trigger="every 3000ms"' in cold
    assert large_activity == [("exercise", exercise.id, integrity.KEPT_AS)]
    assert "Left out of the results" in cold  # who is left out is read now, always
    assert client.get(url, headers=POLL).status_code == 204

    refresh_results("exercise", exercise.id, integrity.KEPT_AS)  # what the worker runs
    db.session.commit()
    assert client.get(url, headers=POLL).headers["HX-Refresh"] == "true"
    shown = client.get(url).get_data(as_text=True)
    assert "22 respondents" in shown and WAITING not in shown and "newer answers" not in shown


def test_newer_answers_show_the_last_kept_signals_with_their_time(
    app, client, officer, make_budget, submit, large_activity
):
    exercise = make_budget()
    _script(exercise, submit)
    refresh_results("exercise", exercise.id, integrity.KEPT_AS)
    db.session.commit()
    _script(exercise, submit, 3)  # three more, not yet compared
    sign_in(client, officer)
    page = client.get(f"/manage/exercises/{exercise.id}/activity").get_data(as_text=True)
    assert "22 respondents" in page and "These results are from" in page and WAITING not in page
    assert large_activity == [("exercise", exercise.id, integrity.KEPT_AS)]

    refresh_results("exercise", exercise.id)  # the job queued for new answers looks again, as kept before
    db.session.commit()
    assert "25 respondents" in client.get(f"/manage/exercises/{exercise.id}/activity").get_data(as_text=True)


def test_a_small_exercise_is_compared_in_the_request(app, client, officer, make_budget, submit):
    exercise = make_budget()
    _script(exercise, submit)
    sign_in(client, officer)
    page = client.get(f"/manage/exercises/{exercise.id}/activity").get_data(as_text=True)
    assert "22 respondents" in page and WAITING not in page


def test_an_officer_of_another_organisation_is_refused(
    app, client, make_user, make_organisation, make_budget, submit, large_activity
):
    exercise = make_budget()
    _script(exercise, submit)
    sign_in(client, make_user(Role.BOARD_OFFICER, organisation=make_organisation("Elsewhere Council")))
    assert client.get(f"/manage/exercises/{exercise.id}/activity").status_code == 403
    assert large_activity == []  # nothing queued for them either


@pytest.mark.real_commits  # twenty threads, each with its own connection, as a server's
def test_twenty_views_at_once_queue_one_job(queued_app, officer, make_budget, submit, monkeypatch):
    real, _settings = queued_app
    monkeypatch.setattr(cache, "IN_REQUEST_RESPONDENTS", 2)
    exercise = make_budget()
    _script(exercise, submit)
    url = f"/manage/exercises/{exercise.id}/activity"
    clients = [real.test_client() for _ in range(20)]
    for client in clients:
        sign_in(client, officer)
    queue.huey.flush()  # what the sign-ins queued (none yet; a fresh queue file)
    start, pages = threading.Barrier(len(clients)), []

    def view(client) -> None:
        start.wait()
        pages.append(client.get(url).get_data(as_text=True))

    threads = [threading.Thread(target=view, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(pages) == 20 and all(WAITING in page for page in pages)
    assert len(queue.huey) == 1  # one job, not twenty
    assert all(clients[0].get(url).status_code == 200 for _ in range(3)) and len(queue.huey) == 1

    task = queue.huey.dequeue()
    with real.app_context():
        queue.huey.execute(task)  # the worker runs it: the mark is released, the signals kept
    page = clients[0].get(url).get_data(as_text=True)
    assert "22 respondents" in page and len(queue.huey) == 0


@pytest.mark.real_commits  # the answers commit as a resident's request does
def test_answers_arriving_together_schedule_one_refresh(queued_app, make_budget, submit):
    real, _settings = queued_app
    exercise = make_budget()
    queue.huey.flush()
    _script(exercise, submit, 5)
    assert len(queue.huey) == 1  # five answers, one recomputation (to run a little later)
    with real.app_context():
        refresh_results.call_local("exercise", exercise.id)  # it starts: answers from now need another
    _script(exercise, submit, 2)
    assert len(queue.huey) == 2


@pytest.mark.real_commits
def test_a_request_undone_claims_nothing(queued_app, make_budget):
    """The claim is made after the commit: a view whose request is undone leaves no mark to stop the next."""
    real, _settings = queued_app
    exercise = make_budget()
    queue.huey.flush()
    with real.test_request_context("/"):
        assert cache.refresh_now("exercise", exercise.id, integrity.KEPT_AS) is True
        db.session.rollback()
        assert len(queue.huey) == 0
        assert cache.refresh_now("exercise", exercise.id, integrity.KEPT_AS) is True
        db.session.commit()
    assert len(queue.huey) == 1


def _claims_asked(monkeypatch) -> list[str]:
    """The marks this process asks the queue's storage to claim from now on, in order."""
    asked: list[str] = []
    put_if_empty = queue.huey.put_if_empty

    def counted(key, value):
        asked.append(key)
        return put_if_empty(key, value)

    monkeypatch.setattr(queue.huey, "put_if_empty", counted)
    return asked


@pytest.mark.real_commits
def test_answers_while_the_refresh_waits_do_not_ask_the_queue_again(
    queued_app, make_budget, submit, monkeypatch
):
    """The refresh queued for arriving answers starts REFRESH_DELAY seconds later: until then this process
    knows it will read them, and asks the queue's storage nothing (a vote saved two Redis round trips)."""
    real, _settings = queued_app
    exercise = make_budget()
    queue.huey.flush()
    asked = _claims_asked(monkeypatch)
    _script(exercise, submit, 5)
    assert len(asked) == 1 and len(queue.huey) == 1
    mark = cache.refresh_mark("exercise", exercise.id)
    queue._claims[queue.huey.storage][mark] -= cache.REFRESH_DELAY  # the wait is over: it may have started
    _script(exercise, submit, 1)
    assert asked == [mark, mark] and len(queue.huey) == 1  # asked, and found it still queued


@pytest.mark.real_commits
def test_answers_after_finding_the_refresh_still_queued_ask_again_only_a_second_later(
    queued_app, make_budget, submit, monkeypatch
):
    """Once the refresh's own wait has run out, a process that finds the mark still held (the worker has
    not started it yet, or there is no worker) asks again only after HELD_RECHECK seconds, not on every
    answer; an answer after that, once the refresh has started, queues the next."""
    real, _settings = queued_app
    exercise = make_budget()
    queue.huey.flush()
    asked = _claims_asked(monkeypatch)
    _script(exercise, submit, 1)
    mark = cache.refresh_mark("exercise", exercise.id)
    queue._claims[queue.huey.storage][mark] -= cache.REFRESH_DELAY  # the wait is over; not started yet
    _script(exercise, submit, 4)
    assert asked == [mark, mark] and len(queue.huey) == 1  # found it held once, then asked no more
    queue._held[queue.huey.storage][mark] -= cache.HELD_RECHECK  # a second later
    with real.app_context():
        refresh_results.call_local("exercise", exercise.id)  # meanwhile the worker started it
    _script(exercise, submit, 1)
    assert asked == [mark, mark, mark] and len(queue.huey) == 2  # the next refresh, for this answer
