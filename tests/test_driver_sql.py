"""engage/driver_sql.py: a statement sent straight to the driver stores and reads exactly what SQLAlchemy's
``execute`` would, runs the same listeners and raises the same errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, event, exc, insert, select, update

from engage import driver_sql
from engage.channels import Channel
from engage.database import table_of, utcnow
from engage.extensions import db
from engage.prioritise.models import Outcome, PairwiseVote, Respondent, SkipReason
from engage.prioritise.pairwise import statements

RESPONDENTS = table_of(Respondent)
VOTES = table_of(PairwiseVote)
#: Built once, as the statements driver_sql is for are.
INSERT_VOTE = insert(VOTES).values({name: bindparam(name) for name in statements.VOTE_COLUMNS})
READ_VOTE = select(
    VOTES.c.outcome, VOTES.c.skip_reason, VOTES.c.channel, VOTES.c.locale, VOTES.c.created_at
).where(VOTES.c.idempotency_key == bindparam("key"))
READ_RESPONDENT = select(
    RESPONDENTS.c.id, RESPONDENTS.c.channel, RESPONDENTS.c.created_at, RESPONDENTS.c.excluded_at
).where(RESPONDENTS.c.id == bindparam("id"))
STORED = (
    "SELECT outcome, skip_reason, channel, locale, created_at FROM pairwise_votes WHERE idempotency_key = "
)


def _vote(exercise, respondent_id: int, key: str, when) -> dict:
    left, right = exercise.items[:2]
    return {
        "exercise_id": exercise.id,
        "respondent_id": respondent_id,
        "left_item_id": left.id,
        "right_item_id": right.id,
        "outcome": Outcome.SKIP,
        "skip_reason": SkipReason.DONT_KNOW,
        "channel": Channel.WORKSHOP,
        "locale": "cy",
        "workshop_session_id": None,
        "idempotency_key": key,
        "created_at": when,
    }


@pytest.fixture
def respondent(make_exercise):
    exercise = make_exercise()
    person = Respondent(exercise_id=exercise.id, token_hash="h" * 64, channel=Channel.PAPER)
    db.session.add(person)
    db.session.flush()
    return exercise, person


def test_values_are_stored_and_read_back_as_sqlalchemy_stores_and_reads_them(respondent):
    exercise, person = respondent
    connection = db.session.connection()
    when = utcnow().replace(microsecond=123456)
    connection.execute(INSERT_VOTE, _vote(exercise, person.id, "by-sqlalchemy", when))
    assert list(driver_sql.run(connection, INSERT_VOTE, _vote(exercise, person.id, "by-driver", when))) == []
    placeholder = "%s" if connection.dialect.name == "postgresql" else "?"
    raw = [
        connection.exec_driver_sql(STORED + placeholder, (key,)).one()
        for key in ("by-sqlalchemy", "by-driver")
    ]
    assert raw[0] == raw[1]  # byte for byte as the database keeps them (enum names, the timestamp's text)
    for key in ("by-sqlalchemy", "by-driver"):
        expected = tuple(connection.execute(READ_VOTE, {"key": key}).one())
        found = driver_sql.run(connection, READ_VOTE, {"key": key}).one_or_none()
        assert tuple(found) == expected
        assert found.outcome is Outcome.SKIP and found.skip_reason is SkipReason.DONT_KNOW
        assert found.created_at == when and found.created_at.tzinfo is not None


def test_a_returned_timestamp_and_a_missing_one_are_read_as_sqlalchemy_reads_them(respondent):
    _, person = respondent
    person.excluded_at = utcnow() - timedelta(days=1)
    db.session.flush()
    connection = db.session.connection()
    row = driver_sql.run(connection, READ_RESPONDENT, {"id": person.id}).one_or_none()
    assert tuple(row) == tuple(connection.execute(READ_RESPONDENT, {"id": person.id}).one())
    assert row.id == person.id and row.channel is Channel.PAPER and row.excluded_at == person.excluded_at
    person.excluded_at = None
    db.session.flush()
    assert driver_sql.run(connection, READ_RESPONDENT, {"id": person.id}).one_or_none().excluded_at is None
    assert driver_sql.run(connection, READ_RESPONDENT, {"id": -1}).one_or_none() is None
    assert driver_sql.run(connection, READ_RESPONDENT, {"id": -1}).scalar() is None


def test_the_listeners_run_and_a_driver_error_is_sqlalchemys(respondent):
    exercise, person = respondent
    connection = db.session.connection()
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        driver_sql.run(connection, INSERT_VOTE, _vote(exercise, person.id, "once", utcnow()))
        with pytest.raises(exc.IntegrityError), db.session.begin_nested():
            driver_sql.run(db.session.connection(), INSERT_VOTE, _vote(exercise, person.id, "once", utcnow()))
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert seen.count("INSERT") == 2
    # The savepoint undid only the failed insert: the first is still there and the transaction usable.
    assert driver_sql.run(db.session.connection(), READ_VOTE, {"key": "once"}).one_or_none() is not None


def test_more_rows_than_one_and_in_lists_are_refused(respondent):
    exercise, person = respondent
    connection = db.session.connection()
    for key in ("a", "b"):
        driver_sql.run(connection, INSERT_VOTE, _vote(exercise, person.id, key, utcnow()))
    every = select(VOTES.c.id).where(VOTES.c.respondent_id == bindparam("id")).order_by(VOTES.c.id)
    rows = driver_sql.run(connection, every, {"id": person.id})
    assert len(rows) == 2 and rows.scalar() == rows[0].id
    with pytest.raises(exc.MultipleResultsFound):
        rows.one_or_none()
    assert list(driver_sql.run(connection, update(VOTES).values(locale=bindparam("to")), {"to": "ur"})) == []
    listed = select(VOTES.c.id).where(VOTES.c.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="IN list"):
        driver_sql.run(connection, listed, {"ids": [1]})
    rendered = select(VOTES.c.id).where(VOTES.c.id == bindparam("id", literal_execute=True))
    with pytest.raises(ValueError, match="rendered into it"):
        driver_sql.run(connection, rendered, {"id": 1})
