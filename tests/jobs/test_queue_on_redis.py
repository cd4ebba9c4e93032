"""The job queue on Redis (ENGAGE_REDIS_URL): its connections have timeouts, so a Redis that stops answering
never holds a resident's request, and a worker still waits for jobs as huey does."""

from __future__ import annotations

import logging
import os
import threading
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from engage.jobs import cache, queue
from tests.prioritise.pairwise.test_resident_views import pair_form
from tests.security.test_vote_integrity import counted_in_all


@pytest.fixture
def silent_redis(silent_port):
    """A Redis URL whose connections the kernel accepts and nobody ever answers (a dropped network)."""
    return f"redis://127.0.0.1:{silent_port}/0"


def test_a_vote_is_answered_in_seconds_when_the_queues_redis_stops_answering(
    app_factory, queued_app, make_exercise, silent_redis, caplog
):
    """Found in review: huey makes its Redis pool from the URL with no timeouts, so queueing the officers'
    results refresh after a vote waited for ever on a Redis that never answers, holding the resident's
    request. Now the vote is stored, the refresh's failure is logged and the resident sees their count."""
    _, settings = queued_app
    voting = app_factory(
        fresh=True,
        **settings,
        ENGAGE_REDIS_URL=silent_redis,
        ENGAGE_JOBS_REDIS_OPTIONS={"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    )
    exercise = make_exercise()
    client = voting.test_client()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(client.get(url).get_data(as_text=True))
    answered: list[object] = []

    def vote() -> None:
        try:
            response = client.post(url, data={**form, "choice": "left"}, follow_redirects=True)
            answered.append(response.status_code)
        except Exception as error:  # pragma: no cover - what the assertion below reports
            answered.append(repr(error))

    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        thread = threading.Thread(target=vote, daemon=True)
        thread.start()
        thread.join(timeout=20)
    assert not thread.is_alive(), "the vote was still waiting for the queue's Redis after 20 s"
    assert answered == [200] and time.monotonic() - started < 10
    assert "could not reach the job queue" in caplog.text
    assert counted_in_all() == (1, 1, 1)


def test_with_the_served_timeouts_one_vote_waits_for_a_silent_redis_and_the_next_ones_do_not(
    app_factory, queued_app, make_exercise, silent_redis, caplog, monkeypatch
):
    """Found in review: with the served timeouts (2 s) each vote's refresh waited for three calls in turn
    (its claim, the task, the claim given back), about 6 s a vote for as long as Redis was silent. Now the
    first finds the queue unreachable after one timeout, and the process queues no refresh for a while: the
    next votes are answered at once, each saying in the log what was not queued. Once the pause is over the
    queue is tried again."""
    _, settings = queued_app
    voting = app_factory(fresh=True, **settings, ENGAGE_REDIS_URL=silent_redis)
    exercise = make_exercise()
    client = voting.test_client()
    url = f"/exercises/{exercise.id}/vote"

    def timed_vote() -> float:
        form = pair_form(client.get(url).get_data(as_text=True))
        started = time.monotonic()
        response = client.post(url, data={**form, "choice": "left"}, follow_redirects=True)
        assert response.status_code == 200 and "You've made" in response.get_data(as_text=True)
        return time.monotonic() - started

    with caplog.at_level(logging.WARNING):
        first = timed_vote()
        later = [timed_vote() for _ in range(3)]
    assert 1.5 < first < 4.5, first  # one read timeout of 2 s, not three
    assert max(later) < 1, later
    assert caplog.text.count("was not queued: the job queue could not be reached") == 3
    assert counted_in_all() == (4, 4, 4)

    monkeypatch.setattr(queue, "_paused_until", 0.0)  # the pause is over
    assert timed_vote() > 1.5  # tried again


def test_the_served_queue_has_timeouts_and_a_worker_still_waits_for_jobs(app_factory, queued_app):
    """The configured timeouts reach huey's connections; the read timeout outlasts the worker's blocking
    wait for a job (huey's read_timeout), so an empty queue answers "nothing yet" rather than failing."""
    redis_url = os.environ.get("ENGAGE_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("set ENGAGE_TEST_REDIS_URL (CI does) to test the queue on Redis")
    _, settings = queued_app
    app_factory(fresh=True, **settings, ENGAGE_REDIS_URL=redis_url)
    storage = queue.huey.storage
    options = storage.pool.connection_kwargs
    assert (options["socket_connect_timeout"], options["socket_timeout"]) == (2, 2)
    assert options["socket_timeout"] > storage.read_timeout
    storage.flush_queue()
    started = time.monotonic()
    assert storage.dequeue() is None  # a blocking wait of read_timeout, then nothing
    assert time.monotonic() - started >= storage.read_timeout * 0.9
    storage.enqueue(b"a job")
    assert storage.dequeue() == b"a job"


def test_while_refreshes_are_paused_a_task_someone_asked_for_is_still_queued(queued_app, monkeypatch):
    """The pause is for results refreshes, which the next answer asks for again; a download or mail a person
    asked for is still tried."""
    monkeypatch.setattr(queue, "_paused_until", time.monotonic() + 60)
    sent: list[str] = []
    queue.after_commit(lambda: sent.append("mail"), committed=True)
    cache._queue_once("refresh:exercise:0", lambda: sent.append("refresh"))
    assert sent == ["mail"]


def test_a_claim_left_with_nothing_queued_is_taken_back_by_the_next_refresh(queued_app):
    """Found in review: when the claim was stored but the task could not reach Redis, the claim was kept (it
    could not be given back either), and every later refresh of those results found it held for half an
    hour (CLAIM_STALE_AFTER). Now this process's next claim takes its own abandoned one over; another's
    fresh claim is still respected."""
    queued: list[str] = []

    def unreachable() -> None:
        raise RedisConnectionError("Redis went away")

    with pytest.raises(RedisConnectionError):
        cache._queue_once("refresh:exercise:1", unreachable)
    assert queue.huey.get("refresh:exercise:1", peek=True) is not None  # still stored
    assert queue.claimed_at("refresh:exercise:1") is None  # nothing waits for a refresh that never was
    cache._queue_once("refresh:exercise:1", lambda: queued.append("refresh"))
    assert queued == ["refresh"]

    queue.huey.put_if_empty("refresh:exercise:2", time.time())  # another process's claim
    cache._queue_once("refresh:exercise:2", lambda: queued.append("another"))
    assert queued == ["refresh"]
