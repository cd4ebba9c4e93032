"""The job queue: one Huey instance, given its storage by the app that starts.

- on one machine (no ``ENGAGE_REDIS_URL``): ``instance/jobs.sqlite``, so ``make run`` needs nothing else;
- with ``ENGAGE_REDIS_URL``: Redis, shared by every host's web and worker processes;
- ``ENGAGE_JOBS_IMMEDIATE`` (the default in tests): a task runs in the caller's process when it is queued,
  and nothing needs a worker.

A task is queued only once the transaction that asked for it has committed (:func:`after_commit`): a worker
on another host must find the rows it is given. A task needing nothing from this request's transaction
(an email of a link stored earlier) is queued at once by :func:`queue_now`, which says whether it was.
"""

from __future__ import annotations

import functools
import logging
import time
import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from redis import ConnectionPool
from sqlalchemy import event
from sqlalchemy.orm import Session

from engage.extensions import db
from engage.redis_errors import unreachable

logger = logging.getLogger(__name__)

#: Results are kept in the database (jobs, cached_results), not in the queue.
huey = Huey("engage", results=False, immediate=True, storage_class=MemoryStorage)

#: The app a worker runs its tasks in (the one ``flask jobs worker`` loaded).
_worker_app: Flask | None = None


#: After the queue's Redis could not be reached (a connection refused, or no answer within the storage's
#: timeouts), this process queues no results refresh (engage.jobs.cache) for this many seconds. Every vote
#: and send asks for one, and each try would hold its request for the timeouts again: three calls (claim,
#: queue, give the claim back), 9 s in all with a Redis that never answers (found in review). A refresh
#: not queued is asked for again by the next answer or page. What a person asked for (a download, a mail)
#: is still tried each time: one timeout, for an action taken now and then.
PAUSE_AFTER_UNREACHABLE = 15.0

#: ``time.monotonic()`` until which this process queues no refresh (PAUSE_AFTER_UNREACHABLE).
_paused_until = 0.0


def configure(app: Flask) -> None:
    """Point the queue at this app's storage; a worker's tasks then run in this app."""
    global _worker_app, _paused_until
    _worker_app = app
    _paused_until = 0.0
    immediate = app.config["ENGAGE_JOBS_IMMEDIATE"]
    redis_url = app.config["ENGAGE_REDIS_URL"]
    if redis_url:
        options = app.config["ENGAGE_JOBS_REDIS_OPTIONS"]
        huey.storage_class, huey.storage_kwargs = TimedRedisStorage, {"url": redis_url, "options": options}
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": app.config["ENGAGE_JOBS_SQLITE"]}
    huey._immediate = immediate  # the setter would build the storage before it is chosen
    huey.storage = huey.create_storage()
    if not event.contains(Session, "after_commit", _queue_after_commit):
        event.listen(Session, "after_commit", _queue_after_commit)
        event.listen(Session, "after_rollback", _forget_after_rollback)


class TimedRedisStorage(RedisStorage):
    """Huey's Redis storage on connections with ``options`` (redis-py's: timeouts). Given a URL, huey makes
    its pool with no options at all, so a Redis that accepted connections and never answered held every
    caller for ever."""

    def __init__(self, *args: Any, url: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, connection_pool=ConnectionPool.from_url(url, **options), **kwargs)


def reopen_storage() -> None:
    """In a process forked from the one that configured the queue (gunicorn's workers, after the app was
    preloaded): open its own queue connection, never share the parent's (an SQLite queue's hung)."""
    if not huey.immediate:
        huey.storage = huey.create_storage()


def immediate() -> bool:
    return bool(huey.immediate)


def in_app(task: Callable[..., Any]) -> Callable[..., Any]:
    """Run a task's body inside the app: the worker's app, or the caller's when it runs in-process."""

    @functools.wraps(task)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return task(*args, **kwargs)
        if _worker_app is None:
            raise RuntimeError("the job queue was not configured by create_app")
        with _worker_app.app_context():
            try:
                return task(*args, **kwargs)
            finally:
                db.session.remove()

    return run


def after_commit(send: Callable[[], Any], committed: bool = False) -> None:
    """Queue a task once the current transaction commits (nothing is queued if it rolls back). In
    immediate mode the task runs now, inside this unit of work, so tests and ``ENGAGE_JOBS_IMMEDIATE``
    see its effect at once. ``committed``: what the task follows was committed already, outside the
    request's session (a statement that was a transaction by itself): queued now."""
    if immediate():
        send()
    elif committed:
        _queue(send)
    else:
        db.session().info.setdefault("engage_after_commit", []).append(send)


def queue_now(send: Callable[[], Any]) -> bool:
    """Queue a task at once, not after the request's transaction (what it needs was committed by an earlier
    request), and say whether it was queued: False when the queue could not be taken (logged), so the person
    who asked is told, never thanked for something that will not happen. Tried whatever :func:`paused`
    says: a person asked for it. In immediate mode the task runs now."""
    if immediate():
        send()
        return True
    return _queue(send)


def paused() -> bool:
    """Whether this process found the queue unreachable less than PAUSE_AFTER_UNREACHABLE seconds ago (no
    results refresh is queued meanwhile)."""
    return time.monotonic() < _paused_until


def _note_failure(error: BaseException) -> None:
    global _paused_until
    if unreachable(error):
        _paused_until = time.monotonic() + PAUSE_AFTER_UNREACHABLE


def _queue(send: Callable[[], Any]) -> bool:
    """Queue a task; False (logged) when the queue could not take it."""
    try:
        send()
    except Exception as error:  # a queue that cannot be reached must not fail the request that committed
        _note_failure(error)
        current_app.logger.exception("could not queue a background task")
        return False
    return True


def _queue_after_commit(session: Session) -> None:
    for send in session.info.pop("engage_after_commit", []):
        _queue(send)


def _forget_after_rollback(session: Session) -> None:
    session.info.pop("engage_after_commit", None)


#: Per queue storage (a new one per configure, and per forked worker): each mark this process claimed or
#: found claimed, with when it was claimed (``time.time()`` of the process that claimed it), as it last
#: learnt it. :func:`claimed_at` reads it without asking the storage.
_claims: weakref.WeakKeyDictionary[Any, dict[str, float]] = weakref.WeakKeyDictionary()


def claim(mark: str, stale_after: float) -> bool | None:
    """True for the first of all web processes and hosts to claim ``mark`` (in the queue's storage, which
    they share: Redis, or the SQLite file on one machine), until :func:`release` or, if that never comes
    (a job lost with a stopped worker), until the mark is ``stale_after`` seconds old. Two processes can
    both take over one stale mark; never two a fresh one. False: another holds it. None: the queue could
    not be reached (logged); whatever this try may have stored is this process's to take back
    (:func:`abandon`)."""
    now = time.time()
    try:
        if huey.put_if_empty(mark, now):
            return _noted(mark, now, True)
        since = huey.get(mark, peek=True)
        mine = _abandoned.get(huey.storage, {}).get(mark)
        if since is not None and now - float(since) < stale_after and float(since) != mine:
            _held.setdefault(huey.storage, {})[mark] = time.monotonic()
            return _noted(mark, float(since), False)
        # Stale, gone meanwhile, or this process's own claim that queued nothing: taken over.
        huey.delete(mark)
        return _noted(mark, now, bool(huey.put_if_empty(mark, now)))
    except Exception as error:
        _note_failure(error)
        logger.exception("could not reach the job queue to claim %s", mark)
        if unreachable(error):
            _abandon(mark, now)
        return None


def abandon(mark: str) -> None:
    """This process claimed ``mark`` but could not queue its task, nor reach the queue to give the claim
    back: its next :func:`claim` takes the mark over rather than waiting for it to go stale (found in
    review: a refresh was then held back for CLAIM_STALE_AFTER, half an hour)."""
    since = _claims.get(huey.storage, {}).pop(mark, None)
    if since is not None:
        _abandon(mark, since)


def _abandon(mark: str, since: float) -> None:
    _abandoned.setdefault(huey.storage, {})[mark] = since


def _noted(mark: str, since: float, claimed: bool) -> bool:
    _claims.setdefault(huey.storage, {})[mark] = since
    if claimed:
        _held.get(huey.storage, {}).pop(mark, None)
        _abandoned.get(huey.storage, {}).pop(mark, None)
    return claimed


#: Per queue storage: each mark this process may have left claimed with nothing queued (:func:`abandon`),
#: with the claim's time as it stored it.
_abandoned: weakref.WeakKeyDictionary[Any, dict[str, float]] = weakref.WeakKeyDictionary()


#: Per queue storage: each mark this process last found held by another's claim, with when it found it
#: (``time.monotonic()``).
_held: weakref.WeakKeyDictionary[Any, dict[str, float]] = weakref.WeakKeyDictionary()


def held_lately(mark: str, within: float) -> bool:
    """Whether this process found ``mark`` held by another's claim less than ``within`` seconds ago (without
    asking the queue's storage)."""
    since = _held.get(huey.storage, {}).get(mark)
    return since is not None and time.monotonic() < since + within


def claimed_at(mark: str) -> float | None:
    """When ``mark`` was claimed, as this process last learnt it from :func:`claim` (it may have been
    released since by another process), without asking the queue's storage; None when it has not."""
    return _claims.get(huey.storage, {}).get(mark)


def release(mark: str) -> None:
    """Let the next :func:`claim` of ``mark`` succeed."""
    _claims.get(huey.storage, {}).pop(mark, None)
    huey.delete(mark)
