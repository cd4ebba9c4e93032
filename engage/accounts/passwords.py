"""Password hashing with argon2id (argon2-cffi's recommended parameters).

The test suite's app (``ENGAGE_ENV=testing``) hashes with argon2's cheapest parameters instead: hundreds of
sign-ins per run would otherwise spend most of the suite's time in argon2. Nothing else may choose them.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 12


@cache
def _hasher_and_dummy(for_tests: bool) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if for_tests else PasswordHasher()
    #: Checked against when the email is unknown, so a wrong email and a wrong password take the same time.
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> tuple[PasswordHasher, str]:
    for_tests = has_app_context() and current_app.config.get("ENGAGE_ENV") == "testing"
    return _hasher_and_dummy(for_tests)


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches the stored hash (timing is the same when there is no hash)."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher()[0].check_needs_rehash(password_hash)
