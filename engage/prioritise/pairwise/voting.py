"""Recording pairwise votes and choosing the next pair. Called by the resident views and the workshop."""

from __future__ import annotations

import functools
import os
import random
import secrets
from collections import Counter
from dataclasses import dataclass, replace
from typing import Protocol

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Connection, Engine, Executable, Select, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from engage import driver_sql
from engage.channels import Channel
from engage.database import table_of, utcnow
from engage.extensions import db
from engage.jobs.cache import forget, results_changed
from engage.prioritise import logger
from engage.prioritise.models import (
    Exercise,
    ExerciseItem,
    Outcome,
    PairwiseVote,
    Respondent,
    SkipReason,
    UndoneVote,
)
from engage.prioritise.pairwise import chooser, statements
from engage.prioritise.pairwise.chooser import PairItem
from engage.respondents import (
    LockedRespondent,
    VoteRefused,
    address_hash,
    find_respondent,
    lock_respondent,
    respondent_hash,
    respondent_scope,
    stored_key,
)
from engage.signing import serializer
from engage.stats.pairs import first_item_weights, partner_weights
from engage.transactions import begun_session


class VotingExercise(Protocol):
    """What voting needs of an exercise: the ORM row, or the pair pages' copy (chooser.PairExercise)."""

    @property
    def id(self) -> int: ...

    def accepting_votes(self) -> bool: ...


@dataclass(frozen=True)
class VoteReceipt:
    vote_id: int
    respondent_id: int
    #: False when the same idempotency key had already been recorded (a retry or double click).
    created: bool
    #: Votes (including skips) this respondent has now made in the exercise.
    respondent_votes: int
    #: The pairs they had answered before this vote, oldest first, when the statement that stored it read
    #: them too (PostgreSQL: ``statements.vote_in_one_statement``); None when it did not.
    answered_before: list[frozenset[int]] | None = None

    @property
    def vote(self) -> PairwiseVote:
        """The stored vote (read when asked for: the resident's page does not need it)."""
        vote = db.session.get(PairwiseVote, self.vote_id)
        assert vote is not None
        return vote


#: Said to a person whose choices have reached the exercise's cap.
CAP_REACHED = _l("You have made the most choices this exercise takes. Thank you: you can finish now.")

#: How long a pair offered on a page can be voted on (seconds).
OFFER_MAX_AGE = 12 * 60 * 60


def _offers() -> URLSafeTimedSerializer:
    return serializer(URLSafeTimedSerializer, "engage-pair-offer")


def offer_pair(exercise: VotingExercise, token: str, left_item_id: int, right_item_id: int) -> str:
    """The form's key for a pair shown to one respondent: signed, it names the exercise, the pair (in the
    order shown), the respondent (a hash of their token) and a random part that makes it a one-off key."""
    who = respondent_hash(token, respondent_scope(exercise))[:16]
    return _offers().dumps([exercise.id, left_item_id, right_item_id, who, secrets.token_hex(8)])


def check_offer(
    exercise: VotingExercise, token: str, left_item_id: int, right_item_id: int, offer: str
) -> None:
    """Refuse a vote on a pair this respondent was not offered (or was offered too long ago)."""
    try:
        data = _offers().loads(
            offer, max_age=current_app.config.get("ENGAGE_PAIR_OFFER_MAX_AGE", OFFER_MAX_AGE)
        )
    except SignatureExpired:
        # Only a page left open for hours gets here: the usual words (already in every language) do.
        raise _offer_refused() from None
    except BadSignature:
        data = None
    who = respondent_hash(token, respondent_scope(exercise))[:16]
    if not (
        isinstance(data, list)
        and len(data) == 5
        and data[:4] == [exercise.id, left_item_id, right_item_id, who]
    ):
        raise _offer_refused()


def _offer_refused() -> VoteRefused:
    """A vote refused with a new pair: an offer not signed for this person and pair, or expired (only a page
    left open for hours: the usual words, already in every language, do), or a repeat whose stored vote has
    gone since (undone)."""
    return VoteRefused("offer", str(_l("Something went wrong with that choice. Here is a new pair.")))


def _run(statement: Executable, values: dict) -> driver_sql.Rows:
    """A Core statement (built once, on tables, not models) on the session's connection, in its
    transaction, sent straight to the driver (engage.driver_sql): a vote sends up to four, and SQLAlchemy's
    ``execute`` cost about 0.2 ms more per vote than this on either database (the session's own ``execute``
    another 7 microseconds a statement, for no autoflush and no entities to load)."""
    return driver_sql.run(db.session.connection(), statement, values)


#: Chooses pairs (not for security): one per process, made afresh in each forked worker so that workers do
#: not show the same sequence (making one per vote cost about 8 microseconds, seeding it from the system).
_CHOOSING = random.Random()
os.register_at_fork(after_in_child=_CHOOSING.seed)


@functools.cache
def _respondent_id_query():
    table = table_of(Respondent)
    return select(table.c.id).where(
        table.c.exercise_id == bindparam("exercise_id"), table.c.token_hash == bindparam("token_hash")
    )


def find_respondent_id(exercise: VotingExercise, token: str) -> int | None:
    """``find_respondent``'s id only (no ORM object): the pair page needs no more."""
    return _run(
        _respondent_id_query(),
        {"exercise_id": exercise.id, "token_hash": respondent_hash(token, respondent_scope(exercise))},
    ).scalar()


def get_or_create_respondent(exercise: Exercise, token: str, channel: Channel = Channel.ONLINE) -> Respondent:
    """The respondent for this token, created on their first act (in the caller's transaction)."""
    return find_respondent(exercise, token) or _new_respondent(exercise, token, channel)


def _new_respondent(exercise: Exercise, token: str, channel: Channel) -> Respondent:
    respondent = Respondent(
        exercise_id=exercise.id,
        token_hash=respondent_hash(token, respondent_scope(exercise)),
        channel=channel,
        address_hash=address_hash(request.remote_addr) if has_request_context() else None,
    )
    db.session.add(respondent)
    db.session.flush()
    return respondent


def count_votes(exercise: VotingExercise, respondent_id: int | None) -> int:
    """How many votes (including skips) a respondent (their id; None: not one yet) has made in an exercise."""
    if respondent_id is None:
        return 0
    return db.session.execute(
        select(func.count())
        .select_from(PairwiseVote)
        .where(PairwiseVote.exercise_id == exercise.id, PairwiseVote.respondent_id == respondent_id)
    ).scalar_one()


def _pair_count_values(exercise_id: int, left: int, right: int, outcome: Outcome, sign: int = 1) -> dict:
    """The pair-count upsert's values for one answer (``sign=-1`` takes an undone one away)."""
    low, high = sorted((left, right))
    winner = {Outcome.LEFT: left, Outcome.RIGHT: right}.get(outcome)
    return {
        "exercise_id": exercise_id,
        "low_item_id": low,
        "high_item_id": high,
        "low_wins": sign * int(winner == low),
        "high_wins": sign * int(winner == high),
        "skips": sign * int(outcome is Outcome.SKIP),
    }


def _add_to_pair_count(exercise_id: int, left: int, right: int, outcome: Outcome, sign: int = 1) -> None:
    """Add one answer to its pair's counts (``sign=-1`` takes an undone one away)."""
    statement = statements.pair_count_upsert(db.session.get_bind().dialect.name)
    _run(statement, _pair_count_values(exercise_id, left, right, outcome, sign))


def _vote_with_key(
    exercise: VotingExercise, respondent_id: int | None, stored_key: str
) -> PairwiseVote | None:
    """This respondent's vote stored under this (scoped) key: never anyone else's."""
    if respondent_id is None:
        return None
    return db.session.scalar(
        select(PairwiseVote).where(
            PairwiseVote.exercise_id == exercise.id,
            PairwiseVote.respondent_id == respondent_id,
            PairwiseVote.idempotency_key == stored_key,
        )
    )


def _locked_respondent(exercise: Exercise, token: str, channel: Channel) -> Respondent:
    """The respondent (an ORM object) for this token, created if need be, with their row locked."""
    locked = lock_respondent(exercise, token, channel)
    respondent = db.session.get(Respondent, locked.id, populate_existing=True)
    assert respondent is not None
    return respondent


def _pair_is_in_exercise(exercise: VotingExercise, left_item_id: int, right_item_id: int) -> bool:
    """Two different active items of this exercise. Once open, an exercise only ever gains items, so the
    chooser's copy answers "yes"; an id it does not know (an item added since) is looked up."""
    if left_item_id == right_item_id:
        return False
    if {left_item_id, right_item_id} <= chooser.active_item_ids(exercise.id):
        return True
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ExerciseItem)
            .where(
                ExerciseItem.exercise_id == exercise.id,
                ExerciseItem.active.is_(True),
                ExerciseItem.id.in_([left_item_id, right_item_id]),
            )
        )
        == 2
    )


def _counting_values(exercise: VotingExercise, token: str, channel: Channel) -> dict:
    """``statements.counting_in``'s values: who (their token's hash), by which channel, when, from where."""
    return {
        "exercise_id": exercise.id,
        "token_hash": respondent_hash(token, respondent_scope(exercise)),
        "channel": channel,
        "now": utcnow(),
        "address_hash": address_hash(request.remote_addr) if has_request_context() else None,
    }


def _locked(row) -> LockedRespondent | None:
    return None if row is None else LockedRespondent(row.id, row.excluded_at is not None, row.choices)


def _count_in(exercise: VotingExercise, token: str, channel: Channel, key: str) -> LockedRespondent | None:
    """The respondent, locked, with the choice stored under ``key`` counted (``choices`` includes it); None
    when nothing was counted: the exercise is not taking votes, the person has made as many choices as it
    takes, that choice is stored or undone already, or an undo came in between (``_not_counted``)."""
    statement = statements.counting_in(db.session.get_bind().dialect.name)
    values = {**_counting_values(exercise, token, channel), "idempotency_key": key}
    return _locked(_run(statement, values).one_or_none())


class _Repeated(Exception):
    """A vote stored on its own whose key was already stored: PostgreSQL undid the statement."""


def _stored_in_one_statement(
    exercise: VotingExercise, token: str, vote: dict, alone_on: Engine | None = None
) -> tuple[LockedRespondent | None, int | None, list[frozenset[int]] | None]:
    """PostgreSQL: the respondent counted in, the vote stored and its pair counted in one statement
    (``statements.vote_in_one_statement``): the respondent (None: nothing written), the vote's id (None:
    a copy sent at the same moment stored its key first, and the choice is counted and must be taken back)
    and the pairs they had answered before.

    ``alone_on``: the engine to send the statement on as a transaction by itself, on a connection of its
    own from the pool in autocommit (no BEGIN or COMMIT: SQLAlchemy sets psycopg's autocommit for this
    checkout only, and resets it on return), without the request's session: a vote that needs nothing else
    from the database never makes one (making it, beginning it and ending it cost about 0.15 ms of a vote's
    1.14 ms of processor time in process: PostgreSQL, the served settings, 2026-11-30). A copy sent at the
    same moment as its first then raises ``_Repeated``, with nothing written."""
    values = {
        **_counting_values(exercise, token, vote["channel"]),
        **vote,
        **_pair_count_values(exercise.id, vote["left_item_id"], vote["right_item_id"], vote["outcome"]),
    }
    statement = statements.vote_in_one_statement(alone_on is not None)
    if alone_on is not None:
        try:
            with alone_on.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                row = driver_sql.run(connection, statement, values).one_or_none()
        except IntegrityError as error:
            if getattr(getattr(error.orig, "diag", None), "constraint_name", None) != statements.VOTE_KEY:
                raise
            raise _Repeated from None
    else:
        row = _run(statement, values).one_or_none()
    if row is None:
        return None, None, None
    pairs = zip(row.lefts or [], row.rights or [], strict=True)
    return _locked(row), row.vote_id, [frozenset(pair) for pair in pairs]


def _uncount(respondent_id: int) -> None:
    """Take back a choice counted that was not stored after all (a workshop round's refusal, or a copy
    that raced its first)."""
    people = table_of(Respondent)
    db.session.execute(
        update(people).where(people.c.id == respondent_id).values(choices=people.c.choices - 1)
    )


def _earlier_vote(exercise: VotingExercise, respondent_id: int, key: str) -> VoteReceipt:
    """The receipt for a vote this respondent already stored under this key (a retry or double click)."""
    existing = _vote_with_key(exercise, respondent_id, key)
    if existing is None:  # the key is scoped to the token: only an HMAC collision gets here
        raise VoteRefused("pair", str(_l("That pair is not part of this exercise. Here is a new pair.")))
    return _receipt_for(exercise, respondent_id, existing)


def _receipt_for(exercise: VotingExercise, respondent_id: int, existing: PairwiseVote) -> VoteReceipt:
    """The receipt for a vote stored before, with the person's choices as they are now."""
    return VoteReceipt(existing.id, respondent_id, False, count_votes(exercise, respondent_id))


def _closed() -> VoteRefused:
    return VoteRefused("closed", str(_l("This exercise is not taking votes at the moment.")))


def _own_earlier_vote(exercise: VotingExercise, respondent_id: int | None, key: str) -> VoteReceipt | None:
    """The receipt for the vote this person (their id; None: not one yet) already stored under this key, or
    None."""
    existing = _vote_with_key(exercise, respondent_id, key)
    if respondent_id is None or existing is None:
        return None
    return _receipt_for(exercise, respondent_id, existing)


def _refused_or_earlier(exercise: VotingExercise, token: str, key: str, refusal: VoteRefused) -> VoteReceipt:
    """A refused vote that this person had already stored under this key (the last one allowed, or one
    made just before the exercise closed, sent again) gets its receipt; any other is refused."""
    earlier = _own_earlier_vote(exercise, find_respondent_id(exercise, token), key)
    if earlier is None:
        raise refusal
    return earlier


def record_pairwise_vote(
    exercise: VotingExercise,
    token: str,
    *,
    left_item_id: int,
    right_item_id: int,
    outcome: Outcome,
    idempotency_key: str,
    skip_reason: SkipReason | None = None,
    channel: Channel = Channel.ONLINE,
    locale: str = "en",
    workshop_session_id: int | None = None,
    workshop_limit: int | None = None,
    on_its_own: bool = False,
) -> VoteReceipt:
    """Store one vote and update the pair counts, in the caller's unit of work (or, ``on_its_own``, as a
    transaction by itself: see below). The same person re-sending
    a key stores nothing and gets their own vote back; a refusal writes nothing (but the respondent).

    Three statements (``statements``): the respondent found or created, locked and their choice counted,
    only while the exercise takes votes, they are under its cap and the key is neither stored nor undone
    (``counting_in``: a repeat or a late copy of an undone vote counts nothing); the vote inserted with its
    key's uniqueness as the idempotency check for a copy sent at the same moment (``vote_insert``); the pair
    count upserted (``pair_count_upsert``). On PostgreSQL the three are sent as one
    (``vote_in_one_statement``), but in a workshop round with a per-person limit (checked between the first
    two). Such a racing copy, or a refusal after counting, takes the count back.

    ``exercise``: the ORM row or the pair pages' copy (its word that the exercise takes votes is checked
    again by the counting statement). ``workshop_limit``: the most choices one person may make during the
    workshop ``workshop_session_id``. ``on_its_own``: the caller's unit of work writes nothing else, before
    or after the vote. On PostgreSQL, when its session has not begun a transaction, the one statement is
    then a transaction by itself (autocommit), sent without the session: no BEGIN and COMMIT round trips,
    two of the vote's three. A copy racing its first is then refused by the key's uniqueness, which undoes
    the whole statement, and is answered from the vote already stored.
    """
    key = stored_key(exercise, token, idempotency_key)
    if not exercise.accepting_votes():
        return _refused_or_earlier(exercise, token, key, _closed())
    if not _pair_is_in_exercise(exercise, left_item_id, right_item_id):
        raise VoteRefused("pair", str(_l("That pair is not part of this exercise. Here is a new pair.")))
    if outcome is not Outcome.SKIP:
        skip_reason = None

    vote = {
        "exercise_id": exercise.id,
        "left_item_id": left_item_id,
        "right_item_id": right_item_id,
        "outcome": outcome,
        "skip_reason": skip_reason,
        "channel": channel,
        "locale": locale,
        "workshop_session_id": workshop_session_id,
        "idempotency_key": key,
        "created_at": utcnow(),
    }
    # From here on this respondent's row is locked: their other requests wait, so the counter is true.
    bind = _bind()
    dialect = bind.dialect.name
    one_statement = not workshop_limit and vote_reads_answered(bind)
    # Alone only on a connection of its own from the pool: the database not a connection its caller holds in
    # a transaction (as the tests' is), and (checked on each try) nothing begun in the request's session.
    pool = bind if isinstance(bind, Engine) and one_statement and on_its_own else None
    for attempt in (1, 2):
        alone = pool if pool is not None and begun_session() is None else None
        if one_statement:
            try:
                respondent, vote_id, answered = _stored_in_one_statement(exercise, token, vote, alone)
            except _Repeated:
                return _refused_or_earlier(exercise, token, key, _offer_refused())
        else:
            _pair_counts_first(dialect)
            respondent, vote_id, answered = _count_in(exercise, token, channel, key), None, None
        if respondent is not None:
            break
        earlier = _not_counted(exercise, token, key, last_try=attempt == 2)
        if earlier is not None:
            return earlier
    assert respondent is not None, "the second try counts the vote, or refuses it"
    if workshop_limit and workshop_votes(respondent.id, workshop_session_id) >= workshop_limit:
        _uncount(respondent.id)
        refusal = VoteRefused("round", str(_l("Thank you: you have finished this round")))
        return _refused_or_earlier(exercise, token, key, refusal)
    if not one_statement:
        insert = statements.vote_insert(dialect)
        vote_id = _run(insert, {**vote, "respondent_id": respondent.id}).scalar()
    if vote_id is None:  # a double click whose first copy finished while this one waited
        assert alone is None, "a vote on its own is refused by its key's uniqueness, not taken back after"
        _uncount(respondent.id)
        return replace(_earlier_vote(exercise, respondent.id, key), answered_before=answered)
    if not respondent.excluded:  # an excluded respondent's votes are kept but count for nothing
        if not one_statement:
            _add_to_pair_count(exercise.id, left_item_id, right_item_id, outcome)
        chooser.note_vote(exercise.id, left_item_id, right_item_id, outcome is not Outcome.SKIP)
    results_changed("exercise", exercise.id, committed=alone is not None)
    logger.debug("a vote in exercise %s", exercise.id)  # not its id (docs/privacy.md, logs)
    return VoteReceipt(vote_id, respondent.id, True, respondent.choices, answered)


def _not_counted(exercise: VotingExercise, token: str, key: str, last_try: bool) -> VoteReceipt | None:
    """Why the counting statement counted nothing, read afresh: a copy of a vote stored (its receipt), the
    exercise closed, a copy of a vote taken back, or the person at the cap (each refused as such). None:
    none of those, so an undo came between the statement's snapshot and the person's row (or their row was
    made meanwhile, by another of their first requests): the caller tries once more. On the ``last_try``
    that is refused with a new pair."""
    person = find_respondent(exercise, token)
    earlier = _own_earlier_vote(exercise, person.id if person is not None else None, key)
    if earlier is not None:  # a double click or a retry whose first copy has been stored
        return earlier
    fresh = db.session.get(Exercise, exercise.id, populate_existing=True)
    if fresh is None or not fresh.accepting_votes():
        raise _closed()
    if _was_undone(exercise.id, key):  # a late copy of a vote its respondent has taken back since
        raise _offer_refused()
    if person is not None and person.choices >= fresh.max_votes_per_respondent:
        raise VoteRefused("cap", str(CAP_REACHED))
    if last_try:
        raise _offer_refused()
    return None


def _was_undone(exercise_id: int, key: str) -> bool:
    """Whether the vote stored under ``key`` was taken back by its respondent (``UndoneVote``)."""
    found = select(UndoneVote.id).where(
        UndoneVote.exercise_id == exercise_id, UndoneVote.idempotency_key == key
    )
    return db.session.scalar(found) is not None


def _pair_counts_first(dialect: str | None = None) -> None:
    """PostgreSQL: lock the pair counts before a respondent's row, when the pair count is written by a
    statement of its own after that row is locked (a vote in several statements, an undo). The one-statement
    vote takes them in this order anyway (relations are locked before rows), and a rebuild of the counts
    (``counts.hold_pair_counts``: an exclusion, say) holds them first too. So neither waits for the other in
    turn: without it, an undo and an exclusion of the same person each waited for the other, and
    PostgreSQL ended one of them with a deadlock error. ``dialect``: the session's, when the caller has it."""
    if (dialect or db.session.get_bind().dialect.name) == "postgresql":
        db.session.execute(statements.PAIR_COUNTS_FOR_A_VOTE)


def _bind() -> Engine | Connection:
    """The database the request's session uses (its engine; in the tests, the connection each test holds in
    a transaction), found without making the session."""
    return db.engine


def vote_reads_answered(bind: Engine | Connection | None = None) -> bool:
    """Whether storing a resident's vote also reads the pairs they had answered (``VoteReceipt.
    answered_before``): on PostgreSQL, where the vote is one statement. ``bind``: the database, when the
    caller has it already."""
    return (bind if bind is not None else _bind()).dialect.name == "postgresql"


def recount_choices(exercise_id: int, respondent_ids: list[int] | None = None) -> int:
    """Set respondents' choice counters from their votes (after votes were removed by a paper correction,
    or by `rebuild-counts`); returns how many counters were wrong."""
    votes = (
        select(func.count())
        .select_from(PairwiseVote)
        .where(PairwiseVote.respondent_id == Respondent.id)
        .scalar_subquery()
    )
    where = [Respondent.exercise_id == exercise_id]
    if respondent_ids is not None:
        where.append(Respondent.id.in_(respondent_ids))
    wrong = db.session.scalar(
        select(func.count()).select_from(Respondent).where(*where, Respondent.choices != votes)
    )
    if wrong:
        db.session.execute(
            update(Respondent)
            .where(*where)
            .values(choices=votes)
            .execution_options(synchronize_session=False)
        )
    return wrong or 0


def workshop_votes(respondent_id: int | None, workshop_session_id: int | None) -> int:
    """Choices (skips too) this respondent has made during one workshop."""
    if respondent_id is None or workshop_session_id is None:
        return 0
    return db.session.execute(
        select(func.count())
        .select_from(PairwiseVote)
        .where(
            PairwiseVote.respondent_id == respondent_id,
            PairwiseVote.workshop_session_id == workshop_session_id,
        )
    ).scalar_one()


def choose_pair(
    exercise: VotingExercise,
    respondent: Respondent | None,
    rng: random.Random | None = None,
    *,
    respondent_id: int | None = None,
    answered: list[frozenset[int]] | None = None,
) -> tuple[PairItem, PairItem] | None:
    """The next pair to show: a rarely compared item, against one rarely paired with it.

    Reads the worker's copy of the items and pair counts (chooser.py) and the pairs this respondent has
    answered (one query; ``respondent`` or ``respondent_id``, or ``answered`` as ``pairs_answered_by`` read
    them), never anyone's votes; the respondent's
    previous pair is never shown again straight away. The choice depends on how often items and pairs were
    shown, not on who won (engage.stats.pairs explains why: choosing by rating biased scores towards 50).
    """
    rng = rng or _CHOOSING
    state = chooser.exercise_state(exercise.id)
    # Not again to the same person until they have seen the others: only pairs they have answered least.
    if answered is None:
        answered = pairs_answered_by(exercise, respondent.id if respondent is not None else respondent_id)
    shown = answered
    times = Counter(shown)
    items, fewest = _items_with_fresh_pairs(list(state.items), times)
    if len(items) < 2:
        return None
    exposure = [state.decisive.get(item.id, 0) for item in items]
    first = rng.choices(items, weights=list(first_item_weights(exposure)))[0]
    seen = state.together.get(first.id, {})
    last_pair = set(shown[-1]) if shown else set()
    others = [
        item
        for item in items
        if item.id != first.id
        and times[frozenset((first.id, item.id))] <= fewest
        and {first.id, item.id} != last_pair
    ]
    if not others:
        others = [item for item in items if item.id != first.id]
    weights = partner_weights([seen.get(item.id, 0) for item in others])
    second = rng.choices(others, weights=list(weights))[0]
    pair = [first, second]
    rng.shuffle(pair)
    return pair[0], pair[1]


@functools.cache
def _answered_query() -> Select[int, int]:
    return (
        select(PairwiseVote.left_item_id, PairwiseVote.right_item_id)
        .where(
            PairwiseVote.exercise_id == bindparam("exercise_id"),
            PairwiseVote.respondent_id == bindparam("respondent"),
        )
        .order_by(PairwiseVote.id)
    )


def pairs_answered_by(exercise: VotingExercise, respondent_id: int | None) -> list[frozenset[int]]:
    """The pairs one respondent has answered (skips too), oldest first: their own votes and no one else's."""
    if respondent_id is None:
        return []
    rows = db.session.execute(_answered_query(), {"exercise_id": exercise.id, "respondent": respondent_id})
    return [frozenset((left, right)) for left, right in rows]


@functools.cache
def _answered_with_token_query() -> Select[int, int]:
    votes, people = table_of(PairwiseVote), table_of(Respondent)
    return (
        select(votes.c.left_item_id, votes.c.right_item_id)
        .join(people, people.c.id == votes.c.respondent_id)
        .where(
            people.c.exercise_id == bindparam("exercise_id"),
            people.c.token_hash == bindparam("token_hash"),
            votes.c.exercise_id == bindparam("exercise_id"),
        )
        .order_by(votes.c.id)
    )


def pairs_answered_with(exercise: VotingExercise, token: str) -> list[frozenset[int]]:
    """``pairs_answered_by`` for the holder of this token, in one query (no respondent id needed first)."""
    digest = respondent_hash(token, respondent_scope(exercise))
    values = {"exercise_id": exercise.id, "token_hash": digest}
    rows = _run(_answered_with_token_query(), values)
    return [frozenset((row.left_item_id, row.right_item_id)) for row in rows]


def _items_with_fresh_pairs(items: list, times: Counter) -> tuple[list, int]:
    """The items that still have a partner in a pair this person has answered the fewest times, and that
    number (0 until they have answered every pair once, then 1, ...). An item's fresh partner has it as a
    fresh partner too, so every fresh pair is between two of the items returned."""
    ids = {item.id for item in items}
    current = {pair: n for pair, n in times.items() if pair <= ids}
    every_pair = len(ids) * (len(ids) - 1) // 2
    fewest = min(current.values()) if current and len(current) == every_pair else 0
    partners_used = Counter(item_id for pair, n in current.items() if n > fewest for item_id in pair)
    return [item for item in items if partners_used[item.id] < len(ids) - 1], fewest


def undo_last_vote(exercise: Exercise, token: str) -> PairwiseVote | None:
    """Delete this respondent's last choice made on the resident pages, with its share of the pair counts
    and of their choice counter, in the caller's unit of work. Only the holder of the token can undo, and
    only their own latest choice; workshop choices stay. Returns the deleted vote, or None."""
    respondent = find_respondent(exercise, token)
    if respondent is None or not exercise.accepting_votes():
        return None
    _pair_counts_first()  # the undo writes a pair count after locking the respondent's row
    respondent = _locked_respondent(exercise, token, respondent.channel)  # one undo or vote at a time
    vote = db.session.scalar(
        select(PairwiseVote)
        .where(PairwiseVote.exercise_id == exercise.id, PairwiseVote.respondent_id == respondent.id)
        .order_by(PairwiseVote.id.desc())
        .limit(1)
    )
    if vote is None or vote.workshop_session_id is not None:
        return None
    if respondent.excluded_at is None:  # only counted votes were added to the counts
        _add_to_pair_count(exercise.id, vote.left_item_id, vote.right_item_id, vote.outcome, sign=-1)
    db.session.execute(delete(PairwiseVote).where(PairwiseVote.id == vote.id))
    # Its key is kept, so that a copy of the vote still on its way is not stored again (``_was_undone``).
    db.session.execute(
        statements.undone_insert(db.session.get_bind().dialect.name),
        {"exercise_id": exercise.id, "idempotency_key": vote.idempotency_key, "undone_at": utcnow()},
    )
    respondent.choices -= 1
    respondent.undos += 1  # for a vote already waiting for this row (``statements.counting_in``)
    forget("exercise", exercise.id)  # the next vote may be given this vote's id (SQLite)
    results_changed("exercise", exercise.id)
    db.session.flush()
    chooser.forget(exercise.id)
    logger.debug("a vote in exercise %s undone", exercise.id)
    return vote
