"""Recording administrative actions.

Three ways in (each event is part of the action's transaction, so it is kept exactly when the action is):
every POST to a staff page that changed the database is recorded by a request hook (so a
new staff action is logged the day it is added; a form sent back with errors changed nothing and is not),
every staff download of answers is recorded as an export, and actions with more to say (sign-ins, role
changes, deletions by reference, server commands) call `record` themselves.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, g, has_request_context, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.paging import one_page
from engage.transactions import request_session

logger = logging.getLogger(__name__)

#: Staff downloads of answers or results (public downloads of published weights are not exports of data).
EXPORTS = {
    "prioritise.download",
    "surveys.responses_download",
    "workshops.report_download",
    "reports.organisation_download",
    "reports.board_download",
}

#: POSTs by signed-in staff that change nothing, or are recorded with more detail by their view.
NOT_RECORDED = {
    "accounts.sign_in",
    "accounts.sign_out",
    "accounts.reset_two_factor",
    "prioritise.allocation_total",
    # Recorded by the views themselves, with the counts entered (engage/workshops/views_paper.py).
    "workshops.paper",
    "workshops.correct_paper",
}
#: Tables whose writes are not the action's: the audit log itself, and a staff session's "last seen" time.
_BOOKKEEPING = ("audit_events", "staff_sessions")


def _actor() -> tuple[int | None, str]:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, "resident" if has_request_context() else "command line"


def record(action: str, target: str = "", detail: str = "", *, actor: str | None = None, status=None) -> None:
    """Add an event to the action's unit of work: it is kept exactly when the action is."""
    user_id, who = _actor()
    db.session.add(
        AuditEvent(
            user_id=user_id if actor is None else None,
            actor=(actor or who)[:255],
            action=action[:80],
            target=target[:200],
            detail=detail,
            status=status,
        )
    )


#: A statement that changes data: INSERT, UPDATE or DELETE, or a WITH whose parts do (PostgreSQL's
#: data-modifying CTEs: the pairwise vote is one, engage/prioritise/pairwise/statements.py). A WITH that
#: only reads is not a write.
WRITES = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE)\b|^\s*WITH\b.*?\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b",
    re.I | re.S,
)


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    """Count the request's changes to data (the audit row itself does not count)."""
    bookkeeping = any(table in statement[:40] for table in _BOOKKEEPING)
    if has_request_context() and WRITES.match(statement) and not bookkeeping:
        g.engage_wrote = g.get("engage_wrote", 0) + 1


def _note_savepoint(conn, name) -> None:
    """Remember how many changes the request had made when a savepoint began (savepoints nest: a stack;
    SQLAlchemy names the savepoint only after this event, so the name cannot be the key)..."""
    if has_request_context():
        g.setdefault("engage_wrote_at", []).append(g.get("engage_wrote", 0))


def _forget_undone_writes(conn, name, context) -> None:
    """...so that changes a rolled-back savepoint undid (a step refused part-way) do not count as done."""
    if has_request_context() and g.get("engage_wrote_at"):
        g.engage_wrote = g.engage_wrote_at.pop()


def _keep_writes(conn, name, context) -> None:
    """A released savepoint's changes stay part of the request's."""
    if has_request_context() and g.get("engage_wrote_at"):
        g.engage_wrote_at.pop()


def _target() -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted((request.view_args or {}).items()))


def _record_request(response: Response) -> Response:
    endpoint = request.endpoint or ""
    if g.get("engage_abandoned"):
        return response  # an error: the request's writes are being undone, so it did nothing to record
    session = request_session()
    if session is not None:
        session.flush()  # writes the view added but did not flush yet are part of what it did
    if not current_user.is_authenticated or response.status_code >= 400 or endpoint in NOT_RECORDED:
        return response
    if request.method == "POST" and request.path.startswith("/manage/") and g.get("engage_wrote"):
        record(endpoint, _target(), status=response.status_code)
    elif request.method == "GET" and endpoint in EXPORTS:
        record("export", f"{endpoint} {_target()}", status=response.status_code)
    return response


def events(page: int = 1, action: str | None = None, per_page: int = 100) -> Pagination:
    """The newest events first, one page at a time (a page past the end is the last page), with the total."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return one_page(query, page, per_page)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def _forget_writes() -> None:
    # g outlives a request when an app context was already pushed (tests, CLI); start each request clean.
    g.pop("engage_wrote", None)
    g.pop("engage_wrote_at", None)


def init_app(app: Flask) -> None:
    app.before_request(_forget_writes)
    app.after_request(_record_request)
    if not event.contains(Engine, "before_cursor_execute", _note_write):
        event.listen(Engine, "before_cursor_execute", _note_write)
        event.listen(Engine, "savepoint", _note_savepoint)
        event.listen(Engine, "rollback_savepoint", _forget_undone_writes)
        event.listen(Engine, "release_savepoint", _keep_writes)
