"""The pair chooser's view of an exercise, kept in each worker: the exercise's own settings a vote needs,
its active items (id, title, description) and how often each item and each pair has been shown, read from
the pair counts (never the votes).

Every vote used to update its two item rows (comparisons and a running rating), so on PostgreSQL the votes
of a small exercise queued on the same row locks. Now nothing but the pair-count upsert is written per
vote, and the chooser reads this copy: loaded with two queries, read again when older than
``ENGAGE_PAIR_STATE_SECONDS`` (2 s; 0 in tests), and moved on by this worker's own votes in between.
Only the choice of the next pair and the pair page's texts read it: what is stored, what is refused and
every result come from the database (the vote's own statements check that the exercise is open and the
person under the cap), so a stale copy can at worst offer a slightly less balanced pair, or show for up to
those 2 s the texts another worker's officer has just changed. This worker's own changes to an exercise,
its items or their translations drop its copy when they are committed (``_forget_changed``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from engage.boards.models import Priority
from engage.content.models import ContentTranslation
from engage.database import DatedWindow
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseItem, ExerciseStatus, PairCount


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
class PairExercise(DatedWindow):
    """What the pair pages need of an exercise, without loading it (translated like the exercise itself:
    engage.content knows this kind under the exercise's keys)."""

    id: int
    status: ExerciseStatus
    opens_at: datetime | None
    closes_at: datetime | None
    max_votes_per_respondent: int
    title: str
    question: str

    def accepting_votes(self, now: datetime | None = None) -> bool:
        """As ``Exercise.accepting_votes``: open, and inside its dates when it has them."""
        return self.status is ExerciseStatus.OPEN and self.within_dates(now)


@dataclass
class ExerciseState:
    exercise: PairExercise
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


def _load(exercise_id: int) -> ExerciseState | None:
    found = db.session.execute(
        select(
            Exercise.id,
            Exercise.status,
            Exercise.opens_at,
            Exercise.closes_at,
            Exercise.max_votes_per_respondent,
            Exercise.title,
            Exercise.question,
        ).where(Exercise.id == exercise_id)
    ).one_or_none()
    if found is None:
        return None
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
    state = ExerciseState(PairExercise(*found), items, {}, {})
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
    """This worker's copy of the exercise and its items and counts, read again when it is too old."""
    state = current_state(exercise_id)
    if state is None:
        raise LookupError(f"no exercise {exercise_id}")
    return state


def current_state(exercise_id: int) -> ExerciseState | None:
    """``exercise_state``, or None when there is no such exercise."""
    max_age = current_app.config["ENGAGE_PAIR_STATE_SECONDS"]
    state = _states().get(exercise_id)
    if state is None or time.monotonic() - state.loaded_at >= max_age:
        state = _load(exercise_id)
        if state is None:
            return None
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


# -- this worker's own changes drop its copies as they are committed (other workers' copies age out) --


#: Stands for every exercise: a priority's words or translation, which items may borrow, changed.
EVERY = 0


def _changed_exercises(session: Session) -> set[int]:
    ids: set[int | None] = set()
    for thing in (*session.new, *session.dirty, *session.deleted):
        if isinstance(thing, Exercise):
            ids.add(thing.id)
        elif isinstance(thing, ExerciseItem):
            ids.add(thing.exercise_id)
        elif isinstance(thing, ContentTranslation):
            ids.add(thing.exercise_id if thing.exercise_id is not None else EVERY if thing.board_id else None)
        elif isinstance(thing, Priority):
            ids.add(EVERY)
    ids.discard(None)  # new rows have no id yet, and consultations' translations are no concern here
    return ids  # type: ignore[return-value]


def _note_changes(session: Session, flush_context: Any, instances: Any) -> None:
    changed = _changed_exercises(session)
    if changed:
        session.info.setdefault("engage_changed_exercises", set()).update(changed)


def _forget_changed(session: Session) -> None:
    changed = session.info.pop("engage_changed_exercises", None)
    if changed and current_app:
        with _lock:
            if EVERY in changed:
                _states().clear()
            for exercise_id in changed:
                _states().pop(exercise_id, None)


def _drop_noted(session: Session, previous_transaction: Any) -> None:
    if not previous_transaction.nested:
        session.info.pop("engage_changed_exercises", None)


def init_app() -> None:
    """Listen for changes to exercises, items and translations (once per process)."""
    if not event.contains(Session, "before_flush", _note_changes):
        event.listen(Session, "before_flush", _note_changes)
        event.listen(Session, "after_commit", _forget_changed)
        event.listen(Session, "after_soft_rollback", _drop_noted)
