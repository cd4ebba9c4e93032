"""Counting what a visitor may do in a window, beyond the per-route limits: a draft started, an email sent,
an API call before its token is checked. Settings hold the limits (``"10 per hour;30 per day"``); the counts
live in the rate limiter's storage (Redis when ``ENGAGE_REDIS_URL`` is set, shared by every worker), and
nothing is counted when rate limiting is off (the test suite's app, unless a test turns it on)."""

from __future__ import annotations

from flask import current_app
from limits import RateLimitItem, parse_many

from engage.extensions import limiter


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.enabled


def _limits(setting: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[setting])


def allows(setting: str, *key: str) -> bool:
    """Whether one more is within every limit of ``setting`` for ``key`` (nothing is counted)."""
    return not _enabled() or all(limiter.limiter.test(item, "engage", *key) for item in _limits(setting))


def count(setting: str, *key: str) -> None:
    """Count one against every limit of ``setting`` for ``key``."""
    if _enabled():
        for item in _limits(setting):
            limiter.limiter.hit(item, "engage", *key)


def take(setting: str, *key: str) -> bool:
    """Count one and say True, or say False (counting nothing) when a limit is already reached."""
    if not allows(setting, *key):
        return False
    count(setting, *key)
    return True
