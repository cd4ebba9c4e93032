"""Throttling sign-in per account, on top of the per-address limit on the sign-in views.

Counts live in the rate limiter's storage (Redis when ``ENGAGE_REDIS_URL`` is set), so every worker and host
sees the same counts. Only failures count.

- **Passwords**: ``ENGAGE_SIGN_IN_ACCOUNT_LIMIT`` failures for one email address, from any address, and that
  email's sign-in is refused until the window ends. Emails that match no account are counted the same way,
  and the message is the same, so it says nothing about whether an account exists. The key is a hash of
  the email, never the email itself.
- **Lock-out by strangers**: anyone who knows a colleague's email could keep their account locked. So a
  browser that has signed in to the account before holds a signed *device cookie*, and its failures are
  counted in an allowance of its own (OWASP's "device cookies"): strangers' guesses use up only the shared
  allowance, and the owner signs in from their usual browser as normal.
- **Two-factor codes**: ``ENGAGE_SIGN_IN_CODE_LIMIT`` wrong codes per account (only someone with the
  password gets this far), then code entry is refused for the window.

The limits are off when rate limiting is (``ENGAGE_RATELIMIT_ENABLED=false``, and in the test suite's app
unless a test turns them on).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse_many

from engage.accounts.models import User
from engage.extensions import limiter
from engage.signing import serializer

#: The device cookie, and how long it is honoured after the sign-in that set it.
DEVICE_COOKIE = "engage_device"
DEVICE_DAYS = 180


@dataclass(frozen=True)
class Allowance:
    """Which count an attempt uses: its limits and its key in the limiter's storage."""

    setting: str
    key: tuple[str, ...]

    @property
    def limits(self) -> list[RateLimitItem]:
        return parse_many(current_app.config[self.setting])


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.enabled


def account_key(email: str) -> str:
    """An email (trimmed, any case) as a key: a hash, so the limiter's storage holds no email addresses."""
    return hashlib.sha256(f"engage-sign-in:{email.strip().lower()}".encode()).hexdigest()[:32]


def _device_serializer() -> URLSafeTimedSerializer:
    return serializer(URLSafeTimedSerializer, "engage-device")


def device_cookie(user: User) -> str:
    """A new device cookie's value for a browser that has just signed in as ``user``."""
    return _device_serializer().dumps({"a": account_key(user.email), "n": secrets.token_urlsafe(12)})


def _device_nonce(cookie: str | None, email: str) -> str | None:
    if not cookie:
        return None
    try:
        data = _device_serializer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account_key(email):
        return None
    return str(data.get("n", ""))[:32] or None


def password_allowance(email: str, cookie: str | None) -> Allowance:
    """The count a password attempt for ``email`` uses: this browser's own when its device cookie was set
    by signing in to that account, else the account's shared one."""
    nonce = _device_nonce(cookie, email)
    key = ("account", account_key(email)) + ((nonce,) if nonce else ())
    return Allowance("ENGAGE_SIGN_IN_ACCOUNT_LIMIT", key)


def code_allowance(user: User) -> Allowance:
    """The count of wrong two-factor codes for ``user``."""
    return Allowance("ENGAGE_SIGN_IN_CODE_LIMIT", ("code", str(user.id)))


def wait_seconds(allowance: Allowance) -> int:
    """0 when an attempt may go ahead; otherwise how many seconds until it may."""
    if not _enabled():
        return 0
    strategy = limiter.limiter
    waits = [
        strategy.get_window_stats(item, "engage", *allowance.key).reset_time - time.time()
        for item in allowance.limits
        if not strategy.test(item, "engage", *allowance.key)
    ]
    return max(1, math.ceil(max(waits))) if waits else 0


def note_failure(allowance: Allowance) -> None:
    """Count a failed attempt."""
    if _enabled():
        for item in allowance.limits:
            limiter.limiter.hit(item, "engage", *allowance.key)


def forget_failures(allowance: Allowance) -> None:
    """Clear the count after a success."""
    if _enabled():
        for item in allowance.limits:
            limiter.limiter.clear(item, "engage", *allowance.key)


def minutes(seconds: int) -> int:
    """Seconds as whole minutes for a message, rounded up."""
    return max(1, math.ceil(seconds / 60))
