"""SQLite writers take turns through a lock the operating system hands over (``SQLiteConnection`` in
engage.database): the next writer goes ahead when the one before it commits or rolls back, and nothing
written is lost."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, text

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
