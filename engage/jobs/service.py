"""Asking for a job and trying a failed one again (part of the request's unit of work; the job is queued
once it commits)."""

from __future__ import annotations

from sqlalchemy import select

from engage.accounts.models import User
from engage.extensions import db
from engage.jobs import queue
from engage.jobs.exports import EXPORTS
from engage.jobs.models import Job, JobStatus


def _queue(job: Job) -> None:
    from engage.jobs.tasks import run_export

    job_id = job.id
    queue.after_commit(lambda: run_export(job_id))


def start_job(user: User, kind: str, params: dict, title: str) -> Job:
    """A new job for ``user`` (an export, or a report: engage/reports/jobs.py), queued when the request
    commits."""
    job = Job(user_id=user.id, kind=kind, params=params, title=title)
    db.session.add(job)
    db.session.flush()
    _queue(job)
    return job


def start_export(user: User, kind: str, subject: object, fmt: str) -> Job:
    """A new export job for ``user``, queued when the request commits."""
    params = {"target": subject.id, "fmt": fmt}  # type: ignore[attr-defined]
    return start_job(user, kind, params, EXPORTS[kind].describe(subject, fmt))


def retry(job: Job) -> None:
    """Start a failed job again from the beginning."""
    job.status, job.error, job.done, job.total, job.attempts = JobStatus.QUEUED, None, 0, None, 0
    job.finished_at = None
    db.session.flush()
    _queue(job)


def jobs_of(user: User, limit: int = 50) -> list[Job]:
    """The person's own jobs, newest first."""
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.user_id == user.id)
            .order_by(Job.created_at.desc(), Job.id.desc())
            .limit(limit)
        )
    )
