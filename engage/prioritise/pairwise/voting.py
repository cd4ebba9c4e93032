"""Recording pairwise votes and choosing the next pair. Called by the resident views and the workshop."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from engage.channels import Channel
from engage.database import upsert_insert
from engage.extensions import db
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


def _add_to_pair_count(exercise_id: int, left: int, right: int, outcome: Outcome) -> None:
    low, high = sorted((left, right))
    winner = {Outcome.LEFT: left, Outcome.RIGHT: right}.get(outcome)
    values = {
        "low_wins": int(winner == low),
        "high_wins": int(winner == high),
        "skips": int(outcome is Outcome.SKIP),
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


def _vote_with_key(exercise: Exercise, idempotency_key: str) -> PairwiseVote | None:
    return db.session.scalar(
        select(PairwiseVote).where(
            PairwiseVote.exercise_id == exercise.id, PairwiseVote.idempotency_key == idempotency_key
        )
    )


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
) -> VoteReceipt:
    """Store one vote and update the pair counts, in the caller's unit of work. Re-sending a key stores
    nothing; a refusal writes nothing."""
    existing = _vote_with_key(exercise, idempotency_key)
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

    # Every refusal comes before anything is written: a refused vote leaves no trace (not even a respondent).
    respondent = find_respondent(exercise, token)
    made = count_votes(exercise, respondent)
    if made >= exercise.max_votes_per_respondent:
        raise VoteRefused(
            "cap",
            str(_l("You have made the most choices this exercise takes. Thank you: you can finish now.")),
        )
    respondent = respondent or _new_respondent(exercise, token, channel)
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
        idempotency_key=idempotency_key,
    )
    try:
        with db.session.begin_nested():  # a savepoint: a clash undoes this insert only
            db.session.add(vote)
    except IntegrityError:
        # Two copies of the same post raced and the other one won: return it. Any other clash is a bug.
        winner = _vote_with_key(exercise, idempotency_key)
        if winner is None:
            raise
        return VoteReceipt(
            winner, False, count_votes(exercise, db.session.get(Respondent, winner.respondent_id))
        )
    if respondent.excluded_at is None:  # an excluded respondent's votes are kept but count for nothing
        _add_to_pair_count(exercise.id, left_item_id, right_item_id, outcome)
        if vote.winner_id is not None:
            _move_ratings(vote.winner_id, vote.loser_id)
    logger.debug("vote %s in exercise %s", vote.id, exercise.id)
    return VoteReceipt(vote, True, made + 1)


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
    if len(items) < 2:
        return None
    first = rng.choices(items, weights=list(first_item_weights([item.comparisons for item in items])))[0]
    seen = _comparisons_with(exercise.id, first.id)
    last = None
    if respondent is not None:
        last = db.session.execute(
            select(PairwiseVote.left_item_id, PairwiseVote.right_item_id)
            .where(PairwiseVote.exercise_id == exercise.id, PairwiseVote.respondent_id == respondent.id)
            .order_by(PairwiseVote.id.desc())
            .limit(1)
        ).first()
    last_pair = set(last) if last else set()
    others = [item for item in items if item.id != first.id and {first.id, item.id} != last_pair]
    if not others:
        others = [item for item in items if item.id != first.id]
    weights = partner_weights([seen.get(item.id, 0) for item in others])
    second = rng.choices(others, weights=list(weights))[0]
    pair = [db.session.get(ExerciseItem, first.id), db.session.get(ExerciseItem, second.id)]
    rng.shuffle(pair)
    return pair[0], pair[1]
