"""The rate limiter: Flask-Limiter, with every limit a request is under counted in one Redis call.

Flask-Limiter counts each limit with its own Redis round trip: a vote, under a per-respondent and a
per-address limit, made two before its view ran, and sign-in three. ``EngageLimiter`` sends them together
as one Lua script that does what ``limits``' fixed-window counter does for each key in turn (INCRBY, and
EXPIRE on the window's first hit), stopping at the first limit breached as Flask-Limiter does (so a refused
request is not counted against the limits after it). A route under a single limit (a budget's or a
consultation's send) is counted by the same script with its one key: Flask-Limiter's call through redis-py
was about 5% of such a send's processor time served. The answer, the 429, its callbacks and the limits
recorded for the request are Flask-Limiter's own. Any other case (in-process storage, another strategy,
meta limits, limits counted only after the response) is Flask-Limiter's path unchanged.

The script is sent by ``_LeanScript``, on a connection each thread keeps, rather than through redis-py's
client: see there.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import flask
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter._extension import RequestLimit
from flask_limiter._limits import RuntimeLimit
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import NoScriptError

from engage.redis_errors import UNREACHABLE

#: KEYS: the limits' keys in the order they are checked; ARGV: 1 or 0 (stop at the first breach), then for
#: each key its window in seconds, its limit and this request's cost. Returns each key's count, up to and
#: including the first one over its limit when stopping there.
HIT_ALL = """
local stop = ARGV[1] == "1"
local counts = {}
for i, key in ipairs(KEYS) do
    local expiry, limit, cost = ARGV[3 * i - 1], tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
    local current = redis.call("incrby", key, cost)
    if current == cost then
        redis.call("expire", key, expiry)
    end
    counts[i] = current
    if stop and current > limit then
        break
    end
end
return counts
"""


def _packed(*parts: Any) -> bytes:
    """One Redis command as the protocol sends it: an array of bulk strings (text as UTF-8, as redis-py)."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _LeanScript:
    """The limiter's script (a redis-py ``Script``, registered on the storage's client), sent with EVALSHA
    on a connection each thread keeps for it.

    redis-py's own call cost 138-171 microseconds of processor time standalone (and 367-419 within a served
    vote, on a slow machine), for a round trip a bare socket makes in 64-70: its client layers (retry,
    argument checks, metrics), the pool's check for unread data on every checkout (a system call), and the
    packing of every argument through its encoder. The connection here is redis-py's own ``Connection``,
    made from the storage's pool's settings, so TLS, the password, the database number and the timeouts are
    as configured; only the layers around it are left out.

    Anything but the usual answer goes to redis-py's call, which does what it always did: a script Redis
    has forgotten (a restart) is loaded again, and a dropped or timed-out connection is retried by its retry
    policy (this thread's connection is closed and made afresh next time). Its errors are Flask-Limiter's to
    handle, as before (the in-memory fallback, or the error)."""

    def __init__(self, script: Any) -> None:
        self.script = script
        self._pool = script.registered_client.connection_pool
        self._local = threading.local()

    def _connection(self) -> Any:
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is None or local.pid != os.getpid():  # a forked worker makes its own
            connection = self._pool.connection_class(**self._pool.connection_kwargs)
            local.connection, local.pid = connection, os.getpid()
        return connection

    def __call__(self, keys: list[str], values: list[Any]) -> Any:
        connection = self._connection()
        try:
            connection.send_packed_command(
                [_packed(b"EVALSHA", self.script.sha, len(keys), *keys, *values)], check_health=False
            )
            return connection.read_response()
        except NoScriptError:
            pass
        except UNREACHABLE:
            connection.disconnect()
            self._local.connection = None
        return self.script(keys, values)


class EngageLimiter(Limiter):
    """Flask-Limiter, counting a request's limits in one round trip when they are kept in Redis."""

    _hit_all: Any = None
    _hit_all_storage: Any = None

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not self._counts_before_views():
            return
        super()._check_request_limit(callable_name, in_middleware)

    def _counts_before_views(self) -> bool:
        """Whether Flask-Limiter's check before every request has anything to count: limits for every
        route (default or application limits), limits on a blueprint, meta limits, or a storage found
        dead (that check is where it looks for it again). Engage puts its limits on routes only, where
        they are counted as the route is called, so the check before the request found nothing to count,
        working that out in about 60 microseconds of every request (a health check's sixth)."""
        manager = self.limit_manager
        return bool(
            manager._default_limits
            or manager._application_limits
            or manager._blueprint_limits
            or self._meta_limits
            or self._storage_dead
        )

    def _Limiter__filter_limits(  # noqa: N802 - the parent's private method
        self,
        endpoint: str | None,
        blueprint: str | None,
        callable_name: str | None,
        in_middleware: bool = False,
    ) -> list[RuntimeLimit]:
        """The limits a route is under, worked out once per app and route rather than on every request.

        Flask-Limiter works them out afresh each time: it calls each limit's setting (Engage reads a
        setting from the app's config), parses the string, makes the limit objects and looks up the route's
        and its blueprint's exemptions, about 50 microseconds of a vote. All of that is fixed once the app
        is made. The kept list is used only when nothing else could change it: no request filters (they
        decide per request), the storage not found dead (Flask-Limiter then counts in memory instead), and
        limits on routes only (default limits are counted once per request across routes). Kept per app and
        per "limiting on or off", so an app made with other settings, or limiting switched, finds its own.
        """
        if in_middleware or self._request_filters or self._counts_before_views():  # dead storage included
            return super()._Limiter__filter_limits(  # type: ignore[misc]
                endpoint, blueprint, callable_name, in_middleware
            )
        kept = flask.current_app.extensions.setdefault("engage_route_limits", {})
        key = (endpoint, blueprint, callable_name, self.enabled, self.initialized)
        found = kept.get(key)
        if found is None:
            found = kept[key] = super()._Limiter__filter_limits(  # type: ignore[misc]
                endpoint, blueprint, callable_name, in_middleware
            )
        return found

    def _batched(self) -> RedisStorage | None:
        """The Redis storage, when this limiter's requests can be counted in one call."""
        storage = self._storage
        if (
            type(storage) is not RedisStorage
            or type(self._limiter) is not FixedWindowRateLimiter
            or self._storage_dead
            or self._meta_limits
        ):
            return None
        return storage

    def _script(self, storage: RedisStorage) -> Any:
        if self._hit_all_storage is not storage:  # registered once per storage (init_app makes a new one)
            self._hit_all = _LeanScript(storage.get_connection().register_script(HIT_ALL.encode()))
            self._hit_all_storage = storage
        return self._hit_all

    def _Limiter__evaluate_limits(self, endpoint: str, limits: list[RuntimeLimit]) -> None:  # noqa: N802
        storage = self._batched()
        counted = [
            lim for lim in sorted(limits, key=lambda x: x.limit) if not (lim.is_exempt or lim.method_exempt)
        ]
        if storage is None or not counted or any(lim.meta_limits or lim.deduct_when for lim in counted):
            super()._Limiter__evaluate_limits(endpoint, limits)  # type: ignore[misc]
            return
        hits: list[tuple[RuntimeLimit, list[str]]] = []
        for lim in counted:
            args = [lim.key_func(), lim.scope_for(endpoint, flask.request.method)]
            if not all(args):
                self.logger.error(f"Skipping limit: {lim.limit}. Empty value found in parameters.")
                continue
            hits.append((lim, [self._key_prefix, *args] if self._key_prefix else args))
        if not hits:
            return
        keys = [storage.prefixed_key(lim.limit.key_for(*args)) for lim, args in hits]
        values: list[Any] = ["1" if self._fail_on_first_breach else "0"]
        for lim, _ in hits:
            values += [lim.limit.get_expiry(), lim.limit.amount, lim.deduction_amount]
        counts = [int(n) for n in self._script(storage)(keys, values)]
        self._after_counting(endpoint, hits, counts)

    def _after_counting(
        self, endpoint: str, hits: list[tuple[RuntimeLimit, list[str]]], counts: list[int]
    ) -> None:
        """What Flask-Limiter does once it has counted: the request's limits noted (for the 429 page and
        headers), then, when one was breached, its callbacks and the 429."""
        view_limits = []
        failed: list[tuple[RuntimeLimit, RequestLimit]] = []
        for (lim, args), count in zip(hits, counts, strict=False):
            request_limit = RequestLimit(self, lim.limit, args, count > lim.limit.amount, lim.shared)
            view_limits.append(request_limit)
            if request_limit.breached:
                self.logger.info("ratelimit %s (%s) exceeded at endpoint: %s", lim.limit, args[-2], args[-1])
                failed.append((lim, request_limit))
        explicit = [limit for limit in view_limits if not limit.shared]
        self.context.view_rate_limit = (
            failed[-1][1] if failed else explicit[0] if explicit else view_limits[0]
        )
        self.context.view_rate_limits = view_limits
        if not failed:
            return
        response = None
        for lim, request_limit in failed:
            for callback in dict.fromkeys([self._on_breach, lim.on_breach]):
                if callback:
                    try:
                        answer = callback(request_limit)
                        if isinstance(answer, flask.wrappers.Response):
                            response = answer
                    except Exception:
                        if not self._swallow_errors:
                            raise
                        self.logger.exception("on_breach callback failed")
        raise RateLimitExceeded(sorted(failed, key=lambda x: x[0].limit)[0][0], response=response)
