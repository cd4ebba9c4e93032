"""Anonymous respondents: a random token in a signed cookie, stored only as a hash.

The stored hash is of the token *and* the exercise, so one person's rows in two exercises cannot be linked.
What every kind of exercise's answers share is here too: finding a respondent, finding or creating them with
their row locked, the key an answer is stored under, and the refusal a resident is shown.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import literal, select
from werkzeug.wrappers import Response

from engage.channels import Channel
from engage.database import insert_of, table_of, utcnow
from engage.extensions import db
from engage.idempotency import submitter_key
from engage.prioritise.models import Respondent
from engage.signing import serializer

COOKIE_NAME = "engage_respondent"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def _serializer() -> URLSafeSerializer:
    return serializer(URLSafeSerializer, "engage-respondent")


def current_token() -> str | None:
    """The respondent token from this request's cookie, if it is there and untampered (its signature
    checked once per request: the rate limiter and the view both ask)."""
    environ = request.environ
    if _PARSED_COOKIE not in environ:
        environ[_PARSED_COOKIE] = _token_from_cookie(request.cookies.get(COOKIE_NAME))
    return environ[_PARSED_COOKIE]


def _signed(token: str) -> str:
    """The cookie's value for ``token``: the one this request came with when it holds the same token (its
    signature already checked), else signed now."""
    if token == current_token():
        return request.cookies[COOKIE_NAME]
    return _serializer().dumps(token)


_PARSED_COOKIE = "engage.respondent_token"


def _token_from_cookie(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) and len(token) >= 32 else None


def respondent_key() -> str:
    """Who a rate limit counts: the respondent's token, else (before they have one) their address."""
    return current_token() or request.remote_addr or "anonymous"


def token_or_new() -> tuple[str, bool]:
    """The request's token, or a new one; the flag says whether it is new (and must be set as a cookie)."""
    token = current_token()
    if token is not None:
        return token, False
    return secrets.token_urlsafe(32), True


def set_token_cookie(response: Response, token: str) -> Response:
    """Give the browser its respondent cookie (HttpOnly, SameSite=Lax, Secure when the app says so)."""
    app: Flask = current_app
    response.set_cookie(
        COOKIE_NAME,
        _signed(token),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def respondent_hash(token: str, scope: str) -> str:
    """What is stored: SHA-256 of the token within one scope (e.g. 'exercise:12')."""
    return hashlib.sha256(f"{scope}:{token}".encode()).hexdigest()


def address_hash(address: str | None) -> str | None:
    """A keyed hash of an IP address: equal for equal addresses, but not the address and not reversible
    without the app's secret key. For spotting many respondents from one place; never shown in full."""
    if not address:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"engage-address:{address}".encode(), hashlib.sha256).hexdigest()[:16]


class AnsweredExercise(Protocol):
    """What these need of an exercise: its id (the ORM row, or the pair pages' copy)."""

    @property
    def id(self) -> int: ...


class VoteRefused(Exception):
    """The answer (a vote, a budget, a ranking) was not recorded; ``message`` says why in words a resident
    understands, ``code`` which rule refused it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def respondent_scope(exercise: AnsweredExercise) -> str:
    return f"exercise:{exercise.id}"


def find_respondent(exercise: AnsweredExercise, token: str) -> Respondent | None:
    """The respondent with this cookie token in this exercise, if they have taken part."""
    digest = respondent_hash(token, respondent_scope(exercise))
    return db.session.scalar(
        select(Respondent).where(Respondent.exercise_id == exercise.id, Respondent.token_hash == digest)
    )


def stored_key(exercise: AnsweredExercise, token: str, idempotency_key: str) -> str:
    """What an answer's key is stored as: an HMAC of the key and the respondent's token, so a key only ever
    finds the same person's earlier answer."""
    return submitter_key(respondent_scope(exercise), token, idempotency_key)


@dataclass(frozen=True)
class LockedRespondent:
    id: int
    excluded: bool
    #: Choices made before this one (the row's counter, read under the lock).
    choices: int


@functools.cache
def locking_insert(dialect: str):
    """``lock_respondent``'s statement, built once per dialect (``insert_of``), sent with
    ``locking_values``. Every column with a default is given (none is left to SQLAlchemy to fill in), so
    the statement also works inside another (``submitting.submission_in_one_statement``)."""
    table = table_of(Respondent)
    names = ("exercise_id", "token_hash", "channel", "address_hash", "created_at")
    statement = insert_of(dialect, table, names).values(excluded_reason=literal(""), choices=literal(0))
    return statement.on_conflict_do_update(
        index_elements=["exercise_id", "token_hash"], set_={"choices": table.c.choices}
    ).returning(table.c.id, table.c.excluded_at, table.c.choices)


def locking_values(exercise: AnsweredExercise, token: str, channel: Channel) -> dict:
    """The parameters of ``locking_insert`` for this token's respondent in ``exercise``."""
    return {
        "exercise_id": exercise.id,
        "token_hash": respondent_hash(token, respondent_scope(exercise)),
        "channel": channel,
        "address_hash": address_hash(request.remote_addr) if has_request_context() else None,
        "created_at": utcnow(),
    }


def lock_respondent(exercise: AnsweredExercise, token: str, channel: Channel) -> LockedRespondent:
    """Find or create the respondent for this token in ONE statement (an insert that, when the row is
    there, updates nothing but locks it: ``ON CONFLICT DO UPDATE``), holding their row to the end of the
    transaction, so that their concurrent requests are counted one after another and a cap cannot be
    overrun. Two first requests at once (a double click) find the same row: PostgreSQL makes the second
    wait for the first; SQLite's BEGIN IMMEDIATE already runs one writer at a time."""
    statement = locking_insert(db.session.get_bind().dialect.name)
    row = db.session.execute(statement, locking_values(exercise, token, channel)).one()
    return LockedRespondent(row.id, row.excluded_at is not None, row.choices)
