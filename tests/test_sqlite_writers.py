"""SQLite writers take turns through a lock the operating system hands over (``SQLiteConnection`` in
engage.database): the next writer goes ahead when the one before it commits or rolls back, and nothing
written is lost."""

from __future__ import annotations

import fcntl
import os
import threading
import time

from sqlalchemy import create_engine, text

from engage import database
from engage.database import SQLiteConnection, intend_to_write


def _engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'writers.sqlite'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, who TEXT)"))
    return engine


def _write_in_thread(engine, who: str, started: threading.Event, done: threading.Event) -> threading.Thread:
    def write() -> None:
        started.set()
        with intend_to_write(), engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (who) VALUES (:who)"), {"who": who})
        done.set()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def _notes(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT who FROM notes ORDER BY id")).scalars())


def test_a_second_writer_goes_ahead_when_the_first_commits(tmp_path):
    engine = _engine(tmp_path)
    with intend_to_write(), engine.connect() as first:
        assert isinstance(first.connection.dbapi_connection, SQLiteConnection)
        first.begin()
        first.execute(text("INSERT INTO notes (who) VALUES ('first')"))
        started, done = threading.Event(), threading.Event()
        thread = _write_in_thread(engine, "second", started, done)
        assert started.wait(5)
        assert not done.wait(0.2)  # still waiting its turn
        first.commit()
    thread.join(5)
    assert done.is_set()
    assert _notes(engine) == ["first", "second"]
    engine.dispose()


def test_a_rolled_back_writer_lets_the_next_one_in(tmp_path):
    engine = _engine(tmp_path)
    with intend_to_write(), engine.connect() as first:
        first.begin()
        first.execute(text("INSERT INTO notes (who) VALUES ('undone')"))
        started, done = threading.Event(), threading.Event()
        thread = _write_in_thread(engine, "next", started, done)
        assert started.wait(5)
        first.rollback()
    thread.join(5)
    assert done.is_set()
    assert _notes(engine) == ["next"]
    engine.dispose()


def test_a_writer_waits_for_another_process_s_lock_no_longer_than_writer_wait(tmp_path, monkeypatch):
    """Another process holding the file lock (a command in a long transaction, say) kept a request waiting
    with no time limit (the reviewer's 20 s vote): after ``WRITER_WAIT`` the writer goes on without the lock,
    to SQLite's own waiting, and the write is stored."""
    monkeypatch.setattr(database, "WRITER_WAIT", 0.3)
    engine = _engine(tmp_path)
    other = os.open(f"{tmp_path / 'writers.sqlite'}-writer", os.O_RDWR | os.O_CREAT)  # its own open file
    fcntl.flock(other, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        with intend_to_write(), engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (who) VALUES ('went on')"))
        waited = time.monotonic() - started
    finally:
        fcntl.flock(other, fcntl.LOCK_UN)
        os.close(other)
    assert 0.3 <= waited < 3
    assert _notes(engine) == ["went on"]
    # The lock let go is taken at once by the next writer.
    with intend_to_write(), engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (who) VALUES ('next')"))
    assert _notes(engine) == ["went on", "next"]
    engine.dispose()
