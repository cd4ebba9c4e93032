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
