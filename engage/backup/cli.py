"""``flask --app engage backup PATH`` and ``restore PATH``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from engage.audit import service as audit
from engage.backup.service import BackupError, backup, restore
from engage.extensions import db


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _summary(counts: dict[str, int]) -> str:
    wanted = ("boards", "pairwise_votes", "submissions", "consultation_responses", "weight_sets")
    return ", ".join(f"{name} {counts[name]}" for name in wanted if name in counts)


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Write a consistent backup of the database (safe while Engage is serving)."""
    path = path or Path("backups") / f"engage-{datetime.now(UTC):%Y%m%d-%H%M%S}.backup"
    try:
        written = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    summary = _summary(_counts())
    audit.record("backup", str(written), summary)
    click.echo(f"Wrote {written} ({written.stat().st_size:,} bytes): {summary}.")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with a backup. Stop the app first: everything written since the backup is lost."""
    if not yes:
        click.confirm(f"Replace the whole database with {path}?", abort=True)
    try:
        restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    summary = _summary(_counts())
    audit.record("restore", str(path), summary)
    click.echo(f"Restored {path}: {summary}.")
