"""Issuing, revoking and checking API tokens, and logging calls. Tokens are random, shown once, stored as a
SHA-256 hash (a token is 256 bits of randomness, so a plain hash is enough: nothing to guess)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Integer, func, select, type_coerce

from engage.accounts.models import Organisation, User
from engage.api import logger
from engage.api.models import ApiCall, ApiToken, TokenScope
from engage.database import utcnow
from engage.extensions import db

#: Every token starts with this, so a leaked one is easy to recognise (and to search for in code).
TOKEN_PREFIX = "engage_"  # noqa: S105 - a label, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: How long a new token may work, in days (the administrator chooses; 90 unless they say otherwise).
LIFETIMES = (30, 90, 180, 365)
DEFAULT_LIFETIME = 90


def issue_token(
    organisation: Organisation,
    name: str,
    user: User,
    days: int = DEFAULT_LIFETIME,
    scope: TokenScope = TokenScope.READ,
) -> tuple[ApiToken, str]:
    """A new token for ``organisation`` that works for ``days`` and may ``scope`` (read, or also write its
    indicators' values): the stored row, and the token itself (never stored)."""
    if days not in LIFETIMES:
        raise ValueError(f"a token lasts one of {LIFETIMES} days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        organisation=organisation,
        name=name.strip(),
        token_hash=_hash(token),
        prefix=token[:12],
        created_by=user,
        expires_at=utcnow() + timedelta(days=days),
        scope=scope,
    )
    db.session.add(row)
    db.session.flush()
    logger.info(
        "API token %s (%s, %s) issued to organisation %s by user %s",
        row.id,
        row.prefix,
        scope.value,
        organisation.id,
        user.id,
    )
    return row, token


def revoke_token(token: ApiToken, user: User) -> None:
    """Stop a token working (from its next call); revoking it again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        logger.info("API token %s revoked by user %s", token.id, user.id)


def authenticate(token: str) -> ApiToken | None:
    """The live token matching ``token``, or None (unknown, revoked or expired)."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row


def log_call(token: ApiToken, method: str, path: str, status: int) -> None:
    """One row per call made with a valid token, answered or refused; marks the token as used. Part of the
    caller's unit of work. Calls without a valid token write nothing (docs/security.md)."""
    db.session.add(ApiCall(token_id=token.id, method=method, path=path[:500], status=status))
    token.last_used_at = utcnow()
    db.session.flush()


def all_tokens() -> list[tuple[ApiToken, int]]:
    """Every token, newest first, with the number of calls made with it."""
    calls = select(ApiCall.token_id, func.count().label("calls")).group_by(ApiCall.token_id).subquery()
    rows = db.session.execute(
        select(ApiToken, func.coalesce(type_coerce(calls.c.calls, Integer), 0))
        .outerjoin(calls, calls.c.token_id == ApiToken.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return [(token, count) for token, count in rows]
