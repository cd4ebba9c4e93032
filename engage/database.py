"""The declarative base, naming conventions, portable column types (enums, UTC timestamps) and
database-specific connection settings."""

from __future__ import annotations

import contextlib
import enum
import fcntl
import functools
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from flask import g, has_request_context, request
from sqlalchemy import DateTime, Enum, MetaData, Table, bindparam, column, event, exc, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from engage.dates import LONDON

# Named constraints let Alembic's batch mode (SQLite) drop and alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: a short string with a CHECK constraint, the same on SQLite and PostgreSQL."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_stamp() -> int:
    """A fresh structure stamp (see engage.kept_structure): random, not counted up, so a database restored
    from a backup and edited again cannot reach a stamp a worker already holds a different copy under."""
    return secrets.randbits(62)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: How SQLite transactions begin outside a request: None (a plain BEGIN), "BEGIN IMMEDIATE" (the unit of
#: work will write: see ``_sqlite_begin``), or "" (no BEGIN: each statement commits by itself, for a test's
#: own thread beside a live server, so it never holds a lock or reads an old snapshot).
_sqlite_begin_mode: ContextVar[str | None] = ContextVar("engage_sqlite_begin_mode", default=None)

#: Requests with these methods only read (by HTTP's rules), so SQLite need not take the write lock for them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def sqlite_begin_mode(mode: str | None) -> Iterator[None]:
    """Begin SQLite transactions started inside this block with ``mode`` (see ``_sqlite_begin_mode``)."""
    token = _sqlite_begin_mode.set(mode)
    try:
        yield
    finally:
        _sqlite_begin_mode.reset(token)


def intend_to_write() -> contextlib.AbstractContextManager[None]:
    """Transactions begun inside this block will write: SQLite takes the write lock at BEGIN."""
    return sqlite_begin_mode("BEGIN IMMEDIATE")


#: How long a writer waits for the one before it (seconds), as SQLite's busy_timeout below.
WRITER_WAIT = 5.0


@dataclass
class _WriterLock:
    """One SQLite database file's writer lock in this process: a thread lock, then a file lock beside the
    database (``<file>-writer``) for the other processes."""

    threads: threading.Lock
    fd: int
    pid: int


_writer_locks: dict[str, _WriterLock] = {}
_writer_locks_made = threading.Lock()


def _writer_lock(path: str) -> _WriterLock:
    pid = os.getpid()  # gunicorn forks after loading the app: each worker opens its own
    with _writer_locks_made:
        lock = _writer_locks.get(path)
        if lock is None or lock.pid != pid:
            fd = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
            lock = _writer_locks[path] = _WriterLock(threading.Lock(), fd, pid)
        return lock


def _take_file_lock(fd: int, deadline: float) -> bool:
    """The file lock, if another process lets it go before ``deadline`` (``time.monotonic``): tried without
    blocking, again after 0.2 ms, doubling to 2 ms between tries. A blocking ``flock`` would have no time
    limit: a command holding a long transaction in another process would hold this request for as long."""
    pause = 0.0002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
        except OSError:
            return False


class SQLiteConnection(sqlite3.Connection):
    """sqlite3's connection, taking its database's writer lock before ``BEGIN IMMEDIATE`` and letting it go
    when the transaction ends (commit, rollback or close).

    SQLite lets one transaction write at a time, and one that finds the write lock taken polls for it,
    sleeping 1, 2, 5, 10... up to 100 ms between tries: under a stream of short writes the lock stood free
    while the writers waiting for it slept (the vote spent over half its time there, `make bench`). Waiting
    on a lock the operating system hands over instead wakes the next writer as soon as the last commits.
    A writer that waits longer than ``WRITER_WAIT`` (a thread holding two connections) goes on without it,
    to SQLite's own waiting as before."""

    #: The database file (None in memory: nothing to share).
    engage_path: str | None = None
    _writer: _WriterLock | None = None

    def begin_writing(self) -> None:
        """BEGIN IMMEDIATE, after the writers before this one have finished."""
        if self.engage_path and self._writer is None:
            lock = _writer_lock(self.engage_path)
            deadline = time.monotonic() + WRITER_WAIT
            if lock.threads.acquire(timeout=WRITER_WAIT):
                if _take_file_lock(lock.fd, deadline):
                    self._writer = lock
                else:
                    lock.threads.release()
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._let_go()
            raise

    def _let_go(self) -> None:
        lock, self._writer = self._writer, None
        if lock is not None:
            fcntl.flock(lock.fd, fcntl.LOCK_UN)
            lock.threads.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()

    def __del__(self) -> None:  # a connection dropped without being closed must not keep the lock
        self._let_go()


@event.listens_for(Engine, "do_connect")
def _sqlite_connection_class(dialect, connection_record, cargs, cparams) -> None:
    if dialect.name == "sqlite":
        cparams.setdefault("factory", SQLiteConnection)


#: Where a pooled connection's record keeps when it was last given back to the pool, by this clock.
_IDLE_SINCE = "engage_idle_since"
_idle_clock = time.monotonic


def ping_after_idle(engine: Engine, seconds: float) -> None:
    """Test a pooled connection with a round trip before use only when it has lain idle ``seconds`` or more
    since it was given back (0: before every use, as SQLAlchemy's ``pool_pre_ping``).

    ``pool_pre_ping`` sent the test on every checkout: a round trip and about 0.1 ms of processor time of
    every request, although a connection given back a moment ago by a busy worker is as good as it was then.
    What the test is for, a connection the server or a firewall has dropped while it lay idle, is still
    caught. A test that finds the connection gone replaces every connection the pool held before (the
    database has probably restarted), as SQLAlchemy does on a disconnect. What this gives up: a connection
    used again within ``seconds`` of a database restart fails its request once (an error page, nothing
    written), and the pool is then renewed; with ``pool_pre_ping`` that request would have waited for a new
    connection instead."""

    @event.listens_for(engine, "checkin")
    def _note_idle(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = _idle_clock()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)  # None: a new connection, made just now
        if since is None or _idle_clock() - since < seconds:
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            # The pool makes a new connection and tries again; InvalidatePoolError: every older one too.
            raise exc.InvalidatePoolError("a pooled connection was found dropped") from error


def _begin(dbapi_connection, statement: str) -> None:
    """Send ``statement`` (BEGIN or BEGIN IMMEDIATE), taking the writer lock first for a writer."""
    if statement == "BEGIN IMMEDIATE" and isinstance(dbapi_connection, SQLiteConnection):
        dbapi_connection.begin_writing()
    else:
        dbapi_connection.execute(statement)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: foreign keys on, write-ahead log, and wait for a lock rather than fail at once.

    Python's sqlite3 module (before 3.12) starts a transaction only before an INSERT, UPDATE or DELETE, so a
    SAVEPOINT taken before the first write would be a transaction of its own and its release a commit.
    SQLAlchemy's documented remedy: the driver leaves transactions alone and ``_sqlite_begin`` emits BEGIN.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(WRITER_WAIT * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    if isinstance(dbapi_connection, SQLiteConnection):
        main = next(row for row in cursor.execute("PRAGMA database_list") if row[1] == "main")
        dbapi_connection.engage_path = main[2] or None
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """SQLite: begin each transaction ourselves (see ``_sqlite_pragmas``).

    A transaction that will write takes the write lock at once (BEGIN IMMEDIATE): one that read first and
    tried to write later would fail at once, not wait, if another writer had committed in between (SQLite
    cannot upgrade a stale read snapshot). Requests that post, commands and jobs write; pages only read, and
    readers never wait for writers in WAL mode.
    """
    if conn.dialect.name != "sqlite":
        return
    if has_request_context():
        if request.method in SAFE_METHODS:
            conn.exec_driver_sql("BEGIN")
        elif not g.get(READS_FIRST):
            _begin(conn.connection.dbapi_connection, "BEGIN IMMEDIATE")
        return  # reads first: no transaction until the first write (``_sqlite_write_begins``)
    mode = _sqlite_begin_mode.get()
    if mode != "":
        _begin(conn.connection.dbapi_connection, mode or "BEGIN")


#: Set on ``g`` by :func:`reads_first`.
READS_FIRST = "engage_reads_first"


def reads_first(view: Callable[..., Any]) -> Callable[..., Any]:
    """For a view that posts but reads and checks a good deal before it writes a little (sending an answer):
    on SQLite its reads run outside any transaction, each seeing what is committed (as every statement does
    under PostgreSQL's READ COMMITTED), and its transaction, holding the write lock, begins with its first
    write (``BEGIN IMMEDIATE``, waiting its turn) and ends with the request's commit. Other posts hold the
    lock from their first statement, and on SQLite only one transaction writes at a time: a view that held it
    while it read, checked and built its forms would make every other post wait for all of that."""

    @functools.wraps(view)
    def reading_first(*args: Any, **kwargs: Any) -> Any:
        g.setdefault(READS_FIRST, True)
        return view(*args, **kwargs)

    return reading_first


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_write_begins(conn, cursor, statement, parameters, context, executemany) -> None:
    """SQLite, in a :func:`reads_first` request: before the first statement that is not a read, begin the
    transaction, taking the write lock (every write from there on is in it, savepoints included)."""
    if conn.dialect.name != "sqlite" or not has_request_context() or not g.get(READS_FIRST):
        return
    connection = conn.connection.dbapi_connection
    if connection.in_transaction or request.method in SAFE_METHODS:
        return
    if statement.lstrip()[:6].upper() not in {"SELECT", "BEGIN"}:
        _begin(connection, "BEGIN IMMEDIATE")


#: Set in a connection's ``info`` by the first statement that may change data; cleared when a session's
#: transaction begins on it (``engage.transactions.atomic`` needs no savepoint before that first write).
WROTE = "engage_wrote_in_transaction"
#: How statements that change nothing begin (a savepoint's own statements included). Anything else counts
#: as a write, a WITH that only reads too: the mistake can only cost a savepoint, never leave a write.
_NOT_WRITES = ("SELECT", "SAVEPO", "RELEAS", "ROLLBA", "BEGIN", "PRAGMA", "SHOW")


@event.listens_for(Session, "after_begin")
def _nothing_written_yet(session, transaction, conn) -> None:
    """A session's own transaction begins (not a savepoint inside it): nothing of it is written yet. The
    tests' sessions each begin as a savepoint of the test's transaction, and this runs for them alike."""
    if not transaction.nested:
        conn.info.pop(WROTE, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_a_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if WROTE not in conn.info and not statement.lstrip()[:6].upper().startswith(_NOT_WRITES):
        conn.info[WROTE] = True


def wrote_in_transaction(conn) -> bool:
    """Whether the connection's transaction has sent a statement that may have changed data."""
    return WROTE in conn.info


def rollback_undoes_writes(conn) -> bool:
    """Whether a write sent now on this connection goes into a transaction that a rollback undoes. On
    PostgreSQL, unless the driver was set to autocommit (``?autocommit=true`` in the database's address,
    which nothing here does). On SQLite, when the driver is in a transaction, or when its first write will
    begin one (``_sqlite_write_begins``: a post to a :func:`reads_first` view); not otherwise (outside a
    request with no begin mode set, each statement is its own transaction)."""
    if conn.dialect.name != "sqlite":
        return not getattr(conn.connection.dbapi_connection, "autocommit", False)
    if conn.connection.dbapi_connection.in_transaction:
        return True
    return has_request_context() and bool(g.get(READS_FIRST)) and request.method not in SAFE_METHODS


class _Dated(Protocol):
    opens_at: datetime | None
    closes_at: datetime | None


class DatedWindow:
    """For models with ``opens_at`` and ``closes_at`` (either may be NULL): whether a moment is inside them,
    and the last day, UK time, that is. ``closes_at`` is midnight at the end of the last day."""

    def within_dates(self: _Dated, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    @property
    def last_day(self: _Dated) -> date | None:
        if self.closes_at is None:
            return None
        return (self.closes_at - timedelta(microseconds=1)).astimezone(LONDON).date()


def upsert_insert(session: Session):
    """The dialect's ``insert`` (PostgreSQL or SQLite), which has ``on_conflict_do_update``."""
    return dialect_insert(session.get_bind().dialect.name)


def dialect_insert(dialect: str):
    """The ``insert`` of the dialect named (PostgreSQL's or SQLite's), which has ``on_conflict_do_update``."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def insert_of(dialect: str, table: Table, names: Iterable[str]):
    """An insert of the columns ``names`` into ``table``, each value a parameter of the same name typed as its
    column: for a statement built once per dialect and sent with each request's values (building one for
    every request costs more than sending it)."""
    values = {name: bindparam(name, type_=table.c[name].type) for name in names}
    return dialect_insert(dialect)(table).values(values)


def insert_from_row(table: Table, names: Sequence[str], source: Any, taken: Mapping[str, Any]):
    """PostgreSQL: an insert of the columns ``names`` into ``table`` from the one row of ``source`` (a CTE
    of the same statement): each column in ``taken`` gets the expression given there (one of that row's
    columns), every other a parameter of the same name typed as its column, as in ``insert_of``."""
    values = [taken[name] if name in taken else bindparam(name, type_=table.c[name].type) for name in names]
    return postgresql.insert(table).from_select(list(names), select(*values).select_from(source))


def json_rows(name: str, parameter: str, columns: Mapping[str, Any]):
    """PostgreSQL: a table ``name`` whose rows come from one parameter, a list of dicts holding (at least)
    these ``{column: type}`` keys, sent as one JSONB document and read by ``jsonb_to_recordset``: for
    inserting any number of rows within one statement.

    It took an array per column (``unnest``): SQLAlchemy's ARRAY type and psycopg's list dumper then walked
    every element in Python, about a tenth of a consultation send's processor time (py-spy, 2026-12-01);
    psycopg hands the whole document to ``json.dumps``. Not for floats that are not finite (JSON has none):
    answers are checked finite before they get here. JSON has no negative zero: -0.0 arrives as 0 (as SQLite
    stores it too). Give the parameter as ``json_rows_of`` builds it, or rows made with exactly these
    keys."""
    rows = bindparam(parameter, type_=postgresql.JSONB)
    typed = (column(key, kind) for key, kind in columns.items())
    return func.jsonb_to_recordset(rows).table_valued(*typed).render_derived(name=name, with_types=True)


def json_rows_of(rows: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> list[dict[str, Any]]:
    """``json_rows``' parameter: each row's value of every column named, and nothing else. A row without one
    of them is a KeyError here, never a NULL stored by ``jsonb_to_recordset`` for a key left out."""
    names = tuple(columns)
    return [{name: row[name] for name in names} for row in rows]


def table_of(model: type[Base]) -> Table:
    """A model's Table, for Core statements (the declarative base types ``__table__`` as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
