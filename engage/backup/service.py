"""Write and restore backups: SQLite's online backup API, or PostgreSQL's pg_dump and pg_restore.

A SQLite backup is itself a SQLite database (open it with any SQLite tool); a PostgreSQL backup is pg_dump's
custom format (read it with pg_restore). Both are consistent: taken inside one snapshot while the app keeps
serving, so a vote arriving during the backup is either wholly in it or wholly not.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from engage.extensions import db


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why and what to do."""


def _url() -> URL:
    return make_url(str(db.engine.url))


def backup(target: Path) -> Path:
    """Write a backup of the app's database to `target` and return it."""
    url = _url()
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name, so no backup is overwritten.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), target)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)], url)
    else:
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
    return target


def restore(source: Path) -> None:
    """Replace the app's database with the backup in `source` (all current data is replaced)."""
    url = _url()
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep reading the old data
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        _sqlite_copy(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        try:
            _run(["pg_restore", "--list", str(source)], url)
        except BackupError as error:
            raise BackupError(f"{source} is not a PostgreSQL backup made by `backup` ({error}).") from error
        args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*args, f"--dbname={_libpq(url)}", str(source)], url)
    else:
        raise BackupError(f"Restoring {url.get_backend_name()} databases is not supported.")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: page by page, consistent even while others write (WAL mode included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as con:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        con.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a SQLite backup ({error}).") from error
    if result != "ok" or "alembic_version" not in tables:
        raise BackupError(f"{source} is not a complete Engage backup (integrity check: {result}).")


def _libpq(url: URL) -> str:
    """The URL as pg_dump reads it (no SQLAlchemy driver name; the password goes in the environment)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools.")
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
