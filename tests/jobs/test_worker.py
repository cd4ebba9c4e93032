"""The worker: `flask --app engage jobs worker` takes queued jobs, and a job that a stopped worker left is
finished by the next one (a job survives a worker restart). Also what is queued only after a commit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engage.database import utcnow
from engage.extensions import db
from engage.jobs import queue, service
from engage.jobs.models import Job, JobStatus
from engage.surveys.models import ConsultationResponse
from tests.surveys.test_consultations import respond

ROOT = Path(__file__).resolve().parents[2]


def _worker(settings: dict, database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "ENGAGE_ENV": "testing",
        "ENGAGE_DATABASE_URL": database_url,
        "ENGAGE_JOBS_IMMEDIATE": "0",
        "ENGAGE_JOBS_SQLITE": settings["ENGAGE_JOBS_SQLITE"],
        "ENGAGE_JOB_FILES_DIR": settings["ENGAGE_JOB_FILES_DIR"],
        "ENGAGE_LOG_FORMAT": "text",
    }
    env.pop("ENGAGE_REDIS_URL", None)
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.Popen(
        [flask, "--app", "engage", "jobs", "worker", "--threads", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_until_done(job_ids: list[int], seconds: float = 60) -> dict[int, Job]:
    deadline = time.monotonic() + seconds
    while True:
        db.session.expire_all()
        jobs = {job.id: job for job in db.session.scalars(select(Job).where(Job.id.in_(job_ids)))}
        if all(job.finished for job in jobs.values()) or time.monotonic() > deadline:
            db.session.rollback()
            return jobs
        db.session.rollback()
        time.sleep(0.3)


@pytest.mark.real_commits
def test_a_job_survives_a_worker_restart(queued_app, client, make_consultation, hwb, officer):
    real, settings = queued_app
    consultation = make_consultation()
    respond(client, consultation, hwb)
    assert db.session.scalar(select(ConsultationResponse.id)) is not None
    with real.test_request_context("/"):
        # One taken by a worker that was killed half-way: its queue message is gone, its row says
        # "running" and its heartbeat has stopped.
        left = service.start_export(officer, "consultation_responses", consultation, "xlsx")
        db.session.commit()
        assert len(queue.huey) == 1
        queue.huey.flush()
        left.status, left.attempts, left.done = JobStatus.RUNNING, 1, 1
        left.heartbeat_at = left.started_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
        # One asked for while no worker runs: it waits in the queue (the queue is a file).
        waiting = service.start_export(officer, "consultation_responses", consultation, "csv")
        db.session.commit()
        assert waiting.status is JobStatus.QUEUED and len(queue.huey) == 1
        waiting_id, left_id = waiting.id, left.id
    database_url = real.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()

    worker = _worker(settings, database_url)  # the worker starting again
    try:
        jobs = _wait_until_done([waiting_id, left_id])
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert all(job.status is JobStatus.DONE for job in jobs.values()), output
    assert jobs[left_id].attempts == 2 and "was left unfinished" in output
    files = Path(settings["ENGAGE_JOB_FILES_DIR"])
    text = (files / jobs[waiting_id].file_path).read_text(encoding="utf-8")
    assert text.startswith("response,submitted_at") and len(text.splitlines()) == 2
    assert (files / jobs[left_id].file_path).read_bytes()[:2] == b"PK"  # a workbook (a zip)


def test_nothing_is_queued_until_the_request_commits(queued_app, officer, make_consultation):
    real, _settings = queued_app
    consultation = make_consultation()
    with real.test_request_context("/"):
        service.start_export(officer, "consultation_responses", consultation, "csv")
        assert len(queue.huey) == 0  # not before the commit: a worker would not find the row
        db.session.rollback()
        assert len(queue.huey) == 0  # and never, when the request is undone
        assert db.session.scalar(select(Job)) is None


def test_the_worker_is_not_needed_when_jobs_run_in_process(runner):
    result = runner.invoke(args=["jobs", "worker"])
    assert result.exit_code != 0 and "ENGAGE_JOBS_IMMEDIATE is set" in result.output
