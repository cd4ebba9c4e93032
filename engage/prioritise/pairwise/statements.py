"""The statements a pairwise vote is stored with, each built once per dialect with its values as parameters
(building a statement for every vote cost more than sending it).

On SQLite a vote is three of them (``counting_in``, ``vote_insert``, ``pair_count_upsert``); on PostgreSQL
the three are one statement (``vote_in_one_statement``), which saves two round trips to the server.
"""

from __future__ import annotations

import functools

from sqlalchemy import Integer, String, bindparam, exists, func, literal, or_, select, text, true
from sqlalchemy.dialects import postgresql

from engage.database import UTCDateTime, dialect_insert, insert_from_row, insert_of, table_of
from engage.prioritise.models import (
    Exercise,
    ExerciseStatus,
    PairCount,
    PairwiseVote,
    Respondent,
    UndoneVote,
)

COUNTED = ("low_wins", "high_wins", "skips")

#: PostgreSQL: the lock a vote's pair-count upsert takes anyway, taken first when the vote is several
#: statements (a workshop round with a per-person limit) or is being undone, so that it waits for a rebuild
#: of the counts (``counts.hold_pair_counts``) before it locks the respondent's row, not after
#: (``voting._pair_counts_first``).
PAIR_COUNTS_FOR_A_VOTE = text(f"LOCK TABLE {PairCount.__tablename__} IN ROW EXCLUSIVE MODE")


@functools.cache
def pair_count_upsert(dialect: str):
    """The pair-count upsert, built once per dialect with its values as parameters (building it for
    every vote cost more than sending it)."""
    insert = dialect_insert(dialect)
    table = table_of(PairCount)
    statement = insert(table).values(
        {name: bindparam(name) for name in ("exercise_id", "low_item_id", "high_item_id", *COUNTED)}
    )
    return statement.on_conflict_do_update(
        index_elements=["exercise_id", "low_item_id", "high_item_id"],
        set_={name: table.c[name] + statement.excluded[name] for name in COUNTED},
    )


@functools.cache
def vote_insert(dialect: str):
    """The vote's insert, built once per dialect with its values as parameters; it stores nothing (and
    returns no id) when the exercise already has a vote with its key: the unique key is the idempotency
    check, with no lookup first."""
    table = table_of(PairwiseVote)
    return (
        insert_of(dialect, table, VOTE_COLUMNS)
        .on_conflict_do_nothing(index_elements=["exercise_id", "idempotency_key"])
        .returning(table.c.id)
    )


@functools.cache
def undone_insert(dialect: str):
    """An undone vote's key kept (``UndoneVote``), built once per dialect; nothing more when it is kept
    already."""
    return insert_of(
        dialect, table_of(UndoneVote), ("exercise_id", "idempotency_key", "undone_at")
    ).on_conflict_do_nothing(index_elements=["exercise_id", "idempotency_key"])


#: The vote's columns, each sent as a parameter of the same name.
VOTE_COLUMNS = (
    "exercise_id",
    "respondent_id",
    "left_item_id",
    "right_item_id",
    "outcome",
    "skip_reason",
    "channel",
    "locale",
    "workshop_session_id",
    "idempotency_key",
    "created_at",
)


@functools.cache
def counting_in(dialect: str):
    """One statement that finds or creates the respondent, locks their row and counts this choice on it,
    but only while the exercise takes votes (open, inside its dates), the person is under its cap and the
    vote's key (``idempotency_key``) is neither stored already (a repeat: a double click or a retry whose
    first copy has been stored) nor one of a vote taken back (``UndoneVote``: a late copy of it).

    ``INSERT ... SELECT ... FROM exercises WHERE <taking votes> ON CONFLICT DO UPDATE SET choices = choices
    + 1 WHERE choices < <the cap> AND <no undo since the snapshot>``: no row comes back when the exercise is
    not taking votes, the person is at the cap, the key is stored or undone, or an undo came in between.
    PostgreSQL locks the person's row whenever the statement reaches it, to the end of the transaction
    (SQLite's BEGIN IMMEDIATE already lets one writer in at a time), so the same person's requests are
    counted one after another and the cap cannot be overrun. The keys are looked for in the statement's
    snapshot: a copy sent at the same moment as its first (neither committed) is counted here and then
    refused by the vote's unique key (``vote_insert``, ``VOTE_KEY``). A copy whose snapshot
    came before an undo was committed, and which reached the row after it, would find neither its vote
    (gone) nor the kept key (not in its snapshot): so nothing is counted when the person's row, as it is
    once locked, shows more undos (``Respondent.undos``) than the snapshot did (or the snapshot had no row
    for them). The caller then reads afresh why, and tries once more when none of the reasons holds (a new
    vote that met an undo of another)."""
    insert = dialect_insert(dialect)
    people, exercises = table_of(Respondent), table_of(Exercise)
    exercise_id = bindparam("exercise_id", type_=Integer)
    key = bindparam("idempotency_key", type_=String)
    now = bindparam("now", type_=UTCDateTime())
    taking_votes = select(
        exercise_id,
        bindparam("token_hash", type_=String),
        bindparam("channel", type_=people.c.channel.type),
        now,
        bindparam("address_hash", type_=String),
        literal("", String),
        literal(1, Integer),
    ).where(
        exercises.c.id == exercise_id,
        exercises.c.status == ExerciseStatus.OPEN,
        or_(exercises.c.opens_at.is_(None), exercises.c.opens_at <= now),
        or_(exercises.c.closes_at.is_(None), exercises.c.closes_at > now),
        *(
            ~exists().where(keys.c.exercise_id == exercise_id, keys.c.idempotency_key == key)
            for keys in (table_of(PairwiseVote), table_of(UndoneVote))
        ),
    )
    statement = insert(people).from_select(
        ["exercise_id", "token_hash", "channel", "created_at", "address_hash", "excluded_reason", "choices"],
        taking_votes,
        include_defaults=False,
    )
    cap = select(exercises.c.max_votes_per_respondent).where(exercises.c.id == exercise_id).scalar_subquery()
    seen = people.alias("seen")
    undos_seen = (
        select(seen.c.undos)
        .where(seen.c.exercise_id == exercise_id, seen.c.token_hash == bindparam("token_hash"))
        .scalar_subquery()
    )
    return statement.on_conflict_do_update(
        index_elements=["exercise_id", "token_hash"],
        set_={"choices": people.c.choices + 1},
        # ``people`` is the row as it is once locked, ``undos_seen`` as the statement's snapshot showed it.
        where=(people.c.choices < cap) & (people.c.undos == undos_seen),
    ).returning(people.c.id, people.c.excluded_at, people.c.choices)


#: The unique key a vote's idempotency key is checked by: a vote stored on its own (``vote_in_one_statement
#: (on_its_own=True)``) that breaks it is a repeat.
VOTE_KEY = "uq_pairwise_votes_exercise_id_idempotency_key"


@functools.cache
def vote_in_one_statement(on_its_own: bool = False):
    """PostgreSQL: ``counting_in``, ``vote_insert`` and ``pair_count_upsert`` as one statement, three
    data-modifying CTEs (``WITH counted AS (INSERT ... RETURNING), vote AS (INSERT ... SELECT ... FROM
    counted ON CONFLICT DO NOTHING RETURNING id), pair AS (INSERT ... SELECT ... FROM vote, counted WHERE
    <not excluded> ON CONFLICT DO UPDATE)``), answering the respondent's row (id, excluded_at, choices) and
    the new vote's id (NULL for a key stored by a copy sent at the same moment), and the pairs the person had
    answered before it (``lefts`` and ``rights``, oldest first; NULL for none). No row comes back when
    ``counting_in`` counted nothing (the exercise is not taking votes, the person is at its cap, the key is
    stored or undone already, or an undo came in between): then nothing was written.

    Each part behaves as its own statement does: the respondent's row is locked first (their other requests
    wait), the key is the idempotency check (a repeat stores nothing, and then no pair count is added:
    ``counting_in`` finds a key stored before the statement began, the vote's unique key one stored by a
    copy at the same moment), and the pair count is added only for a vote stored by a respondent not
    excluded.

    ``on_its_own``: for the statement as its own transaction (autocommit), where a repeat's count could not
    be taken back afterwards. The key's uniqueness is then not caught (no ``ON CONFLICT``) but raised, so
    PostgreSQL undoes the whole statement, the count included, and the caller answers the repeat from the
    vote already stored."""
    votes, pairs = table_of(PairwiseVote), table_of(PairCount)
    counted = counting_in("postgresql").cte("counted")
    stored = insert_from_row(votes, VOTE_COLUMNS, counted, {"respondent_id": counted.c.id})
    if not on_its_own:
        stored = stored.on_conflict_do_nothing(index_elements=["exercise_id", "idempotency_key"])
    vote = stored.returning(votes.c.id).cte("vote")
    pair_columns = ("exercise_id", "low_item_id", "high_item_id", *COUNTED)
    added = postgresql.insert(pairs).from_select(
        list(pair_columns),
        select(*[bindparam(name, type_=Integer) for name in pair_columns])
        .select_from(vote)
        .join(counted, true())
        .where(counted.c.excluded_at.is_(None)),
    )
    pair = added.on_conflict_do_update(
        index_elements=["exercise_id", "low_item_id", "high_item_id"],
        set_={name: pairs.c[name] + added.excluded[name] for name in COUNTED},
    ).cte("pair")
    vote_id = select(vote.c.id).scalar_subquery().label("vote_id")
    # The pairs this person had answered before (the statement's snapshot has not the new vote), oldest
    # first: what the pair page reads next, in this round trip instead of one of its own.
    earlier = select(
        func.array_agg(postgresql.aggregate_order_by(votes.c.left_item_id, votes.c.id)).label("lefts"),
        func.array_agg(postgresql.aggregate_order_by(votes.c.right_item_id, votes.c.id)).label("rights"),
    ).where(votes.c.exercise_id == bindparam("exercise_id"), votes.c.respondent_id == counted.c.id)
    answered = earlier.lateral("answered")
    return (
        select(
            counted.c.id,
            counted.c.excluded_at,
            counted.c.choices,
            vote_id,
            answered.c.lefts,
            answered.c.rights,
        )
        .select_from(counted.join(answered, true()))
        .add_cte(pair)
    )
