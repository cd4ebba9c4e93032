"""Ballot-stuffing signals for officers, and leaving respondents out of results (never deleting them).

Three signals, each a reason to look, not proof:
- *one address, many people*: at least ENGAGE_SAME_ADDRESS_THRESHOLD respondents whose first answer came
  from one address within ENGAGE_SAME_ADDRESS_MINUTES (a school, library or workshop room does this too);
- *machine rhythm*: a respondent with at least 10 pairwise choices made faster than a person reads two
  priorities (median gap under a second) or at a near-fixed pace (gaps varying by under 15%);
- *coordinated respondents*: at least ENGAGE_COORDINATED_THRESHOLD new respondents within
  ENGAGE_COORDINATED_MINUTES giving near-identical answers (engage.stats.coordination), from any number of
  addresses: a script clearing its cookie for every "person" and spread over addresses.

An officer who excludes respondents gives a reason; who, when and why are kept on the respondent, the
action is in the audit log, and their votes and answers stay in the database and the raw downloads but no
longer count in results or weights. Including them again undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

import numpy as np
from flask import current_app
from sqlalchemy import CursorResult, func, select, update

from engage.accounts.models import User
from engage.database import utcnow
from engage.extensions import db
from engage.jobs.cache import Shown, exercise_check, shown_exercise_check
from engage.prioritise.models import (
    Exercise,
    ExerciseKind,
    Outcome,
    PairwiseVote,
    Respondent,
    Submission,
    SubmissionEntry,
)
from engage.prioritise.pairwise.counts import hold_pair_counts, rebuild_counts
from engage.stats.coordination import near_identical_groups
from engage.stats.timing import densest_window, rhythm
from engage.transactions import atomic

#: A person needs about a second to read two priorities and choose.
FASTEST_HUMAN_GAP = 1.0
#: People's gaps vary a lot; a script's hardly at all.
MOST_REGULAR_HUMAN = 0.15
MIN_CHOICES = 10


@dataclass(frozen=True)
class AddressBurst:
    #: The first characters of the address's keyed hash: enough to tell bursts apart, nothing more.
    address: str
    respondent_ids: list[int]
    first: datetime
    last: datetime
    answers: int


@dataclass(frozen=True)
class MachineRhythm:
    respondent_id: int
    choices: int
    median_gap: float
    variation: float


@dataclass(frozen=True)
class CoordinatedGroup:
    respondent_ids: list[int]
    first: datetime
    last: datetime
    #: How many different addresses the group came from (spread over many is the point of the signal).
    addresses: int
    answers: int


@dataclass(frozen=True)
class Signals:
    bursts: list[AddressBurst]
    rhythms: list[MachineRhythm]
    excluded: list[Respondent]
    coordinated: list[CoordinatedGroup] = field(default_factory=list)


def coordination_settings() -> dict[str, float]:
    config = current_app.config
    return {
        "window": timedelta(minutes=config.get("ENGAGE_COORDINATED_MINUTES", 60)).total_seconds(),
        "min_group": config.get("ENGAGE_COORDINATED_THRESHOLD", 20),
        "max_distance": config.get("ENGAGE_COORDINATED_DISTANCE", 0.05),
    }


def _answer_rows(exercise: Exercise, respondent_ids: list[int]) -> tuple[np.ndarray, int]:
    """One row of numbers per respondent (NaN: not answered), and how many answers two must share.

    Pairwise: one column per pair of items, +1 when the lower item won, -1 when the higher did, 0 for a
    skip (their mean when shown the pair more than once). Budget: each item's share of what they gave.
    Ranking: each item's place scaled to 0 (first) .. 1 (last or not ranked).
    """
    position = {respondent_id: k for k, respondent_id in enumerate(respondent_ids)}
    items = sorted(item.id for item in exercise.items)
    if exercise.kind is ExerciseKind.PAIRWISE:
        columns = {pair: k for k, pair in enumerate((a, b) for a in items for b in items if a < b)}
        sums = np.zeros((len(respondent_ids), len(columns)))
        shown = np.zeros_like(sums)
        rows = db.session.execute(
            select(
                PairwiseVote.respondent_id,
                PairwiseVote.left_item_id,
                PairwiseVote.right_item_id,
                PairwiseVote.outcome,
            ).where(PairwiseVote.exercise_id == exercise.id)
        )
        for respondent_id, left, right, outcome in rows:
            row = position.get(respondent_id)
            if row is None:
                continue
            low = min(left, right)
            winner = {Outcome.LEFT: left, Outcome.RIGHT: right}.get(outcome)
            column = columns[(low, max(left, right))]
            sums[row, column] += 0 if winner is None else (1 if winner == low else -1)
            shown[row, column] += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(shown > 0, sums / shown, np.nan), 2
    column_of = {item_id: k for k, item_id in enumerate(items)}
    values = np.full((len(respondent_ids), len(items)), np.nan)
    entries = db.session.execute(
        select(Submission.respondent_id, SubmissionEntry.item_id, SubmissionEntry.value)
        .join(SubmissionEntry, SubmissionEntry.submission_id == Submission.id)
        .where(Submission.exercise_id == exercise.id)
    )
    for respondent_id, item_id, value in entries:
        row = position.get(respondent_id)
        if row is not None and item_id in column_of:
            values[row, column_of[item_id]] = value
    if exercise.kind is ExerciseKind.RANKING:
        answered = ~np.isnan(values).all(axis=1)
        last = max(len(items) - 1, 1)
        values = np.where(np.isnan(values), last + 1, values)
        values = np.clip((values - 1) / last, 0, 1)
        values[~answered] = np.nan
        return values, 1
    totals = np.nansum(values, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, values / totals, np.nan), 1


def coordinated_groups(exercise: Exercise) -> list[CoordinatedGroup]:
    """Groups of new respondents who arrived close together and answered near-identically."""
    settings = coordination_settings()
    people = db.session.execute(
        select(Respondent.id, Respondent.created_at, Respondent.address_hash)
        .where(Respondent.exercise_id == exercise.id, Respondent.excluded_at.is_(None))
        .order_by(Respondent.created_at, Respondent.id)
    ).all()
    if len(people) < settings["min_group"]:
        return []
    ids = [person.id for person in people]
    answers, min_shared = _answer_rows(exercise, ids)
    counts = _answers_per_respondent(exercise)
    found = []
    for group in near_identical_groups(
        [person.created_at.timestamp() for person in people],
        answers,
        window=settings["window"],
        min_group=int(settings["min_group"]),
        max_distance=settings["max_distance"],
        min_shared=min_shared,
    ):
        members = [people[k] for k in group]
        found.append(
            CoordinatedGroup(
                respondent_ids=[m.id for m in members],
                first=min(m.created_at for m in members),
                last=max(m.created_at for m in members),
                addresses=len({m.address_hash for m in members if m.address_hash}),
                answers=sum(counts.get(m.id, 0) for m in members),
            )
        )
    return found


def _answers_per_respondent(exercise: Exercise) -> dict[int, int]:
    model = PairwiseVote if exercise.kind is ExerciseKind.PAIRWISE else Submission
    rows = db.session.execute(
        select(model.respondent_id, func.count())
        .where(model.exercise_id == exercise.id)
        .group_by(model.respondent_id)
    )
    return dict(rows.all())


def address_bursts(exercise: Exercise) -> list[AddressBurst]:
    threshold = current_app.config["ENGAGE_SAME_ADDRESS_THRESHOLD"]
    width = timedelta(minutes=current_app.config["ENGAGE_SAME_ADDRESS_MINUTES"]).total_seconds()
    rows = db.session.execute(
        select(Respondent.address_hash, Respondent.id, Respondent.created_at)
        .where(
            Respondent.exercise_id == exercise.id,
            Respondent.address_hash.is_not(None),
            Respondent.excluded_at.is_(None),
        )
        .order_by(Respondent.address_hash, Respondent.created_at)
    ).all()
    by_address: dict[str, list[tuple[int, datetime]]] = {}
    for address, respondent_id, created in rows:
        assert address is not None  # the query keeps only respondents with one
        by_address.setdefault(address, []).append((respondent_id, created))
    answers = _answers_per_respondent(exercise)
    bursts = []
    for address, people in by_address.items():
        if len(people) < threshold:
            continue
        seconds = np.array([created.timestamp() for _, created in people])
        first, count = densest_window(seconds, width)
        if count >= threshold:
            group = people[first : first + count]
            ids = [respondent_id for respondent_id, _ in group]
            bursts.append(
                AddressBurst(address[:8], ids, group[0][1], group[-1][1], sum(answers.get(i, 0) for i in ids))
            )
    return sorted(bursts, key=lambda b: -len(b.respondent_ids))


def machine_rhythms(exercise: Exercise) -> list[MachineRhythm]:
    if exercise.kind is not ExerciseKind.PAIRWISE:
        return []
    rows = db.session.execute(
        select(PairwiseVote.respondent_id, PairwiseVote.created_at)
        .join(Respondent, Respondent.id == PairwiseVote.respondent_id)
        .where(PairwiseVote.exercise_id == exercise.id, Respondent.excluded_at.is_(None))
        .order_by(PairwiseVote.respondent_id, PairwiseVote.created_at)
    ).all()
    times: dict[int, list[float]] = {}
    for respondent_id, created in rows:
        times.setdefault(respondent_id, []).append(created.timestamp())
    found = []
    for respondent_id, stamps in times.items():
        if len(stamps) < MIN_CHOICES:
            continue
        beat = rhythm(stamps)
        if beat is not None and (beat.median_gap < FASTEST_HUMAN_GAP or beat.variation < MOST_REGULAR_HUMAN):
            found.append(MachineRhythm(respondent_id, len(stamps), beat.median_gap, beat.variation))
    return sorted(found, key=lambda r: r.median_gap)


@dataclass(frozen=True)
class Found:
    """What the three signals found (kept between views: engage/jobs/cache.py)."""

    bursts: list[AddressBurst]
    rhythms: list[MachineRhythm]
    coordinated: list[CoordinatedGroup]


def found(exercise: Exercise) -> Found:
    return Found(address_bursts(exercise), machine_rhythms(exercise), coordinated_groups(exercise))


def excluded(exercise: Exercise) -> list[Respondent]:
    """The respondents left out of the exercise's results, the latest first."""
    return list(
        db.session.scalars(
            select(Respondent)
            .where(Respondent.exercise_id == exercise.id, Respondent.excluded_at.is_not(None))
            .order_by(Respondent.excluded_at.desc())
        )
    )


def signals(exercise: Exercise) -> Signals:
    """Every signal, computed now, and who is left out."""
    now = found(exercise)
    return Signals(now.bursts, now.rhythms, excluded(exercise), now.coordinated)


#: The name the signals are kept under (engage/jobs/cache.py).
KEPT_AS = "unusual-activity"


def _kept_with() -> tuple:
    """What the signals depend on besides the answers and respondents: the settings."""
    config = current_app.config
    return (
        tuple(sorted(coordination_settings().items())),
        config["ENGAGE_SAME_ADDRESS_THRESHOLD"],
        config["ENGAGE_SAME_ADDRESS_MINUTES"],
    )


def shown_signals(exercise: Exercise) -> Shown[Found]:
    """What the "Unusual activity" page shows: the signals kept for the answers as they are now, computed in
    the request for a small exercise; for a large one the refresh job looks for them (issue 19: no request
    over 2 s) and the page shows the last kept ones with their time, or that they are being worked out."""
    return shown_exercise_check(exercise, KEPT_AS, _kept_with(), lambda: found(exercise))


def warm(exercise: Exercise) -> None:
    """Look for the signals again if the answers changed (the refresh job)."""
    exercise_check(exercise, KEPT_AS, _kept_with(), lambda: found(exercise))


@atomic()
def exclude(exercise: Exercise, respondent_ids: list[int], user: User, reason: str) -> int:
    """Leave these respondents of the exercise out of its results; returns how many were newly excluded.

    All or nothing: the flags and the pair counts rebuilt without them stand together.
    """
    _hold_counts(exercise)
    result = db.session.execute(
        update(Respondent)
        .where(
            Respondent.exercise_id == exercise.id,
            Respondent.id.in_(respondent_ids),
            Respondent.excluded_at.is_(None),
        )
        .values(excluded_at=utcnow(), excluded_by_id=user.id, excluded_reason=reason.strip())
        .execution_options(synchronize_session=False)
    )
    changed = cast(CursorResult, result).rowcount
    _recount(exercise)
    return changed


@atomic()
def include_again(exercise: Exercise, respondent_id: int) -> bool:
    """Count a respondent's answers again (and rebuild the pair counts with them), all or nothing."""
    _hold_counts(exercise)
    result = db.session.execute(
        update(Respondent)
        .where(
            Respondent.exercise_id == exercise.id,
            Respondent.id == respondent_id,
            Respondent.excluded_at.is_not(None),  # someone never left out is not "counted again"
        )
        .values(excluded_at=None, excluded_by_id=None, excluded_reason="")
        .execution_options(synchronize_session=False)
    )
    changed = cast(CursorResult, result).rowcount
    if changed:
        _recount(exercise)
    return bool(changed)


def _hold_counts(exercise: Exercise) -> None:
    """Votes wait from here to the rebuild's commit, taken before any respondent's row (the order votes
    take them in: see ``hold_pair_counts``)."""
    if exercise.kind is ExerciseKind.PAIRWISE:
        hold_pair_counts()


def _recount(exercise: Exercise) -> None:
    """Pairwise results read the derived pair counts: rebuild them from the votes that still count."""
    if exercise.kind is ExerciseKind.PAIRWISE:
        rebuild_counts(exercise)
