"""Anonymous respondents: a random token in a signed cookie, stored only as a hash.

The stored hash is of the token *and* the exercise, so one person's rows in two exercises cannot be linked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Flask, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

COOKIE_NAME = "engage_respondent"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="engage-respondent")


def current_token() -> str | None:
    """The respondent token from this request's cookie, if it is there and untampered (its signature
    checked once per request: the rate limiter and the view both ask)."""
    environ = request.environ
    if _PARSED_COOKIE not in environ:
        environ[_PARSED_COOKIE] = _token_from_cookie(request.cookies.get(COOKIE_NAME))
    return environ[_PARSED_COOKIE]


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
        _serializer().dumps(token),
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
