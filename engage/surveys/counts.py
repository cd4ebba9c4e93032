"""Derived counts of a consultation's responses and answers, per equality cell, so that its results are read
from a few thousand counts instead of every answer row (issue #5: the results page of 50,000 responses).

A response's *cell* is its answers to the questions the area's population figures cover (their dimensions
and categories; "prefer not to say", or a category the figures do not have, left out), as JSON. Raking gives
everyone in a cell the same weight, so a weighted share is a sum over cells of weight times count.

The counts change in the same transaction as the rows: :func:`add` after responses are stored,
:func:`remove` before they are deleted (and both around a change of equality answers). They are rebuilt from
the rows when the population's categories change (the *basis*), when the number of responses they hold
differs from the rows (someone wrote rows another way), and by ``flask rebuild-answer-counts``, which
reports what differed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ColumnElement

from engage.channels import Channel
from engage.database import dialect_insert, json_rows, json_rows_of, table_of
from engage.equality.questions import PREFER_NOT_TO_SAY
from engage.extensions import db
from engage.population.models import PopulationMargin
from engage.surveys import logger
from engage.surveys.models import (
    Answer,
    AnswerCount,
    Consultation,
    ConsultationResponse,
    QuestionCount,
    QuestionKind,
    ResponseCount,
)
from engage.surveys.weighting import profiles

#: The three tables of counts.
CountModel = type[ResponseCount] | type[QuestionCount] | type[AnswerCount]
#: Kinds whose answers are counted one by one (the rest only by who answered).
COUNTED = {
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.AGREEMENT,
    QuestionKind.RATING,
    QuestionKind.IMPORTANCE,
    QuestionKind.RANKING,
}
#: The cell of a response that gave none of the population's categories.
NO_CELL = "{}"
#: Rows per insert statement (SQLite allows 32,766 bound values).
CHUNK = 1000


@dataclass
class Tally:
    #: (cell, channel) -> responses
    responses: Counter = field(default_factory=Counter)
    #: (question id, cell) -> people who answered
    people: Counter = field(default_factory=Counter)
    #: (question id, cell) -> sum of their numbers (number questions)
    totals: defaultdict = field(default_factory=lambda: defaultdict(float))
    #: (question id, cell, option id, priority id, number, code) -> how many gave that answer
    answers: Counter = field(default_factory=Counter)

    def rows(self, consultation_id: int) -> dict[CountModel, list[dict]]:
        return {
            ResponseCount: [
                {"consultation_id": consultation_id, "cell": cell, "channel": channel, "responses": n}
                for (cell, channel), n in self.responses.items()
            ],
            QuestionCount: [
                {
                    "consultation_id": consultation_id,
                    "question_id": qid,
                    "cell": cell,
                    "people": n,
                    "total": self.totals[(qid, cell)],
                }
                for (qid, cell), n in self.people.items()
            ],
            AnswerCount: [
                {
                    "consultation_id": consultation_id,
                    "question_id": qid,
                    "cell": cell,
                    "option_id": option,
                    "priority_id": priority,
                    "number": number,
                    "code": code,
                    "count": n,
                }
                for (qid, cell, option, priority, number, code), n in self.answers.items()
            ],
        }


@dataclass(frozen=True)
class RebuildReport:
    consultation_id: int
    responses: int
    #: Counts (rows of the three tables) that differed from what the rows give; 0 after a basis change is
    #: not checked (the cells themselves changed).
    differences: int


#: The value each count table adds up, for upserts and clearing out zeros.
_ADDED: dict[CountModel, tuple[str, ...]] = {
    ResponseCount: ("responses",),
    QuestionCount: ("people", "total"),
    AnswerCount: ("count",),
}
_KEYS: dict[CountModel, tuple[str, ...]] = {
    ResponseCount: ("consultation_id", "cell", "channel"),
    QuestionCount: ("question_id", "cell"),
    AnswerCount: ("question_id", "cell", "option_id", "priority_id", "number", "code"),
}


def basis() -> tuple[str, dict[str, set[str]]]:
    """(A hash naming the population's dimensions and categories, {dimension: categories})."""
    found: dict[str, set[str]] = {}
    margins = select(PopulationMargin.dimension, PopulationMargin.category)
    for dimension, category in db.session.execute(margins):
        found.setdefault(dimension, set()).add(category)
    categories = {dimension: sorted(values) for dimension, values in found.items()}
    key = hashlib.sha256(json.dumps(categories, sort_keys=True).encode()).hexdigest()
    return key, {dimension: set(values) for dimension, values in categories.items()}


def cell_of(profile: dict[str, str], categories: dict[str, set[str]]) -> str:
    """A response's cell: its answers in the population's categories, as JSON."""
    kept = {d: c for d, c in profile.items() if c != PREFER_NOT_TO_SAY and c in categories.get(d, ())}
    return json.dumps(kept, sort_keys=True)


def add(consultation: Consultation, response_ids: list[int]) -> None:
    """Count responses just stored (flushed, not yet committed) in their consultation's counts."""
    _change(consultation, response_ids, +1)


def remove(consultation: Consultation, response_ids: list[int]) -> None:
    """Take responses out of the counts, before their rows are deleted or their equality answers change."""
    _change(consultation, response_ids, -1)


def ensure(consultation: Consultation) -> bool:
    """Rebuild the counts (not committed: the caller commits) when they were kept by other population
    categories or hold a different number of responses from the rows; True if it did."""
    key, _ = basis()
    held_query = select(func.coalesce(func.sum(ResponseCount.responses), 0)).where(
        ResponseCount.consultation_id == consultation.id
    )
    rows_query = (
        select(func.count())
        .select_from(ConsultationResponse)
        .where(ConsultationResponse.consultation_id == consultation.id)
    )
    kept_by = select(Consultation.counted_basis).where(Consultation.id == consultation.id)
    # One statement, so one snapshot: a response stored meanwhile is in both numbers or neither.
    stored_key, held, rows = db.session.execute(
        select(kept_by.scalar_subquery(), held_query.scalar_subquery(), rows_query.scalar_subquery())
    ).one()
    if stored_key == key and held == rows:
        return False
    if stored_key == key:
        logger.warning(
            "consultation %s: counts held %s responses, the rows %s: rebuilding", consultation.id, held, rows
        )
    rebuild(consultation)
    return True


def rebuild(consultation: Consultation) -> RebuildReport:
    """Replace the consultation's counts with counts from its rows (not committed: the caller commits)."""
    key, categories = basis()
    same_basis = _lock(consultation) == key
    ids = db.session.scalars(
        select(ConsultationResponse.id).where(ConsultationResponse.consultation_id == consultation.id)
    ).all()
    fresh = _tally(consultation, ids, categories).rows(consultation.id)
    differences = 0
    for model, rows in fresh.items():
        if same_basis:
            columns = [getattr(model, name) for name in _KEYS[model] + _ADDED[model]]
            stored = {
                tuple(row[k] for k in _KEYS[model]): _added(row, model)
                for row in db.session.execute(
                    select(*columns).where(model.consultation_id == consultation.id)
                ).mappings()
            }
            wanted = {tuple(r[k] for k in _KEYS[model]): _added(r, model) for r in rows}
            differences += sum(1 for k in set(stored) | set(wanted) if stored.get(k) != wanted.get(k))
        db.session.execute(delete(model).where(model.consultation_id == consultation.id))
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(model), rows[start : start + CHUNK])
    consultation.counted_basis = key
    db.session.flush()
    return RebuildReport(consultation.id, len(ids), differences)


def _added(row: Mapping, model: CountModel) -> tuple:
    return tuple(round(row[name], 6) for name in _ADDED[model])


def _lock(consultation: Consultation) -> str | None:
    """Take the consultation's row lock (PostgreSQL; SQLite has one writer at a time) so counts change one
    transaction at a time, and read the basis they are kept by as it is now."""
    return db.session.scalar(
        select(Consultation.counted_basis)
        .where(Consultation.id == consultation.id)
        .with_for_update(key_share=True)
    )


def add_new(
    consultation: Consultation,
    channel: Channel,
    answers: Sequence[Mapping],
    kinds: Mapping[int, QuestionKind] | None = None,
) -> None:
    """Count one response just stored with these answer rows (column values) and no equality answers yet,
    tallied from the rows in hand rather than read back: the same counts :func:`add` makes from the table.
    ``kinds``: the kind of each question answered, when the caller has them without the consultation's
    questions (engage.surveys.checked); otherwise read from its questions.

    The population's categories (the basis) are not read: a response without equality answers is in
    NO_CELL under any categories, so adding it is right whatever basis the counts are kept by. Counts kept
    by other categories than the population's now are rebuilt when next read (:func:`ensure`), as they
    would be without this response; a resident's send no longer rebuilds them (every response re-read
    while the write lock is held) on the first send after a population import. Counts never kept (the
    consultation's first response) are built from the rows at once, as the consultation's row read at the
    start of the request shows.

    On PostgreSQL the consultation's row lock keeps a rebuild from running at the same moment; SQLite needs
    no statement for that, as the caller's transaction has written the response already and so holds the
    database's one write lock until it commits."""
    tally = _new_tally(consultation, channel, answers, kinds)
    if tally is None:
        rebuild(consultation)  # counts the new rows too
        return
    if db.session.get_bind().dialect.name == "sqlite":
        _upsert(consultation, tally, +1)
        return
    db.session.connection().execute(_counted_in_one_statement(), _counting_values(consultation, tally))


@functools.cache
def _counted_in_one_statement():
    """PostgreSQL: :func:`counting_ctes` as a statement of their own. Built once."""
    locked, upserts = counting_ctes()
    return select(locked.c.id).add_cte(*upserts)


def counting_values(
    consultation: Consultation,
    channel: Channel,
    answers: Sequence[Mapping],
    kinds: Mapping[int, QuestionKind] | None = None,
) -> dict[str, Any] | None:
    """PostgreSQL: the values of :func:`counting_ctes`' upserts for one response (as :func:`add_new` counts
    it), for the statement that stores it to count it too; None when the consultation's counts were never
    kept (its first response): then :func:`add_new`, after it is stored, builds them from the rows."""
    tally = _new_tally(consultation, channel, answers, kinds)
    return None if tally is None else _counting_values(consultation, tally)


def _new_tally(
    consultation: Consultation,
    channel: Channel,
    answers: Sequence[Mapping],
    kinds: Mapping[int, QuestionKind] | None,
) -> Tally | None:
    """What one response adds to the counts (``_tally_rows``); None when they were never kept."""
    if consultation.counted_basis is None:
        return None
    return _tally_rows(kinds or {q.id: q.kind for q in consultation.questions}, channel, answers)


def _counting_values(consultation: Consultation, tally: Tally) -> dict[str, Any]:
    values: dict[str, Any] = {"consultation_id": consultation.id}
    for model, rows in tally.rows(consultation.id).items():
        values[f"{model.__tablename__}_rows"] = json_rows_of(rows, _SENT[model])
    return values


#: The columns of each count table's rows sent to PostgreSQL (every one but the consultation's id).
_SENT: dict[CountModel, list[str]] = {
    model: [name for name in dict.fromkeys((*_KEYS[model], *_ADDED[model])) if name != "consultation_id"]
    for model in _KEYS
}


def counting_ctes(stored: Any = None) -> tuple[Any, list[Any]]:
    """PostgreSQL: ``_lock`` and the three tables' upserts (``_count_upsert``) as CTEs of one statement (the
    lock's, and the upserts', whose values :func:`counting_values` gives): the consultation's row locked in
    a CTE that every upsert reads its rows through, so that no count is written before the lock is held;
    each table's rows from one JSON list of them (``json_rows``). ``stored``: a CTE of the same statement
    holding one row, or none (the response's insert, when its key was already stored): nothing is counted
    without its row."""
    consultations = table_of(Consultation)
    locked = (
        select(consultations.c.id)
        .where(consultations.c.id == bindparam("consultation_id", type_=Integer))
        .with_for_update(key_share=True)
        .cte("locked")
    )
    upserts = []
    for model, names in _SENT.items():
        table = table_of(model)
        each = json_rows(
            f"each_{table.name}", f"{table.name}_rows", {name: table.c[name].type for name in names}
        )
        rows = select(locked.c.id, *(each.c[name] for name in names)).select_from(locked)
        if stored is not None:
            rows = rows.join(stored, true())
        rows = rows.join(each, true())
        upsert = _adding(postgresql.insert(table).from_select(["consultation_id", *names], rows), model)
        upserts.append(upsert.cte(f"counted_{table.name}"))
    return locked, upserts


def _tally_rows(kinds: Mapping[int, QuestionKind], channel: Channel, answers: Sequence[Mapping]) -> Tally:
    """What one response without equality answers (so in NO_CELL) adds, its questions' kinds in ``kinds``:
    as :func:`_tally`'s queries count."""
    tally = Tally()
    tally.responses[(NO_CELL, channel.value)] += 1
    for qid in {row["question_id"] for row in answers}:
        tally.people[(qid, NO_CELL)] += 1
    for row in answers:
        qid, kind = row["question_id"], kinds[row["question_id"]]
        if kind is QuestionKind.NUMBER:
            tally.totals[(qid, NO_CELL)] += float(row["number"] or 0.0)
        if kind in COUNTED:
            code = (row["text"] or "") if kind is QuestionKind.AGREEMENT else ""
            value = int(round(row["number"] or 0))
            tally.answers[(qid, NO_CELL, row["option_id"] or 0, row["priority_id"] or 0, value, code)] += 1
    return tally


def _change(consultation: Consultation, response_ids: list[int], sign: int) -> None:
    db.session.flush()
    key, categories = basis()
    if _lock(consultation) != key:
        if sign > 0:
            rebuild(consultation)  # counts the new rows too
        # Taking rows out of counts kept by other categories: the next rebuild (due anyway) will do.
        return
    _upsert(consultation, _tally(consultation, response_ids, categories), sign)


@functools.cache
def _count_upsert(dialect: str, model: CountModel):
    """A count table's upsert (add to the row, or insert it), built once per dialect with its values as
    parameters, so any number of rows go in one executemany."""
    insert_ = dialect_insert(dialect)
    table = table_of(model)
    names = ("consultation_id", *_KEYS[model], *_ADDED[model])
    return _adding(insert_(table).values({name: bindparam(name) for name in dict.fromkeys(names)}), model)


def _adding(statement, model: CountModel):
    """``statement`` (an insert into ``model``'s table) adding its values to a row already there with the
    same key, rather than failing on it."""
    table = table_of(model)
    return statement.on_conflict_do_update(
        index_elements=list(_KEYS[model]),
        set_={name: table.c[name] + statement.excluded[name] for name in _ADDED[model]},
    )


def _upsert(consultation: Consultation, tally: Tally, sign: int) -> None:
    """Add ``sign`` times the tally to the stored counts (taking rows that reach zero away)."""
    dialect = db.session.get_bind().dialect.name
    for model, rows in tally.rows(consultation.id).items():
        if not rows:
            continue
        added = _ADDED[model]
        for row in rows:
            for name in added:
                row[name] *= sign
        statement = _count_upsert(dialect, model)
        for start in range(0, len(rows), CHUNK):
            db.session.execute(statement, rows[start : start + CHUNK])
        if sign < 0:
            db.session.execute(
                delete(model).where(model.consultation_id == consultation.id, getattr(model, added[0]) <= 0)
            )


#: Each response's cell, for the database to group by (a temporary table: one per connection, dropped after).
_CELLS = Table(
    "engage_response_cells",
    MetaData(),
    Column("response_id", Integer, primary_key=True),
    Column("cell", String(1000), nullable=False),
    prefixes=["TEMPORARY"],
)


@contextmanager
def _cells_table(cells: dict[int, str]) -> Iterator[Table]:
    connection = db.session.connection()
    connection.execute(text("DROP TABLE IF EXISTS engage_response_cells"))
    _CELLS.create(connection)
    try:
        rows = [{"response_id": rid, "cell": cell} for rid, cell in cells.items()]
        for start in range(0, len(rows), 10 * CHUNK):
            connection.execute(insert(_CELLS), rows[start : start + 10 * CHUNK])
        yield _CELLS
    finally:
        connection.execute(text("DROP TABLE IF EXISTS engage_response_cells"))


def _tally(consultation: Consultation, response_ids: Sequence[int], categories: dict[str, set[str]]) -> Tally:
    """What the rows of these responses add to the counts (three GROUP BY queries)."""
    tally = Tally()
    if not response_ids:
        return tally
    kinds = {q.id: q.kind for q in consultation.questions}
    counted = [qid for qid, kind in kinds.items() if kind in COUNTED]
    agreement = [qid for qid, kind in kinds.items() if kind is QuestionKind.AGREEMENT]
    numbers = [qid for qid, kind in kinds.items() if kind is QuestionKind.NUMBER]
    cells = {rid: cell_of(profile, categories) for rid, profile in profiles(response_ids).items()}
    # A few responses (one stored or deleted) are found by their index; a whole consultation by the join.
    few = len(response_ids) <= CHUNK
    these = Answer.response_id.in_(response_ids) if few else true()
    connection = db.session.connection()
    with _cells_table(cells) as table:
        cell: ColumnElement[str] = table.c.cell
        for cell_value, channel, n in connection.execute(
            select(cell, ConsultationResponse.channel, func.count())
            .join(ConsultationResponse, ConsultationResponse.id == table.c.response_id)
            .where(ConsultationResponse.id.in_(response_ids) if few else true())
            .group_by(cell, ConsultationResponse.channel)
        ):
            tally.responses[(cell_value, channel.value)] += n
        number: ColumnElement[float | None] = case(
            (Answer.question_id.in_(numbers), Answer.number), else_=None
        )
        for qid, cell_value, people, total in connection.execute(
            select(Answer.question_id, cell, func.count(func.distinct(Answer.response_id)), func.sum(number))
            .join(table, table.c.response_id == Answer.response_id)
            .where(these)
            .group_by(Answer.question_id, cell)
        ):
            tally.people[(qid, cell_value)] += people
            tally.totals[(qid, cell_value)] += float(total or 0.0)
        if counted:
            agreed: ColumnElement[str | None] = case(
                (Answer.question_id.in_(agreement), Answer.text), else_=""
            )
            answer = (
                func.coalesce(Answer.option_id, 0),
                func.coalesce(Answer.priority_id, 0),
                func.coalesce(Answer.number, 0),
                func.coalesce(agreed, ""),
            )
            for qid, cell_value, option, priority, value, code, n in connection.execute(
                select(Answer.question_id, cell, *answer, func.count())
                .join(table, table.c.response_id == Answer.response_id)
                .where(these, Answer.question_id.in_(counted))
                .group_by(Answer.question_id, cell, *answer)
            ):
                tally.answers[(qid, cell_value, option, priority, int(round(value)), code)] += n
    return tally
