"""Hot statements sent straight to the database driver: compiled once per dialect, then each time only their
values converted and the driver's cursor run.

SQLAlchemy's ``Connection.execute`` is about 30 microseconds a statement beyond what the driver spends (on
SQLite, whose driver spends 2-8): it works out the statement's cache key, builds an execution context and
wraps every row, every time. A pairwise vote sends four statements on SQLite and one on PostgreSQL, so that
was a good part of its processor time. Here a statement is compiled once (``Prepared``) with what SQLAlchemy
would do to its values and results worked out once: each value put through its column type's bind processor
(a timestamp as SQLite stores it, an enum as its stored name), each result column through its result
processor. What stays as SQLAlchemy does it:

- the ``before_cursor_execute`` listeners run (the SQLite writer lock taken before the first write of a
  ``reads_first`` request, the "wrote in this transaction" flag, the audit's count of writes, tests that
  count statements), with no execution context (none of them reads it);
- a driver error is raised as SQLAlchemy's (``IntegrityError``, ``OperationalError``...), and a connection
  the driver says is lost is invalidated, so the pool does not hand it out again.

Only for Core statements built once (module-level or ``functools.cache``), with no ``IN`` lists to expand
and no values SQLAlchemy writes into the SQL as it sends it (``literal_execute``): both are refused. Not for
``executemany`` (one set of values a call).
"""

from __future__ import annotations

import contextlib
import functools
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.expression import Executable


class Prepared(NamedTuple):
    """One statement compiled for one dialect, with its value and result conversions."""

    sql: str
    #: The order values are sent in (a positional style, SQLite's ``?``); None: sent by name.
    order: tuple[str, ...] | None
    #: The values the statement carries itself (literals), by name.
    carried: Mapping[str, Any]
    #: Each value's conversion, by name (values with none are sent as they are).
    convert: Mapping[str, Callable[[Any], Any]]
    #: The result's column names, and each column's conversion (None: as the driver gives it; the whole
    #: tuple None when no column has one).
    columns: tuple[str, ...]
    results: tuple[Callable[[Any], Any] | None, ...] | None
    row: type


@functools.lru_cache(maxsize=256)
def prepared(statement: Executable, dialect: Dialect) -> Prepared:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    binds = compiled.binds
    if any(getattr(bind, "expanding", False) or bind.literal_execute for bind in binds.values()):
        # SQLAlchemy writes these values into the SQL as it sends it: there is no one SQL text to keep.
        raise ValueError("driver_sql cannot send a statement with an IN list or a value rendered into it")
    convert = {}
    for name, bind in binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            convert[name] = process
    carried = {name: bind.value for name, bind in binds.items() if not bind.required}
    exported = list(getattr(statement, "exported_columns", ()))
    columns = tuple(column.key for column in exported)
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in exported
    )
    results = processors if any(processors) else None
    order = tuple(compiled.positiontup or ()) if dialect.positional else None
    row = namedtuple("Row", columns, rename=True)  # type: ignore[misc]
    return Prepared(str(compiled), order, carried, convert, columns, results, row)


class Rows(Sequence):
    """A statement's rows (named tuples, converted as SQLAlchemy would), with the few ways of reading them
    that callers of ``Connection.execute`` use."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def __getitem__(self, index):
        return self._rows[index]

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise exc.MultipleResultsFound("Multiple rows were found when one or none was required")
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None


def run(connection: Connection, statement: Executable, values: Mapping[str, Any]) -> Rows:
    """Send ``statement`` with ``values`` on ``connection`` (in its transaction), straight to the driver."""
    dialect = connection.dialect
    ready = prepared(statement, dialect)
    params = {**ready.carried, **values}
    for name, process in ready.convert.items():
        params[name] = process(params[name])
    sent: Any = tuple(params[name] for name in ready.order) if ready.order is not None else params
    sql = ready.sql
    driver_connection = connection.connection.dbapi_connection
    assert driver_connection is not None
    cursor = None
    try:
        cursor = driver_connection.cursor()  # inside: on a closed connection this raises too
        for listener in connection.dispatch.before_cursor_execute:
            sql, sent = listener(connection, cursor, sql, sent, None, False)
        cursor.execute(sql, sent)
        # Rows only of a statement that asks for them (PostgreSQL's INSERT also returns the new primary key,
        # which SQLAlchemy adds for its own use).
        found = cursor.fetchall() if ready.columns and cursor.description else []
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, driver_connection, cursor)
        if cursor is not None:
            # Before the connection is invalidated: closing a cursor of a closed SQLite connection raises.
            with contextlib.suppress(dialect.loaded_dbapi.Error):
                cursor.close()
            cursor = None
        if lost:
            # As SQLAlchemy's own execute does: every connection the pool made before this one is renewed
            # at its next checkout (they are probably gone too), then this one is let go.
            connection.engine.pool._invalidate(connection.connection, error)
            connection.invalidate(error)
        raise exc.DBAPIError.instance(
            sql, sent, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
        ) from error
    finally:
        if cursor is not None:
            cursor.close()
    if not found:
        return Rows([])
    make, results = ready.row, ready.results
    if results is not None:
        return Rows(
            [
                make(
                    *[
                        value if process is None else process(value)
                        for value, process in zip(row, results, strict=True)
                    ]
                )
                for row in found
            ]
        )
    return Rows([make(*row) for row in found])
