"""Issuing, revoking and checking API tokens, and logging calls. Tokens are random, shown once, stored as a
SHA-256 hash (a token is 256 bits of randomness, so a plain hash is enough: nothing to guess)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select

from engage.accounts.models import Organisation, User
from engage.api import logger
from engage.api.models import ApiCall, ApiToken
from engage.database import utcnow
from engage.extensions import db

#: Every token starts with this, so a leaked one is easy to recognise (and to search for in code).
TOKEN_PREFIX = "engage_"  # noqa: S105 - a label, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(organisation: Organisation, name: str, user: User) -> tuple[ApiToken, str]:
    """A new token for ``organisation``: the stored row, and the token itself (never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        organisation=organisation,
        name=name.strip(),
        token_hash=_hash(token),
        prefix=token[:12],
        created_by=user,
    )
    db.session.add(row)
    db.session.flush()
    logger.info(
        "API token %s (%s) issued to organisation %s by user %s", row.id, row.prefix, organisation.id, user.id
    )
    return row, token


def revoke_token(token: ApiToken, user: User) -> None:
    """Stop a token working (from its next call); revoking it again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        logger.info("API token %s revoked by user %s", token.id, user.id)


def authenticate(token: str) -> ApiToken | None:
    """The live token matching ``token``, or None (unknown or revoked)."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def log_call(token: ApiToken | None, method: str, path: str, status: int) -> None:
    """One row per call; marks the token as used. Part of the caller's unit of work."""
    db.session.add(
        ApiCall(token_id=token.id if token else None, method=method, path=path[:500], status=status)
    )
    if token is not None:
        token.last_used_at = utcnow()
    db.session.flush()


def all_tokens() -> list[tuple[ApiToken, int]]:
    """Every token, newest first, with the number of calls made with it."""
    calls = select(ApiCall.token_id, func.count().label("calls")).group_by(ApiCall.token_id).subquery()
    rows = db.session.execute(
        select(ApiToken, func.coalesce(calls.c.calls, 0))
        .outerjoin(calls, calls.c.token_id == ApiToken.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return [(token, count) for token, count in rows]
