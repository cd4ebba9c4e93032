"""The worker's schedule: old downloads deleted with their files, the nightly backup keeping the newest few,
and each scheduled job run once a day however many workers there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.database import utcnow
from engage.extensions import db
from engage.jobs import tasks
from engage.jobs.models import Job, JobStatus
from engage.jobs.running import files_dir


def _job(user, days_old: int, status=JobStatus.DONE) -> Job:
    path = files_dir() / f"test-{days_old}-{status.value}"
    path.write_text("a,b\r\n")
    job = Job(
        user_id=user.id,
        kind="consultation_responses",
        params={"target": 1, "fmt": "csv"},
        title="Old",
        status=status,
        file_name="old.csv",
        file_path=path.name,
        created_at=utcnow() - timedelta(days=days_old),
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_downloads_past_the_retention_limit_are_deleted_with_their_files(app, officer):
    old, recent = _job(officer, 8), _job(officer, 1)
    waiting = _job(officer, 8, JobStatus.QUEUED)  # still to run: kept
    old_file = files_dir() / old.file_path
    assert tasks.delete_old_jobs() == 1
    assert not old_file.exists() and (files_dir() / recent.file_path).exists()
    assert set(db.session.scalars(select(Job.id))) == {recent.id, waiting.id}


@pytest.mark.real_commits
def test_the_nightly_backup_keeps_the_newest(app, tmp_path, make_board):
    make_board("Health and Wellbeing")
    app.config.update(ENGAGE_BACKUP_DIR=str(tmp_path), ENGAGE_BACKUP_KEEP=2)
    for name in ("engage-20260101-000000.backup", "engage-20260102-000000.backup"):
        (tmp_path / name).write_text("older")
    written = tasks.make_backup()
    assert written.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["engage-20260102-000000.backup", written.name]


def test_each_scheduled_job_runs_once_a_day(app):
    name = f"test-{utcnow().timestamp()}"
    assert tasks._once_today(name) and not tasks._once_today(name)


def test_a_nightly_job_waits_for_its_time_then_runs_once_that_day(app):
    """Asked every hour: not before 02:15, then once (a worker started late still runs that night's)."""
    name = f"test-due-{utcnow().timestamp()}"
    today = utcnow().replace(hour=1, minute=15)
    assert not tasks._due(name, tasks.RETENTION_AT, today)
    assert tasks._due(name, tasks.RETENTION_AT, today.replace(hour=9))
    assert not tasks._due(name, tasks.RETENTION_AT, today.replace(hour=10))


def test_the_worker_holds_the_only_schedule_for_retention_and_backups():
    """The jobs worker runs them (with `make run` too); the deploy recipe has no timers doing it again."""
    from datetime import datetime
    from pathlib import Path

    from engage.jobs.queue import huey

    def due_at(hour: int, minute: int) -> set[str]:
        due = huey.read_periodic(datetime(2026, 12, 3, hour, minute))
        return {task.name.rsplit(".", 1)[-1] for task in due}

    assert "scheduled_retention" in due_at(2, 15) and "scheduled_backup" in due_at(2, 45)
    # Asked again every hour (each runs once a day: see above), so a stopped worker catches up.
    assert "scheduled_retention" in due_at(9, 15) and "scheduled_backup" not in due_at(9, 15)
    units = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
    assert not list(units.glob("*.timer"))
