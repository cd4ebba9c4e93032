"""engage/rate_limits.py: a request's limits counted in one Redis call, with Flask-Limiter's answers."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from engage.extensions import limiter
from engage.rate_limits import EngageLimiter
from tests.prioritise.pairwise.test_resident_views import pair_form


@pytest.fixture
def redis_limits(app_factory, monkeypatch):
    """An app whose limits are kept in Redis (under a key prefix of the test's own), and a list that gets
    one entry per call of the script that counts a request's limits."""
    redis_url = os.environ.get("ENGAGE_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("set ENGAGE_TEST_REDIS_URL (CI does) to test Redis-backed rate limits")
    calls: list[list[str]] = []
    script = EngageLimiter._script

    def counted(self, storage):
        run = script(self, storage)

        def call(keys, values):
            calls.append(keys)
            return run(keys, values)

        return call

    monkeypatch.setattr(EngageLimiter, "_script", counted)

    def make(**settings):
        return app_factory(
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=redis_url,
            RATELIMIT_KEY_PREFIX=f"engage-test-{uuid.uuid4().hex}",
            **settings,
        )

    return make, calls


def test_a_votes_two_limits_are_counted_in_one_call_and_refuse_as_before(redis_limits, make_exercise):
    make, calls = redis_limits
    exercise = make_exercise()
    client = make(ENGAGE_VOTE_LIMIT="3 per minute", ENGAGE_VOTE_ADDRESS_LIMIT="100 per minute").test_client()
    url = f"/exercises/{exercise.id}/vote"
    answers = [
        client.post(url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"})
        for _ in range(4)
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 302, 429]
    assert [len(keys) for keys in calls] == [2, 2, 2, 2]  # one call per vote, both limits in it
    # The counters are limits' own (what the 429's Retry-After is read from): within the minute.
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 61
    assert _counts(calls[-1])["3/1/minute"] == 4


def test_the_first_limit_breached_stops_the_count_as_flask_limiter_does(redis_limits):
    """Sign-in's two limits (per minute, then per hour): a refused attempt is not counted by the hour."""
    make, calls = redis_limits
    client = make(ENGAGE_SIGN_IN_LIMIT="2 per minute;50 per hour").test_client()
    statuses = [
        client.post("/sign-in", data={"email": "a@b.example", "password": "x"}).status_code for _ in range(4)
    ]
    assert statuses == [400, 400, 429, 429]
    assert {len(keys) for keys in calls} == {2}
    assert _counts(calls[-1]) == {"2/1/minute": 4, "50/1/hour": 2}


def test_a_single_limit_is_counted_by_the_same_call_and_refuses_as_before(redis_limits, make_consultation):
    """A route under one limit (a resident deleting their response: 10 an hour from an address) is counted
    by the same script as a vote's two, with its one key: redis-py's own call, which Flask-Limiter makes for
    a single limit, was about 5% of a served budget send's processor time."""
    make, calls = redis_limits
    consultation = make_consultation()
    client = make().test_client()
    url = f"/consultations/{consultation.id}/delete-response"
    statuses = [client.post(url, data={"reference": "NOT-A-REF"}).status_code for _ in range(11)]
    assert statuses[:10] == [statuses[0]] * 10 and statuses[0] != 429
    assert statuses[10] == 429
    assert [len(keys) for keys in calls] == [1] * 11
    assert _counts(calls[-1]) == {"10/1/hour": 11}


def test_a_redis_that_stops_answering_fails_a_limited_request_in_seconds(
    redis_limits, make_consultation, silent_port
):
    """Found in review: the limiter's Redis had no timeouts, so a Redis that accepted connections but never
    answered (a dropped network) held every limited request's thread for ever. Now the connection has the
    storage's timeouts (2 s each as configured; shortened here), the lean call's own connection included,
    and the request fails (Flask-Limiter's error, or its in-memory fallback when that is switched on)."""
    make, _calls = redis_limits
    client = make(
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    ).test_client()
    url = f"/consultations/{make_consultation().id}/delete-response"
    assert client.post(url, data={"reference": "NOT-A-REF"}).status_code == 400  # counted: Redis answers
    pool = limiter.storage.get_connection().connection_pool  # type: ignore[attr-defined]
    answering = dict(pool.connection_kwargs)
    pool.connection_kwargs.update(host="127.0.0.1", port=silent_port)
    pool.reset()  # its connections forgotten: every one made from now on reaches the silent one
    lean = limiter._hit_all  # type: ignore[attr-defined]
    lean._local.connection.disconnect()
    lean._local.connection = None
    outcome: list[object] = []

    def post() -> None:
        try:
            outcome.append(client.post(url, data={"reference": "NOT-A-REF"}).status_code)
        except Exception as error:  # the tests' app raises what the served one answers with a 500
            outcome.append(type(error).__name__)

    started = time.monotonic()
    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    thread.join(timeout=20)
    try:
        assert not thread.is_alive(), "the request was still waiting for Redis after 20 s"
        assert outcome == ["TimeoutError"] and time.monotonic() - started < 10
    finally:
        pool.connection_kwargs.clear()
        pool.connection_kwargs.update(answering)
        pool.reset()


def test_the_configured_limiter_storage_has_timeouts(redis_limits):
    make, _calls = redis_limits
    make()
    kwargs = limiter.storage.get_connection().connection_pool.connection_kwargs  # type: ignore[attr-defined]
    assert kwargs["socket_connect_timeout"] == 2 and kwargs["socket_timeout"] == 2


def _vote(client, url: str) -> int:
    return client.post(
        url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"}
    ).status_code


def test_the_count_goes_on_when_redis_forgets_the_script_or_drops_the_connection(redis_limits, make_exercise):
    """The script is sent on a connection this thread keeps (engage.rate_limits._LeanScript). Redis
    forgetting it (a restart) or the connection dropping each fall back to redis-py's own call, which loads
    the script again or reconnects: every vote is still counted, and the limit still refuses."""
    make, calls = redis_limits
    exercise = make_exercise()
    client = make(ENGAGE_VOTE_LIMIT="4 per minute", ENGAGE_VOTE_ADDRESS_LIMIT="100 per minute").test_client()
    url = f"/exercises/{exercise.id}/vote"
    redis = limiter.storage.get_connection()  # type: ignore[attr-defined]
    statuses = [_vote(client, url)]
    redis.script_flush()  # as after a restart: the script is unknown to Redis
    statuses.append(_vote(client, url))
    lean = limiter._hit_all  # type: ignore[attr-defined]
    kept = lean._local.connection  # this thread's connection (the test client runs requests in this thread)
    kept._sock.close()  # dropped under it
    statuses += [_vote(client, url), _vote(client, url)]
    assert lean._local.connection is not kept  # a new one made after the drop
    statuses.append(_vote(client, url))
    assert statuses == [302, 302, 302, 302, 429]
    assert _counts(calls[-1])["4/1/minute"] == 5


def _counts(keys: list[str]) -> dict[str, int]:
    """The counters stored under a call's keys, by the limit they belong to (``amount/multiples/unit``)."""
    redis = limiter.storage.get_connection()  # type: ignore[attr-defined]
    return {"/".join(key.rsplit("/", 3)[-3:]): int(redis.get(key)) for key in keys}


def test_nothing_is_counted_before_a_view_when_every_limit_is_on_a_route(app_factory):
    """Engage's limits are all on routes: Flask-Limiter's check before every request is skipped. A limiter
    given a default limit (for every route) still counts it there, and refuses past it."""
    from flask import Flask

    app = app_factory(RATELIMIT_ENABLED=True)
    assert app.extensions["limiter"] == {limiter}
    assert not limiter._counts_before_views()

    other = Flask("with-defaults")
    other.config.update(RATELIMIT_STORAGE_URI="memory://", RATELIMIT_HEADERS_ENABLED=False)
    with_defaults = EngageLimiter(key_func=lambda: "someone", default_limits=["2 per minute"])
    with_defaults.init_app(other)
    other.add_url_rule("/page", "page", lambda: "ok")
    assert with_defaults._counts_before_views()
    client = other.test_client()
    assert [client.get("/page").status_code for _ in range(3)] == [200, 200, 429]


def test_a_routes_limits_are_kept_per_app_and_follow_each_apps_settings(app_factory, make_exercise):
    """The limits found for a route are kept (EngageLimiter keeps them per app): an app made with another
    setting counts by its own, and limiting switched off in between counts nothing."""
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"

    def statuses(client, tries: int) -> list[int]:
        return [
            client.post(
                url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"}
            ).status_code
            for _ in range(tries)
        ]

    two = app_factory(RATELIMIT_ENABLED=True, ENGAGE_VOTE_LIMIT="2 per minute")
    assert statuses(two.test_client(), 3) == [302, 302, 429]
    kept = two.extensions["engage_route_limits"]
    assert [limits for (endpoint, *_), limits in kept.items() if endpoint == "prioritise.vote"]
    unlimited = app_factory(ENGAGE_VOTE_LIMIT="2 per minute")  # the suite's default: limiting off
    assert statuses(unlimited.test_client(), 3) == [302, 302, 302]
    four = app_factory(RATELIMIT_ENABLED=True, ENGAGE_VOTE_LIMIT="4 per minute")
    assert statuses(four.test_client(), 5) == [302, 302, 302, 302, 429]
