"""The pair chooser's view of an exercise, kept in each worker: its active items (id, title, description)
and how often each item and each pair has been shown, read from the pair counts (never the votes).

Every vote used to update its two item rows (comparisons and a running rating), so on PostgreSQL the votes
of a small exercise queued on the same row locks. Now nothing but the pair-count upsert is written per
vote, and the chooser reads this copy: loaded with two queries, read again when older than
``ENGAGE_PAIR_STATE_SECONDS`` (2 s; 0 in tests), and moved on by this worker's own votes in between.
Only the choice of the next pair reads it: what is stored, what is refused and every result come from the
database, so a stale copy can at worst offer a slightly less balanced pair.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from engage.extensions import db
from engage.prioritise.models import ExerciseItem, PairCount


@dataclass(frozen=True)
class PairItem:
    """One side of a pair as the resident sees it."""

    id: int
    title: str
    description: str
    #: For its translations (engage.content: the same texts as the item's own, keyed by the item's id, and
    #: the priority's while the item keeps the priority's words).
    exercise_id: int
    priority_id: int | None


@dataclass
class ExerciseState:
    #: The active items, by id.
    items: tuple[PairItem, ...]
    #: Decisive comparisons per item (skips are not counted).
    decisive: dict[int, int]
    #: How often each pair was shown (any outcome): together[a][b] == together[b][a].
    together: dict[int, dict[int, int]]
    loaded_at: float = field(default_factory=time.monotonic)

    def add(self, left: int, right: int, decisive: bool) -> None:
        """One more vote on a pair (this worker's own, between two loads)."""
        for one, other in ((left, right), (right, left)):
            partners = self.together.setdefault(one, {})
            partners[other] = partners.get(other, 0) + 1
            if decisive:
                self.decisive[one] = self.decisive.get(one, 0) + 1


_lock = threading.Lock()


def _states() -> dict[int, ExerciseState]:
    return current_app.extensions.setdefault("engage_pair_states", {})


def _load(exercise_id: int) -> ExerciseState:
    items = tuple(
        PairItem(*row)
        for row in db.session.execute(
            select(
                ExerciseItem.id,
                ExerciseItem.title,
                ExerciseItem.description,
                ExerciseItem.exercise_id,
                ExerciseItem.priority_id,
            )
            .where(ExerciseItem.exercise_id == exercise_id, ExerciseItem.active.is_(True))
            .order_by(ExerciseItem.id)
        )
    )
    state = ExerciseState(items, {}, {})
    rows = db.session.execute(
        select(
            PairCount.low_item_id,
            PairCount.high_item_id,
            PairCount.low_wins,
            PairCount.high_wins,
            PairCount.skips,
        ).where(PairCount.exercise_id == exercise_id)
    )
    for low, high, low_wins, high_wins, skips in rows:
        shown, decisive = low_wins + high_wins + skips, low_wins + high_wins
        state.together.setdefault(low, {})[high] = shown
        state.together.setdefault(high, {})[low] = shown
        state.decisive[low] = state.decisive.get(low, 0) + decisive
        state.decisive[high] = state.decisive.get(high, 0) + decisive
    return state


def exercise_state(exercise_id: int) -> ExerciseState:
    """This worker's copy of the exercise's items and counts, read again when it is too old."""
    max_age = current_app.config["ENGAGE_PAIR_STATE_SECONDS"]
    state = _states().get(exercise_id)
    if state is None or time.monotonic() - state.loaded_at >= max_age:
        state = _load(exercise_id)
        with _lock:
            _states()[exercise_id] = state
    return state


def note_vote(exercise_id: int, left: int, right: int, decisive: bool) -> None:
    """Move this worker's copy on by a vote it has just recorded (the next load reads it from the counts)."""
    with _lock:
        state = _states().get(exercise_id)
        if state is not None:
            state.add(left, right, decisive)


def forget(exercise_id: int) -> None:
    """Drop this worker's copy (after the counts were rebuilt or votes taken back): the next pair reads
    them afresh."""
    with _lock:
        _states().pop(exercise_id, None)


def active_item_ids(exercise_id: int) -> frozenset[int]:
    """The ids of the exercise's active items, from this worker's copy. Once open an exercise only gains
    items, so an id found here is still active; an id not found is checked against the database."""
    return frozenset(item.id for item in exercise_state(exercise_id).items)
