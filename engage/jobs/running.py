"""Running a person's job: claim it, report progress, keep its file, mark it done or failed; start again the
jobs a stopped worker left behind.

The job's row is changed in its own short transactions (a separate connection), never in the job's reading
session: the page sees progress while the job runs, and an export's long read (a server-side cursor on
PostgreSQL) is never cut by a commit. In immediate mode (tests) the job runs inside the request that asked
for it, so its row is changed in that request's session instead.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import current_app
from sqlalchemy import CursorResult, or_, select, update

from engage.database import utcnow
from engage.extensions import db
from engage.jobs import queue
from engage.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: A running job whose heartbeat is older than this was left by a worker that stopped; it is started again.
STALE_AFTER = timedelta(minutes=2)
#: Progress is written at most this often (seconds), and it doubles as the heartbeat.
PROGRESS_EVERY = 1.0
#: A job is tried at most this many times by workers (a person can still press "Try again").
MAX_ATTEMPTS = 3


class JobFailed(Exception):
    """The job cannot be done; its message is shown to the person who asked."""


def files_dir() -> Path:
    path = Path(current_app.config["ENGAGE_JOB_FILES_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _change(job_id: int, *conditions: Any, **values: Any) -> bool:
    """Update the job's row; True if a row matched. Committed at once unless the job runs in-process."""
    statement = update(Job).where(Job.id == job_id, *conditions).values(**values)
    if queue.immediate():
        changed = db.session.execute(statement, execution_options={"synchronize_session": "fetch"})
        return bool(cast(CursorResult, changed).rowcount)
    with db.engine.begin() as connection:
        return bool(connection.execute(statement).rowcount)


def claim(job_id: int) -> bool:
    """Mark the job running if it is waiting, or running but left by a stopped worker. Only one worker
    can claim it (one conditional update), so a job queued twice still runs once."""
    now = utcnow()
    waiting = or_(
        Job.status == JobStatus.QUEUED,
        (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < now - STALE_AFTER),
    )
    return _change(
        job_id,
        waiting,
        status=JobStatus.RUNNING,
        attempts=Job.attempts + 1,
        started_at=now,
        heartbeat_at=now,
        done=0,
        error=None,
    )


class Progress:
    """Counts what a job has done and writes it (and a heartbeat) at most once a second."""

    def __init__(self, job_id: int) -> None:
        self.job_id, self.done = job_id, 0
        self.total: int | None = None
        self._written = 0.0

    def expect(self, total: int) -> None:
        """Say how many steps the job will take (the progress bar's end)."""
        self.total = total
        _change(self.job_id, total=total)

    def step(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self._written >= PROGRESS_EVERY:
            self._written = time.monotonic()
            _change(self.job_id, done=self.done, heartbeat_at=utcnow())

    def counted(self, rows: Iterable[T]) -> Iterator[T]:
        """The rows, each counted as it passes."""
        for row in rows:
            yield row
            self.step()


def run(job_id: int, work: Callable[[Job, Progress, Path], str]) -> None:
    """Run one job: ``work(job, progress, path)`` writes its file at ``path`` and returns the name it is
    downloaded as. A failure is recorded on the job (its traceback in the log), never raised."""
    if not claim(job_id):
        return  # done, failed, deleted, or running on another worker
    job = db.session.get(Job, job_id)
    if job is None:
        return
    path = files_dir() / f"{job.id}-{secrets.token_hex(8)}"
    progress = Progress(job_id)
    try:
        file_name = work(job, progress, path)
    except Exception as error:
        path.unlink(missing_ok=True)
        message = str(error) if isinstance(error, JobFailed) else "Something went wrong while preparing it."
        logger.exception("job %s (%s) failed", job_id, job.kind)
        if not queue.immediate():
            db.session.rollback()
        _change(job_id, status=JobStatus.FAILED, error=message, finished_at=utcnow())
        return
    if not queue.immediate():
        db.session.rollback()  # the job only read; end its reading transaction
    _change(
        job_id,
        status=JobStatus.DONE,
        done=progress.done,
        total=progress.done,
        file_name=file_name,
        file_path=path.name,
        file_bytes=path.stat().st_size,
        finished_at=utcnow(),
        heartbeat_at=utcnow(),
    )
    logger.info("job %s (%s) done: %s, %s bytes", job_id, job.kind, file_name, path.stat().st_size)


def interrupted() -> list[int]:
    """Jobs a stopped worker left: running with no heartbeat for a while, or waiting long after they were
    asked for (their queue message lost), and not yet tried too often."""
    stale = utcnow() - STALE_AFTER
    return list(
        db.session.scalars(
            select(Job.id).where(
                Job.attempts < MAX_ATTEMPTS,
                or_(
                    (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < stale),
                    (Job.status == JobStatus.QUEUED) & (Job.created_at < stale),
                ),
            )
        )
    )


def give_up_on_stale() -> int:
    """Jobs started too often without finishing are marked failed, so their owner sees a retry button."""
    stale = utcnow() - STALE_AFTER
    statement = (
        update(Job)
        .where(Job.attempts >= MAX_ATTEMPTS, Job.status == JobStatus.RUNNING, Job.heartbeat_at < stale)
        .values(status=JobStatus.FAILED, error="It stopped before it finished.", finished_at=utcnow())
    )
    return cast(CursorResult, db.session.execute(statement)).rowcount or 0
