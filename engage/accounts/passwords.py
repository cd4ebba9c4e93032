"""Password rules and hashing with argon2id (argon2-cffi's recommended parameters).

The rules (NIST SP 800-63B and OWASP ASVS 4 V2.1): at least 12 characters and at most 128, any characters
at all; not one of the 30,000 most common passwords (the list zxcvbn ships, from real leaks), nor one of
them with digits or symbols added, letters swapped for look-alikes or repeated; not containing the
person's email name or the service's name; and hard enough to guess by zxcvbn's estimate (score 3: about
10^8 guesses or more). No rules about mixing upper case, digits and symbols: they make passwords harder to
remember, not to guess.

The test suite's app (``ENGAGE_ENV=testing``) hashes with argon2's cheapest parameters instead: hundreds of
sign-ins per run would otherwise spend most of the suite's time in argon2. Nothing else may choose them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
#: Long enough for any passphrase or password manager (ASVS 2.1.2 asks for 64 at least).
MAX_LENGTH = 128
#: zxcvbn's score out of 4 a new password must reach (3: "safely unguessable", about 10^8 guesses).
MIN_SCORE = 3
#: zxcvbn reads at most this many characters (its own limit); what follows only makes a password stronger.
_ESTIMATE_LENGTH = 72

_LOOK_ALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS = re.compile(r"[\W_]+")


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, from the list the zxcvbn package ships (read once, offline)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _forms(password: str) -> set[str]:
    """The password as people vary a common one: lower case, without spaces, digits or symbols around it,
    with look-alike characters read as letters, and one unit of a repeat ("passwordpassword")."""
    plain = password.lower().replace(" ", "")
    forms = {plain, plain.translate(_LOOK_ALIKES)}
    forms |= {_EDGES.sub("", form) for form in list(forms)}
    for form in list(forms):
        for size in range(1, len(form) // 2 + 1):
            if len(form) % size == 0 and form[:size] * (len(form) // size) == form:
                forms.add(form[:size])
                break
    return {form for form in forms if form}


def is_common(password: str) -> bool:
    """True when the password is a common one, or a common one with the usual changes."""
    return bool(_forms(password) & _common_passwords())


def _words(text: str) -> list[str]:
    return [word for word in _SEPARATORS.split(text.lower()) if len(word) >= 4]


def _squash(text: str) -> str:
    """Lower case, no spaces or symbols, look-alike characters as letters: "Eng@ge 2026" -> "engageao26"."""
    return _SEPARATORS.sub("", text.lower().translate(_LOOK_ALIKES))


def password_problem(password: str, *, email: str = "", names: Iterable[str] = ()) -> str | None:
    """What is wrong with ``password`` as a new password for the person with this email, as a sentence for
    the form (None when it will do). ``names`` are context words it must not contain either (the service's
    name)."""
    if len(password) < MIN_LENGTH:
        return str(_l("Password must be at least %(n)s characters", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Password must be %(n)s characters or fewer", n=MAX_LENGTH))
    squashed = _squash(password)
    local_part = email.split("@", 1)[0].lower()
    email_words = {_squash(word) for word in (local_part, *_words(local_part))}
    if any(len(word) >= 3 and word in squashed for word in email_words):
        return str(_l("Password must not contain the part of the email address before the @"))
    for name in names:
        if len(_squash(name)) >= 3 and _squash(name) in squashed:
            return str(_l("Password must not contain the name of the service (%(name)s)", name=name))
    if is_common(password):
        return str(
            _l(
                "This is one of the most common passwords, or one with a few changes. Choose one that is "
                "harder to guess, for example 3 or 4 random words"
            )
        )
    from zxcvbn import zxcvbn

    context = [local_part, *_words(local_part), *(name for name in names if name)]
    estimate = zxcvbn(password[:_ESTIMATE_LENGTH], user_inputs=context)
    if estimate["score"] < MIN_SCORE:
        warning = estimate["feedback"]["warning"]
        reason = f" ({warning.rstrip('.')})" if warning else ""
        return str(
            _l(
                "This password would be too easy to guess%(reason)s. Choose a longer one, for example 3 or 4 "
                "random words",
                reason=reason,
            )
        )
    return None


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
