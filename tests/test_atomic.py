"""engage.transactions.atomic: all or nothing, by a savepoint, or, when the block is its transaction's first
write, by rolling the whole transaction back (which then holds nothing else)."""

import pytest
from sqlalchemy import event, select

from engage.boards.models import Board, BoardKind
from engage.extensions import db
from engage.transactions import atomic


def _board(slug: str) -> Board:
    board = Board(name=slug, slug=slug, short_code=slug[:20], remit="", kind=BoardKind.NETWORK)
    db.session.add(board)
    db.session.flush()
    return board


def _slugs() -> list[str]:
    """The slugs of the boards these tests made."""
    return sorted(db.session.scalars(select(Board.slug).where(Board.slug.like("t-%"))))


def _statements():
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", note)


def _refused(slug: str) -> None:
    with pytest.raises(ValueError), atomic():
        _board(slug)
        raise ValueError("the second step is refused")


def test_a_first_write_refused_leaves_nothing_and_the_work_goes_on(app):
    db.session.commit()
    db.session.execute(select(Board.id).limit(1))  # the transaction begins (in tests, as a savepoint)
    seen, stop = _statements()
    try:
        _refused("t-half")
    finally:
        stop()
    assert "SAVEPOINT" not in seen, seen  # a first write needs none
    assert _slugs() == []
    with atomic():
        _board("t-after")
    db.session.commit()
    assert _slugs() == ["t-after"]


def test_a_refusal_after_an_earlier_write_keeps_the_earlier_write(app):
    db.session.commit()
    _board("t-before")
    seen, stop = _statements()
    try:
        _refused("t-half")
    finally:
        stop()
    assert "SAVEPOINT" in seen
    assert _slugs() == ["t-before"]


def test_a_refused_first_write_inside_the_callers_savepoint_leaves_that_savepoint_usable(app):
    """Found by review: inside a savepoint of the caller's, a first write must take its own savepoint, or
    rolling back the whole transaction would close the caller's (a caught error, then "Can't operate on
    closed transaction")."""
    db.session.commit()
    with db.session.begin_nested():
        _refused("t-half")
        _board("t-kept")
    db.session.commit()
    assert _slugs() == ["t-kept"]


def test_a_successful_block_is_written_before_it_ends(app):
    """As a savepoint's end flushes: what the block added has its id after it."""
    db.session.commit()
    with atomic():
        board = Board(name="t-new", slug="t-new", short_code="t-new", remit="", kind=BoardKind.NETWORK)
        db.session.add(board)
    assert board.id is not None


@pytest.mark.real_commits
def test_outside_a_request_a_refused_block_leaves_nothing_on_a_connection_without_a_transaction(app):
    """Found by review: on SQLite, a session outside a request may write with no transaction begun (each
    statement its own); only a savepoint undoes such a block, so one is taken there."""
    with app.app_context():
        _refused("t-half")
        db.session.commit()
        assert _slugs() == []


@pytest.mark.real_commits
def test_a_refused_send_in_a_request_that_reads_first_leaves_nothing(app):
    """On SQLite a post to a ``reads_first`` view reads outside any transaction and begins one, taking the
    write lock, with its first write: a send refused part-way as that first write leaves nothing, with no
    savepoint, and the request goes on to write and commit."""
    from flask import g

    from engage.database import READS_FIRST

    with app.test_request_context("/", method="POST"):
        g.setdefault(READS_FIRST, True)
        db.session.execute(select(Board.id).limit(1))  # a read first, outside a transaction on SQLite
        seen, stop = _statements()
        try:
            _refused("t-half")
        finally:
            stop()
        assert "SAVEPOINT" not in seen, seen
        _board("t-after")
        db.session.commit()
        assert _slugs() == ["t-after"]
        db.session.remove()


def test_a_driver_set_to_autocommit_is_not_trusted_to_undo_a_block():
    """Found by the second review: psycopg set to autocommit (an operator's ``?autocommit=true``) commits each
    statement, so only a savepoint (which would fail loudly there) is taken, never a silent rollback."""
    from types import SimpleNamespace

    from engage.database import rollback_undoes_writes

    def connection(autocommit: bool):
        raw = SimpleNamespace(autocommit=autocommit)
        return SimpleNamespace(
            dialect=SimpleNamespace(name="postgresql"), connection=SimpleNamespace(dbapi_connection=raw)
        )

    assert rollback_undoes_writes(connection(False))
    assert not rollback_undoes_writes(connection(True))
