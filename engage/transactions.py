"""One transaction per action.

Services only ``flush()``: they never commit or roll back. Whatever runs the action owns its transaction and
ends it once:

- a web request commits when its view has returned a response, and rolls back when anything raised (the
  error handlers call :func:`abandon`);
- a command-line command commits when it returns and rolls back when it raises (:func:`one_unit_of_work`);
- a background job does the same around the job (:func:`unit_of_work`).

A multi-step action that may be refused part-way (a paper sheet whose 11th pair breaks the per-person cap,
an import whose 40th row clashes) runs its steps inside :func:`atomic`, so when a step raises, nothing of the
action remains even though the view catches the error and shows it on the form: a savepoint, or, when the
action is its transaction's first write, a rollback of the whole transaction (which then undoes exactly the
action).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask, Response, current_app, g, has_request_context
from flask.cli import ScriptInfo
from sqlalchemy import event
from sqlalchemy.orm import Session

from engage.database import intend_to_write, rollback_undoes_writes, wrote_in_transaction
from engage.extensions import db

logger = logging.getLogger(__name__)


@contextmanager
def atomic() -> Iterator[None]:
    """All or nothing: the block's writes stand together, or (when it raises) none of them remains.

    A savepoint inside the action's transaction; the exception goes on to the caller. Usable as
    ``with atomic():`` or as a decorator, ``@atomic()``.

    When the transaction has written nothing before the block (a resident's answer is the first and only
    write of its request) and the block is not inside a savepoint of the caller's, a failure rolls the whole
    transaction back instead: that undoes exactly the block, without the savepoint's statements on every
    success (two round trips on PostgreSQL). The objects the session holds are then read again when next
    used, and the request's count of its changes (for the audit log) goes back to what it was, as a
    savepoint's rollback leaves it. A lock taken by a read before the block (``SELECT ... FOR UPDATE``) would
    be let go by that rollback: no caller takes one before its block. Only where a rollback undoes the
    block's writes (``rollback_undoes_writes``): on SQLite outside a request, a session may write with no
    transaction begun (each statement its own), which only a savepoint undoes.
    """
    session = db.session()
    session.flush()  # as a savepoint begins: objects added before the block are written before it
    connection = session.connection()
    if (
        session.in_nested_transaction()
        or wrote_in_transaction(connection)
        or not rollback_undoes_writes(connection)
    ):
        with session.begin_nested():
            yield
        return
    counted = g.get("engage_wrote", 0) if has_request_context() else 0
    try:
        yield
        session.flush()  # as a savepoint ends: what the block added is written, inside it
    except BaseException:
        session.rollback()
        if has_request_context():
            g.engage_wrote = counted
        raise


def abandon() -> None:
    """Undo the current request's writes: the error handlers call this, so an error page commits nothing."""
    db.session.rollback()
    g.engage_abandoned = True


def commit_before_rendering() -> None:
    """End the request's unit of work now, once, before a page that only reads is rendered (its own commit
    at the end then finds nothing to do). For a view that writes, then renders a page from what it has
    already read: on SQLite the write lock is then held for the writes, not the rendering too. Nothing to
    end when the request has not begun a transaction (a vote stored on its own committed itself): then no
    session is made for it."""
    session = begun_session()
    if session is not None:
        session.commit()


def _commit_the_request(response: Response) -> Response:
    """Commit what the request did, once, after every other ``after_request`` hook has added its part.

    Registered first, so Flask (which runs app-wide hooks in reverse order) runs it last: the audit log's
    row for the action is in the same transaction as the action.
    """
    abandoned = g.pop("engage_abandoned", False)
    session = begun_session()
    if session is None:
        # Nothing begun since the last commit or rollback (or no session at all: a request that never
        # used the database): nothing to end. A change to an object begins a transaction itself
        # (SQLAlchemy's autobegin), so none is left behind. Committing anyway began and ended an empty
        # transaction, with its events, about 40 microseconds of every vote; making the session, another
        # 40 of a health check.
        return response
    if abandoned:
        session.rollback()
    else:
        session.commit()
    return response


def request_session() -> Session | None:
    """The request's database session, or None when nothing in the request has used it yet (without
    making one: ``db.session`` itself would)."""
    registry = db.session.registry
    return registry() if registry.has() else None


def begun_session() -> Session | None:
    """The request's database session when it has begun a transaction (a read, a write, or an object added
    begins one), else None: made by nothing here."""
    session = request_session()
    return session if session is not None and session.in_transaction() else None


def _uncommitted_writes_check(error: BaseException | None) -> None:
    """Writes left uncommitted at the end of a request are lost: say so loudly (a test fails on it)."""
    session = request_session()
    if error is None and session is not None and session.info.pop("engage_flushed", False):
        message = "the request wrote to the database after its unit of work ended; those writes are lost"
        logger.error(message)
        session.rollback()
        if current_app.testing:
            raise AssertionError(message)


def _note_flush(session: Session, flush_context: Any) -> None:
    session.info["engage_flushed"] = True


def _forget_flush(session: Session) -> None:
    session.info.pop("engage_flushed", None)


def _forget_flush_on_rollback(session: Session, previous_transaction: Any) -> None:
    if not previous_transaction.nested:  # undoing a savepoint leaves the rest of the transaction's writes
        session.info.pop("engage_flushed", None)


def _start_clean() -> None:
    # g outlives a request when an app context was already pushed (tests, commands): start each one clean.
    for name in ("engage_abandoned", "engage_csrf_form_refused"):
        g.pop(name, None)


def init_app(app: Flask) -> None:
    """Commit each request at its end. Call before anything else registers an ``after_request`` hook."""
    app.before_request(_start_clean)
    app.after_request(_commit_the_request)
    app.teardown_request(_uncommitted_writes_check)
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "after_commit", _forget_flush)
        event.listen(Session, "after_soft_rollback", _forget_flush_on_rollback)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Around a command or a job: commit at the end, roll back if anything raised (and re-raise).

    On SQLite the transaction takes the write lock when it begins, as a request that posts does.
    """
    with intend_to_write():
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def one_unit_of_work(command: click.Command) -> click.Command:
    """Make a click command one unit of work: it commits when it returns and rolls back when it raises.

    The app context is pushed here (``with_appcontext`` then reuses it), so the command's session and the
    commit's are the same.
    """
    callback = command.callback
    if callback is None:
        return command

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        if not current_app:
            ctx.with_resource(ctx.ensure_object(ScriptInfo).load_app().app_context())
        with unit_of_work():
            return callback(*args, **kwargs)

    command.callback = run
    return command
