"""The declarative base, naming conventions, portable column types (enums, UTC timestamps) and
database-specific connection settings."""

from __future__ import annotations

import contextlib
import enum
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from flask import g, has_request_context, request
from sqlalchemy import DateTime, Enum, MetaData, Table, event
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


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: foreign keys on, write-ahead log, and wait for a lock rather than fail at once.

    Python's sqlite3 module (before 3.12) starts a transaction only before an INSERT, UPDATE or DELETE, so a
    SAVEPOINT taken before the first write would be a transaction of its own and its release a commit.
    SQLAlchemy's documented remedy: the driver leaves transactions alone and ``_sqlite_begin`` emits BEGIN.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
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
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        return  # reads first: no transaction until the first write (``_sqlite_write_begins``)
    mode = _sqlite_begin_mode.get()
    if mode != "":
        conn.exec_driver_sql(mode or "BEGIN")


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
        connection.execute("BEGIN IMMEDIATE")


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
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def table_of(model: type[Base]) -> Table:
    """A model's Table, for Core statements (the declarative base types ``__table__`` as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
