"""Counting what a visitor may do in a window, beyond the per-route limits: a draft started, an email sent,
an API call before its token is checked. Settings hold the limits (``"10 per hour;30 per day"``); the counts
live in the rate limiter's storage (Redis when ``ENGAGE_REDIS_URL`` is set, shared by every worker), and
nothing is counted when rate limiting is off (the test suite's app, unless a test turns it on)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from limits import RateLimitItem, parse_many

from engage.extensions import limiter
from engage.redis_errors import UNREACHABLE

#: Each (setting, key) of what :func:`take_all` counts.
Wanted = Sequence[tuple[str, tuple[str, ...]]]


class Unreachable(Exception):
    """The rate limiter's storage (Redis) could not be reached: nothing could be counted."""


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.enabled


def _limits(setting: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[setting])


def take_all(wanted: Wanted) -> bool:
    """Count one against every limit of each (setting, key) in ``wanted`` and say True; or, when any count
    passes its limit, give back what this call counted and say False. Counted before the action rather than
    checked first and counted after it: two requests at the same moment cannot both pass a limit that has
    room for one more (found in review: five emails at once to one address passed a limit of one).
    Unreachable when the storage cannot be reached (nothing is counted then)."""
    if not _enabled():
        return True
    counted: list[tuple[RateLimitItem, tuple[str, ...]]] = []
    try:
        for setting, key in wanted:
            for item in _limits(setting):
                within = limiter.limiter.hit(item, "engage", *key)
                counted.append((item, key))
                if not within:
                    _give_back(counted)
                    return False
    except UNREACHABLE as error:
        raise Unreachable from error
    return True


def give_back(wanted: Wanted) -> None:
    """Take back one count that :func:`take_all` made for each (setting, key) in ``wanted``, when the action
    it was counted for did not happen (logged and left when the storage cannot be reached)."""
    if not _enabled():
        return
    try:
        _give_back([(item, key) for setting, key in wanted for item in _limits(setting)])
    except UNREACHABLE:
        current_app.logger.exception("could not give back a count to the rate limiter's storage")


def _give_back(counted: list[tuple[RateLimitItem, tuple[str, ...]]]) -> None:
    for item, key in counted:
        limiter.limiter.hit(item, "engage", *key, cost=-1)  # the counter's INCRBY, by minus one


def take(setting: str, *key: str) -> bool:
    """Count one and say True, or say False (counting nothing) when a limit is already reached: counted
    first, as :func:`take_all` counts."""
    return take_all([(setting, key)])
