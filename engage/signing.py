"""The app's itsdangerous serializers, made once per secret key and salt rather than on every use.

A serializer holds nothing but its key, salt and settings, so one can be shared by every thread. Making one
checks its JSON serializer by dumping an empty object: about 5 microseconds, which a vote paid three times
(its respondent cookie, the pair offer it checks and the one it signs)."""

from __future__ import annotations

import functools
from typing import Any, TypeVar, cast

from flask import current_app

S = TypeVar("S")


def serializer(kind: type[S], salt: str) -> S:
    """A ``kind`` (URLSafeSerializer, URLSafeTimedSerializer...) for the app's secret key and ``salt``."""
    made: Any = kind  # a class is hashable: the cache is keyed by it
    return cast(S, _made(made, current_app.config["SECRET_KEY"], salt))


@functools.lru_cache(maxsize=32)
def _made(kind: Any, secret: str, salt: str) -> Any:
    return kind(secret, salt=salt)
