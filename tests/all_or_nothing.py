"""Helpers for the all-or-nothing tests (``tests/<package>/test_all_or_nothing.py``): a step of an action
fails part-way, and the test checks that nothing of the action remains."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event, func, insert, select

from engage.extensions import db


def count(model: type, *where: Any) -> int:
    """Rows of ``model`` (matching ``where``) as the database holds them."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def errors_as_in_production(app: Flask) -> None:
    """Handle an unexpected error as production does: a 500 page and the unit of work abandoned.

    Testing apps re-raise errors so that tests see them; an error raised after the view (in a hook that
    adds to the action, such as the audit log's) would then skip the error handlers altogether. The app's
    settings are put back after the test.
    """
    app.config.update(PROPAGATE_EXCEPTIONS=False, ENGAGE_RENDER_500_IN_TESTS=True)


@contextmanager
def another_writer_stores(
    match: Callable[[object], bool], row_for: Callable[[object], dict[str, Any]]
) -> Iterator[list[object]]:
    """Another writer stores a clashing row after this action checked for one and before it writes its own.

    Just before the first flush that would insert or update an object for which ``match(obj)`` is true, a row
    ``row_for(obj)`` is inserted into that object's table on the same connection, so the action's own write
    breaks a unique constraint as it would when another request had committed that row in between (which
    no check made before writing can rule out). Yields the objects it fired for (one at most).
    """
    session = db.session()
    fired: list[object] = []

    def before_flush(session, flush_context, instances) -> None:
        if fired:
            return
        for obj in [*session.new, *session.dirty]:
            if match(obj):
                session.execute(insert(type(obj).__table__).values(**row_for(obj)))
                fired.append(obj)
                return

    event.listen(session, "before_flush", before_flush)
    try:
        yield fired
    finally:
        event.remove(session, "before_flush", before_flush)


def fails_after(monkeypatch: Any, owner: Any, name: str, message: str) -> None:
    """Make ``owner.name`` do its work and then raise ``RuntimeError(message)``: a step of an action fails
    after it has written."""
    real = getattr(owner, name)

    def fails(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise RuntimeError(message)

    monkeypatch.setattr(owner, name, fails)
