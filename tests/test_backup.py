"""`flask --app engage backup` writes a consistent backup and `restore` brings it back (SQLite or PostgreSQL,
whichever the suite runs on)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from engage.backup.cli import _counts
from engage.boards.models import Board
from engage.extensions import db
from engage.prioritise.models import PairwiseVote

#: Backups, restores and migrations use their own connections: they need real commits.
pytestmark = pytest.mark.real_commits


def test_backup_then_restore_brings_every_row_back(demo, runner, tmp_path):
    before = _counts()
    assert before["pairwise_votes"] > 1000 and before["consultation_responses"] >= 1000
    path = tmp_path / "engage.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0 and f"pairwise_votes {before['pairwise_votes']}" in result.output

    # Things go wrong after the backup: votes deleted, a board renamed.
    db.session.execute(delete(PairwiseVote))
    db.session.scalar(select(Board).where(Board.slug == "health-and-wellbeing")).name = "Oops"
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PairwiseVote)) == 0

    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    after = _counts()
    # The audit log gains one row: the restore itself, recorded in the restored database.
    assert after.pop("audit_events") == before.pop("audit_events") + 1
    assert after == before
    assert db.session.scalar(select(Board.name).where(Board.slug == "health-and-wellbeing")) == (
        "Health and Wellbeing"
    )


def test_backup_never_overwrites_a_file(runner, tmp_path):
    path = tmp_path / "kept.backup"
    path.write_text("an older backup")
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert path.read_text() == "an older backup"


def test_restoring_something_that_is_not_a_backup_changes_nothing(runner, tmp_path, make_board):
    make_board("Health and Wellbeing")
    bogus = tmp_path / "notes.backup"
    bogus.write_text("this is not a database")
    result = runner.invoke(args=["restore", "--yes", str(bogus)])
    assert result.exit_code != 0 and "is not a" in result.output and "backup" in result.output
    assert db.session.scalar(select(func.count()).select_from(Board)) == 1
    missing = runner.invoke(args=["restore", "--yes", str(tmp_path / "nowhere.backup")])
    assert missing.exit_code != 0 and "There is no backup file" in missing.output
