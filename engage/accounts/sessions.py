"""Staff sessions kept on the server, so that ending one really ends it.

Flask's session is a signed cookie: whoever holds a copy of it is whoever it names, until it expires. So the
cookie holds only a random token, and a row in ``staff_sessions`` (keyed by the token's SHA-256) says the
session is live. Every request looks the row up (Flask-Login's user loader calls :func:`signed_in_user`);
signing out deletes it, and a password change, an administrator's reset, deactivation, a role change or a
two-factor reset delete the person's other rows (or all of them), so a copied cookie stops working at once.

A session also ends after ``ENGAGE_STAFF_IDLE_MINUTES`` without a request and ``PERMANENT_SESSION_LIFETIME``
after it began, whatever the cookie says. Flask-Login's remember-me cookie is never issued; if one were sent,
the loader would still find no live session for it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import cast

from flask import current_app, g, session
from sqlalchemy import CursorResult, delete, or_, select
from sqlalchemy.orm import joinedload

from engage.accounts.models import StaffSession, User
from engage.database import utcnow
from engage.extensions import db

#: The key in Flask's session that holds the token.
SESSION_KEY = "engage_staff_session"
#: ``last_seen_at`` is written at most this often, so browsing does not write on every request.
SEEN_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["ENGAGE_STAFF_IDLE_MINUTES"])


def _lifetime() -> timedelta:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime)


def _expired(row: StaffSession, now: datetime) -> bool:
    return now - row.last_seen_at > _idle_limit() or now - row.created_at > _lifetime()


def start_session(user: User) -> str:
    """Record a new session for ``user`` and return its token (for the cookie; only its hash is kept).

    Sessions of anyone that have expired are deleted at the same time, so the table holds live ones only.
    """
    now = utcnow()
    idle, old = StaffSession.last_seen_at < now - _idle_limit(), StaffSession.created_at < now - _lifetime()
    expired = or_(idle, old)
    db.session.execute(delete(StaffSession).where(expired).execution_options(synchronize_session="fetch"))
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(user_id=user.id, token_hash=_hash(token), created_at=now, last_seen_at=now))
    db.session.flush()
    return token


def find_session(user_id: int, token: str | None) -> StaffSession | None:
    """The live session this token names for this user, or None (unknown, ended, expired, or the user
    cannot sign in). Notes the time it was used, at most once a minute."""
    if not token:
        return None
    query = select(StaffSession).where(StaffSession.token_hash == _hash(token))
    row = db.session.scalar(query.options(joinedload(StaffSession.user)))
    now = utcnow()
    if row is None or row.user_id != user_id or not row.user.active or _expired(row, now):
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
    return row


def end_session(row: StaffSession) -> None:
    """End one session (signing out)."""
    db.session.execute(delete(StaffSession).where(StaffSession.id == row.id))


def end_sessions(user: User, keep: StaffSession | None = None) -> int:
    """End every session of ``user`` except ``keep`` (the one making the change, when it is theirs).
    Returns how many ended."""
    query = delete(StaffSession).where(StaffSession.user_id == user.id)
    if keep is not None:
        query = query.where(StaffSession.id != keep.id)
    result = cast(CursorResult, db.session.execute(query.execution_options(synchronize_session="fetch")))
    db.session.expire(user, ["staff_sessions"])
    return result.rowcount


def live_sessions(user: User) -> list[StaffSession]:
    """The user's sessions that have not ended or expired, newest first."""
    now = utcnow()
    rows = db.session.scalars(
        select(StaffSession).where(StaffSession.user_id == user.id).order_by(StaffSession.created_at.desc())
    )
    return [row for row in rows if not _expired(row, now)]


# The web side: the token in Flask's session.


def signed_in_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, when the request's cookie names a live session of theirs."""
    if not user_id.isdigit():
        return None
    row = find_session(int(user_id), session.get(SESSION_KEY))
    if row is None:
        return None
    g.engage_staff_session = row
    return row.user


def remember_session(token: str) -> None:
    """Put a new session's token in the cookie."""
    session[SESSION_KEY] = token


def current_session() -> StaffSession | None:
    """The session of the request's signed-in user (after Flask-Login has loaded them)."""
    return g.get("engage_staff_session")


def forget_session() -> None:
    """Take the token out of the cookie (signing out)."""
    session.pop(SESSION_KEY, None)
    g.pop("engage_staff_session", None)
