"""Recording pairwise votes and choosing the next pair. Called by the resident views and the workshop."""

from __future__ import annotations

import math
import random
import secrets
from collections import Counter
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from engage.channels import Channel
from engage.database import upsert_insert
from engage.extensions import db
from engage.idempotency import submitter_key
from engage.jobs.cache import forget, results_changed
from engage.prioritise import logger
from engage.prioritise.models import (
    Exercise,
    ExerciseItem,
    Outcome,
    PairCount,
    PairwiseVote,
    Respondent,
    SkipReason,
)
from engage.respondents import address_hash, respondent_hash
from engage.stats.pairs import first_item_weights, partner_weights

#: How far one vote moves the selection ratings (log-odds scale).
RATING_STEP = 0.2


class VoteRefused(Exception):
    """The vote was not recorded; ``message`` says why in words a resident understands."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class VoteReceipt:
    vote: PairwiseVote
    #: False when the same idempotency key had already been recorded (a retry or double click).
    created: bool
    #: Votes (including skips) this respondent has now made in the exercise.
    respondent_votes: int


#: How long a pair offered on a page can be voted on (seconds).
OFFER_MAX_AGE = 12 * 60 * 60


def _offers() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="engage-pair-offer")


def offer_pair(exercise: Exercise, token: str, left_item_id: int, right_item_id: int) -> str:
    """The form's key for a pair shown to one respondent: signed, it names the exercise, the pair (in the
    order shown), the respondent (a hash of their token) and a random part that makes it a one-off key."""
    who = respondent_hash(token, respondent_scope(exercise))[:16]
    return _offers().dumps([exercise.id, left_item_id, right_item_id, who, secrets.token_hex(8)])


def check_offer(exercise: Exercise, token: str, left_item_id: int, right_item_id: int, offer: str) -> None:
    """Refuse a vote on a pair this respondent was not offered (or was offered too long ago)."""
    try:
        data = _offers().loads(
            offer, max_age=current_app.config.get("ENGAGE_PAIR_OFFER_MAX_AGE", OFFER_MAX_AGE)
        )
    except SignatureExpired:
        # Only a page left open for hours gets here: the usual words (already in every language) do.
        raise VoteRefused(
            "offer", str(_l("Something went wrong with that choice. Here is a new pair."))
        ) from None
    except BadSignature:
        data = None
    who = respondent_hash(token, respondent_scope(exercise))[:16]
    if not (
        isinstance(data, list)
        and len(data) == 5
        and data[:4] == [exercise.id, left_item_id, right_item_id, who]
    ):
        raise VoteRefused("offer", str(_l("Something went wrong with that choice. Here is a new pair.")))


def respondent_scope(exercise: Exercise) -> str:
    return f"exercise:{exercise.id}"


def find_respondent(exercise: Exercise, token: str) -> Respondent | None:
    """The respondent with this cookie token in this exercise, if they have taken part."""
    digest = respondent_hash(token, respondent_scope(exercise))
    return db.session.scalar(
        select(Respondent).where(Respondent.exercise_id == exercise.id, Respondent.token_hash == digest)
    )


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


def count_votes(exercise: Exercise, respondent: Respondent | None) -> int:
    """How many votes (including skips) a respondent has made in an exercise."""
    if respondent is None:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(PairwiseVote)
        .where(PairwiseVote.exercise_id == exercise.id, PairwiseVote.respondent_id == respondent.id)
    )


def _add_to_pair_count(exercise_id: int, left: int, right: int, outcome: Outcome, sign: int = 1) -> None:
    """Add one answer to its pair's counts (``sign=-1`` takes an undone one away)."""
    low, high = sorted((left, right))
    winner = {Outcome.LEFT: left, Outcome.RIGHT: right}.get(outcome)
    values = {
        "low_wins": sign * int(winner == low),
        "high_wins": sign * int(winner == high),
        "skips": sign * int(outcome is Outcome.SKIP),
    }
    insert = upsert_insert(db.session)
    statement = insert(PairCount).values(
        exercise_id=exercise_id, low_item_id=low, high_item_id=high, **values
    )
    statement = statement.on_conflict_do_update(
        index_elements=["exercise_id", "low_item_id", "high_item_id"],
        set_={name: getattr(PairCount, name) + statement.excluded[name] for name in values},
    )
    db.session.execute(statement)


def _move_ratings(winner_id: int, loser_id: int) -> None:
    ratings = dict(
        db.session.execute(
            select(ExerciseItem.id, ExerciseItem.selection_rating).where(
                ExerciseItem.id.in_([winner_id, loser_id])
            )
        ).all()
    )
    surprise = 1.0 / (1.0 + math.exp(ratings[winner_id] - ratings[loser_id]))
    # Lowest id first, always: concurrent votes on pairs that share items (1-2, 2-3, 3-1) could otherwise
    # lock the item rows in a cycle and deadlock on PostgreSQL (found by `make load`: a 503 for one vote).
    for item_id, sign in sorted(((winner_id, 1), (loser_id, -1))):
        db.session.execute(
            update(ExerciseItem)
            .where(ExerciseItem.id == item_id)
            .values(
                comparisons=ExerciseItem.comparisons + 1,
                selection_rating=ExerciseItem.selection_rating + sign * RATING_STEP * surprise,
            )
        )


def _vote_with_key(exercise: Exercise, respondent: Respondent | None, stored_key: str) -> PairwiseVote | None:
    """This respondent's vote stored under this (scoped) key: never anyone else's."""
    if respondent is None:
        return None
    return db.session.scalar(
        select(PairwiseVote).where(
            PairwiseVote.exercise_id == exercise.id,
            PairwiseVote.respondent_id == respondent.id,
            PairwiseVote.idempotency_key == stored_key,
        )
    )


def stored_key(exercise: Exercise, token: str, idempotency_key: str) -> str:
    """What a vote's key is stored as: an HMAC of the key and the respondent's token, so a key only ever
    finds the same person's earlier vote."""
    return submitter_key(respondent_scope(exercise), token, idempotency_key)


def _locked_respondent(exercise: Exercise, token: str, channel: Channel) -> Respondent:
    """The respondent for this token, created if need be, with their row locked to the end of the
    transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already runs one writer at a time), so that their
    concurrent requests are counted one after another and a cap cannot be overrun. Two first requests at
    once (a double click) find the same respondent: the loser of the insert finds the winner's row."""
    digest = respondent_hash(token, respondent_scope(exercise))
    query = (
        select(Respondent)
        .where(Respondent.exercise_id == exercise.id, Respondent.token_hash == digest)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE: votes' foreign keys still insert
    )
    found = db.session.scalar(query)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():  # a clash undoes this insert only
            return _new_respondent(exercise, token, channel)
    except IntegrityError:
        found = db.session.scalar(query.execution_options(populate_existing=True))
        if found is None:
            raise
        return found


def record_pairwise_vote(
    exercise: Exercise,
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
) -> VoteReceipt:
    """Store one vote and update the pair counts, in the caller's unit of work. The same person re-sending
    a key stores nothing and gets their own vote back; a refusal writes nothing.

    ``workshop_limit``: the most choices one person may make during the workshop ``workshop_session_id``.
    """
    key = stored_key(exercise, token, idempotency_key)
    existing = _vote_with_key(exercise, find_respondent(exercise, token), key)
    if existing is not None:
        respondent = db.session.get(Respondent, existing.respondent_id)
        return VoteReceipt(existing, False, count_votes(exercise, respondent))
    if not exercise.accepting_votes():
        raise VoteRefused("closed", str(_l("This exercise is not taking votes at the moment.")))
    in_exercise = db.session.scalar(
        select(func.count())
        .select_from(ExerciseItem)
        .where(
            ExerciseItem.exercise_id == exercise.id,
            ExerciseItem.active.is_(True),
            ExerciseItem.id.in_([left_item_id, right_item_id]),
        )
    )
    if left_item_id == right_item_id or in_exercise != 2:
        raise VoteRefused("pair", str(_l("That pair is not part of this exercise. Here is a new pair.")))
    if outcome is not Outcome.SKIP:
        skip_reason = None

    # From here on this respondent's row is locked: their other requests wait, so the count is true.
    respondent = _locked_respondent(exercise, token, channel)
    existing = _vote_with_key(exercise, respondent, key)
    if existing is not None:  # a double click whose first copy finished while this one waited
        return VoteReceipt(existing, False, count_votes(exercise, respondent))
    made = count_votes(exercise, respondent)
    if made >= exercise.max_votes_per_respondent:
        raise VoteRefused(
            "cap",
            str(_l("You have made the most choices this exercise takes. Thank you: you can finish now.")),
        )
    if workshop_limit and workshop_votes(respondent, workshop_session_id) >= workshop_limit:
        raise VoteRefused("round", str(_l("Thank you: you have finished this round")))
    vote = PairwiseVote(
        exercise_id=exercise.id,
        respondent_id=respondent.id,
        left_item_id=left_item_id,
        right_item_id=right_item_id,
        outcome=outcome,
        skip_reason=skip_reason,
        channel=channel,
        locale=locale,
        workshop_session_id=workshop_session_id,
        idempotency_key=key,
    )
    db.session.add(vote)
    db.session.flush()
    if respondent.excluded_at is None:  # an excluded respondent's votes are kept but count for nothing
        _add_to_pair_count(exercise.id, left_item_id, right_item_id, outcome)
        if vote.winner_id is not None:
            _move_ratings(vote.winner_id, vote.loser_id)
    results_changed("exercise", exercise.id)
    logger.debug("vote %s in exercise %s", vote.id, exercise.id)
    return VoteReceipt(vote, True, made + 1)


def workshop_votes(respondent: Respondent | None, workshop_session_id: int | None) -> int:
    """Choices (skips too) this respondent has made during one workshop."""
    if respondent is None or workshop_session_id is None:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(PairwiseVote)
        .where(
            PairwiseVote.respondent_id == respondent.id,
            PairwiseVote.workshop_session_id == workshop_session_id,
        )
    )


def _comparisons_with(exercise_id: int, item_id: int) -> dict[int, int]:
    """How often each other item has been shown with ``item_id``: two index seeks, one per side of the pair.

    SQLite without table statistics may scan the exercise's pairs for the higher-item side, so that query
    names its index (the hint is ignored by PostgreSQL).
    """
    shown = PairCount.low_wins + PairCount.high_wins + PairCount.skips
    as_low = select(PairCount.high_item_id, shown).where(
        PairCount.exercise_id == exercise_id, PairCount.low_item_id == item_id
    )
    as_high = (
        select(PairCount.low_item_id, shown)
        .where(PairCount.exercise_id == exercise_id, PairCount.high_item_id == item_id)
        .with_hint(PairCount, "INDEXED BY ix_pair_counts_high_item", "sqlite")
    )
    return dict(db.session.execute(as_low).all()) | dict(db.session.execute(as_high).all())


def choose_pair(
    exercise: Exercise, respondent: Respondent | None, rng: random.Random | None = None
) -> tuple[ExerciseItem, ExerciseItem] | None:
    """The next pair to show: a rarely compared item, against one rarely paired with it.

    Reads one row per item and one per pair that includes the first item, never the votes; the respondent's
    previous pair is never shown again straight away. The choice depends on how often items and pairs were
    shown, not on who won (engage.stats.pairs explains why: choosing by rating biased scores towards 50).
    """
    rng = rng or random.Random()  # not for security
    # Plain rows, not ORM objects: an exercise may have hundreds of items and this runs on every vote.
    # In a fixed order (by id): PostgreSQL returns updated rows in a new order, and the random draws below
    # must pick the same items for the same counts.
    items = db.session.execute(
        select(ExerciseItem.id, ExerciseItem.comparisons)
        .where(ExerciseItem.exercise_id == exercise.id, ExerciseItem.active.is_(True))
        .order_by(ExerciseItem.id)
    ).all()
    # Not again to the same person until they have seen the others: only pairs they have answered least.
    shown = _pairs_answered_by(exercise, respondent)
    times = Counter(shown)
    items, fewest = _items_with_fresh_pairs(items, times)
    if len(items) < 2:
        return None
    first = rng.choices(items, weights=list(first_item_weights([item.comparisons for item in items])))[0]
    seen = _comparisons_with(exercise.id, first.id)
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
    pair = [db.session.get(ExerciseItem, first.id), db.session.get(ExerciseItem, second.id)]
    rng.shuffle(pair)
    return pair[0], pair[1]


def _pairs_answered_by(exercise: Exercise, respondent: Respondent | None) -> list[frozenset[int]]:
    """The pairs one respondent has answered (skips too), oldest first: their own votes and no one else's."""
    if respondent is None:
        return []
    rows = db.session.execute(
        select(PairwiseVote.left_item_id, PairwiseVote.right_item_id)
        .where(PairwiseVote.exercise_id == exercise.id, PairwiseVote.respondent_id == respondent.id)
        .order_by(PairwiseVote.id)
    ).all()
    return [frozenset(row) for row in rows]


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
    """Delete this respondent's last choice made on the resident pages, with its share of the pair counts,
    the items' comparisons and ratings, in the caller's unit of work. Only the holder of the token can undo,
    and only their own latest choice; workshop choices stay. Returns the deleted vote, or None."""
    respondent = find_respondent(exercise, token)
    if respondent is None or not exercise.accepting_votes():
        return None
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
        if vote.winner_id is not None:
            _unmove_ratings(vote.winner_id, vote.loser_id)
    db.session.execute(delete(PairwiseVote).where(PairwiseVote.id == vote.id))
    forget("exercise", exercise.id)  # the next vote may be given this vote's id (SQLite)
    results_changed("exercise", exercise.id)
    db.session.flush()
    logger.debug("vote %s in exercise %s undone", vote.id, exercise.id)
    return vote


def _unmove_ratings(winner_id: int, loser_id: int) -> None:
    """The reverse of _move_ratings: the step it took is found from the ratings it left (a few rounds of
    fixed-point iteration; the step changes slowly with the gap, so they converge at once)."""
    ratings = dict(
        db.session.execute(
            select(ExerciseItem.id, ExerciseItem.selection_rating).where(
                ExerciseItem.id.in_([winner_id, loser_id])
            )
        ).all()
    )
    gap_after = ratings[winner_id] - ratings[loser_id]
    gap = gap_after
    for _ in range(20):
        gap = gap_after - 2 * RATING_STEP / (1.0 + math.exp(gap))
    moved = RATING_STEP / (1.0 + math.exp(gap))
    for item_id, sign in sorted(((winner_id, 1), (loser_id, -1))):
        db.session.execute(
            update(ExerciseItem)
            .where(ExerciseItem.id == item_id)
            .values(
                comparisons=ExerciseItem.comparisons - 1,
                selection_rating=ExerciseItem.selection_rating - sign * moved,
            )
        )
