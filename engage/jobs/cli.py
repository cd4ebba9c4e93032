"""``flask --app engage jobs ...``: the worker, and the scheduled jobs run by hand."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from huey import signals
from sqlalchemy import func, select, update

from engage.extensions import db
from engage.jobs.models import Job, JobStatus
from engage.jobs.queue import huey

logger = logging.getLogger(__name__)
jobs_cli = AppGroup("jobs", help="Background jobs: the worker, and the scheduled jobs run by hand.")


@jobs_cli.command("worker")
@click.option("--threads", default=2, show_default=True, help="Jobs run at once by this worker.")
def worker_command(threads: int) -> None:
    """Take jobs from the queue and run them, with the schedule (retention, backups, old files)."""
    from engage.jobs.tasks import restart_left_jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["ENGAGE_JOBS_IMMEDIATE"]:
        raise click.ClickException("ENGAGE_JOBS_IMMEDIATE is set: jobs run in the web process, not here.")
    where = "Redis" if app.config["ENGAGE_REDIS_URL"] else huey.storage_kwargs["filename"]
    logger.info("job worker starting: %s threads, queue in %s", threads, where)
    restart_left_jobs()
    huey.signal(signals.SIGNAL_INTERRUPTED)(_interrupted)
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()


def _interrupted(signal: str, task: Any) -> None:
    """The worker is stopping mid-export: mark the job as left, so the next worker to start runs it at once
    (a worker that is killed outright is noticed from its heartbeat instead)."""
    if task.name.endswith("run_export") and task.args:
        with current_app.app_context(), db.engine.begin() as connection:
            connection.execute(
                update(Job)
                .where(Job.id == task.args[0], Job.status == JobStatus.RUNNING)
                .values(heartbeat_at=datetime(2000, 1, 1, tzinfo=UTC))
            )


@jobs_cli.command("status")
def status_command() -> None:
    """How many jobs are waiting, running, done and failed."""
    counts = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    click.echo(", ".join(f"{status.value} {counts.get(status, 0)}" for status in JobStatus))


@jobs_cli.command("restart-left")
def restart_left_command() -> None:
    """Queue again the exports a stopped worker left unfinished (the worker does this every minute)."""
    from engage.jobs.tasks import restart_left_jobs

    click.echo(f"Queued again: {len(restart_left_jobs())} jobs.")


@jobs_cli.command("clear-old")
def clear_old_command() -> None:
    """Delete finished jobs and their files older than ENGAGE_JOB_FILE_DAYS (the worker does this hourly)."""
    from engage.jobs.tasks import delete_old_jobs

    click.echo(f"Deleted {delete_old_jobs()} old jobs.")


@jobs_cli.command("backup")
def backup_now_command() -> None:
    """Make the scheduled backup now, into ENGAGE_BACKUP_DIR (the worker does this nightly)."""
    from engage.jobs.tasks import make_backup

    click.echo(f"Wrote {make_backup()}.")
