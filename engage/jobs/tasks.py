"""The tasks a worker runs: people's exports, emails, results kept warm, and the schedule (retention,
backups, starting again what a stopped worker left, clearing old job files).

Every task body runs inside the app (:func:`engage.jobs.queue.in_app`) and, like a request or a command, is
one unit of work (engage/transactions.py); an export's row is changed apart from it (engage/jobs/running.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from huey import crontab
from sqlalchemy import select

from engage import mail
from engage.database import utcnow
from engage.extensions import db
from engage.jobs import exports, queue, running
from engage.jobs.models import Job, JobStatus
from engage.jobs.queue import huey, in_app
from engage.transactions import unit_of_work

logger = logging.getLogger(__name__)


@huey.task()
@in_app
def run_export(job_id: int) -> None:
    """Write a person's export (see engage/jobs/exports.py) or report (engage/reports/jobs.py)."""

    def work(job: Job, progress: running.Progress, path: Path) -> str:
        from engage.reports import jobs as report_jobs

        if job.kind == report_jobs.KIND:
            return report_jobs.write(job, progress, path)
        return exports.write(job.kind, job.params["target"], job.params["fmt"], progress, path, job.user)

    running.run(job_id, work)


@huey.task(retries=3, retry_delay=60)
@in_app
def send_mail(to: str, subject: str, body: str) -> None:
    """Send an email; the relay refusing is tried again three times, a minute apart."""
    mail.send(to, subject, body)


@huey.task()
@in_app
def refresh_results(subject: str, subject_id: int, name: str = "") -> None:
    """Compute an exercise's or consultation's results again after answers arrived (``name`` empty), or
    the results a page asked for (engage/jobs/cache.py). The mark that stops a second copy being queued is
    released as the one queued for new answers starts (answers arriving during it queue the next) and as
    one a page asked for ends (pages polling meanwhile queue nothing)."""
    from engage.jobs.cache import refresh, refresh_mark

    mark = refresh_mark(subject, subject_id, name)
    if not name:
        queue.release(mark)
    try:
        with unit_of_work():
            refresh(subject, subject_id, name)
    finally:
        if name:
            queue.release(mark)


def _once_today(name: str) -> bool:
    """True for the first worker to ask today: with several hosts sharing Redis, each scheduled job runs
    once a day, not once per worker."""
    return bool(huey.put_if_empty(f"ran:{name}:{utcnow():%Y-%m-%d}", "1"))


#: When the nightly jobs run (UTC). This schedule is the only one: the deploy recipe has no systemd timers
#: (docs/deploy.md, "Retention and backups").
RETENTION_AT, BACKUP_AT = time(2, 15), time(2, 45)


def _due(name: str, at: time, now: datetime | None = None) -> bool:
    """Whether a nightly job should run now: it is past its time today and no worker has run it today.
    Each is asked every hour, so a night missed while the worker was stopped runs within the hour of the
    worker starting again (what systemd's Persistent= timers gave)."""
    return (now or utcnow()).time() >= at and _once_today(name)


@huey.periodic_task(crontab(minute=str(RETENTION_AT.minute)))
@in_app
def scheduled_retention() -> None:
    """Delete personal data past its retention period (docs/privacy.md), every night from 02:15 UTC."""
    from engage.audit import service as audit
    from engage.privacy.retention import apply_retention

    if not _due("retention", RETENTION_AT):
        return
    with unit_of_work():
        report = apply_retention()
        if report.total:
            audit.record("retention", detail=repr(report))
    logger.info("scheduled retention: %r", report)


@huey.periodic_task(crontab(minute=str(BACKUP_AT.minute)))
@in_app
def scheduled_backup() -> None:
    """A backup of the database every night from 02:45 UTC into ``ENGAGE_BACKUP_DIR``, keeping the newest
    ``ENGAGE_BACKUP_KEEP``."""
    if not _due("backup", BACKUP_AT):
        return
    make_backup()


def make_backup() -> Path:
    """One backup into the backup folder, the oldest beyond the number kept deleted."""
    from engage.audit import service as audit
    from engage.backup.service import backup

    folder = Path(current_app.config["ENGAGE_BACKUP_DIR"])
    written = backup(folder / f"engage-{datetime.now(UTC):%Y%m%d-%H%M%S}.backup")
    kept = sorted(folder.glob("engage-*.backup"))
    for old in kept[: max(0, len(kept) - current_app.config["ENGAGE_BACKUP_KEEP"])]:
        old.unlink()
    with unit_of_work():
        audit.record("backup", str(written), "scheduled")
    logger.info("scheduled backup written: %s (%s bytes)", written, written.stat().st_size)
    return written


@huey.periodic_task(crontab(minute="*"))
@in_app
def restart_interrupted() -> None:
    """Every minute: queue again the exports a stopped worker left, and give up on those tried too often."""
    restart_left_jobs()


def restart_left_jobs() -> list[int]:
    with unit_of_work():
        running.give_up_on_stale()
        left = running.interrupted()
    for job_id in left:
        logger.warning("job %s was left unfinished by a worker that stopped: starting it again", job_id)
        run_export(job_id)
    return left


@huey.periodic_task(crontab(minute="30", hour="*"))
@in_app
def clear_old_files() -> None:
    """Every hour: delete finished jobs (and their files) older than ``ENGAGE_JOB_FILE_DAYS``."""
    delete_old_jobs()


def delete_old_jobs(now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["ENGAGE_JOB_FILE_DAYS"])
    with unit_of_work():
        old = db.session.scalars(
            select(Job).where(Job.created_at < cutoff, Job.status.in_([JobStatus.DONE, JobStatus.FAILED]))
        ).all()
        for job in old:
            if job.file_path:
                (running.files_dir() / job.file_path).unlink(missing_ok=True)
            db.session.delete(job)
    return len(old)
