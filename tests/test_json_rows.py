"""engage.database.json_rows: rows inserted within one PostgreSQL statement, sent as one JSONB list, arrive
as they were given (json_rows_of builds the list, refusing a row without a column)."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import BigInteger, Float, Integer, Text, select

from engage.database import json_rows, json_rows_of
from engage.extensions import db

COLUMNS = {"whole": Integer, "big": BigInteger, "text": Text, "number": Float}

ROWS = [
    {"whole": 1, "big": 999_999_999_999_999, "text": "plain", "number": 3.5},
    {"whole": None, "big": None, "text": None, "number": None},
    {"whole": -7, "big": 2**53 + 1, "text": "quotes \" ' and \\ backslash", "number": 1e-310},
    {"whole": 0, "big": -(2**62), "text": "عربی، اردو 👩‍👩‍👧 \U0010ffff \t\n", "number": -sys.float_info.max},
    {"whole": 2, "big": 0, "text": "x" * 5000, "number": 0.1 + 0.2},
]


def test_the_rows_sent_are_each_named_column_and_nothing_else():
    sent = json_rows_of([{**row, "extra": "not sent"} for row in ROWS], COLUMNS)
    assert sent == ROWS
    with pytest.raises(KeyError, match="number"):
        json_rows_of([{"whole": 1, "big": 2, "text": ""}], COLUMNS)


def test_postgresql_reads_back_every_row_as_given_in_order(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("json_rows is PostgreSQL's (SQLite inserts the rows as they are)")
    each = json_rows("each", "rows", COLUMNS)
    read = db.session.execute(select(*each.c), {"rows": json_rows_of(ROWS, COLUMNS)}).all()
    assert [dict(row._mapping) for row in read] == ROWS
    # JSON has no negative zero: it comes back as 0 (as SQLite stores it).
    (zero,) = db.session.execute(select(each.c.number), {"rows": [{"number": -0.0}]}).one()
    assert zero == 0.0
