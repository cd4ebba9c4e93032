"""The derived pair-count table: rebuilt from the immutable vote rows, with a report of any difference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, delete, func, select, text

from engage.extensions import db
from engage.prioritise import logger
from engage.prioritise.models import Exercise, Outcome, PairCount, PairwiseVote, Respondent
from engage.prioritise.pairwise import chooser, voting


@dataclass(frozen=True)
class RebuildReport:
    exercise_id: int
    pairs: int
    #: Each pair that differed: (low item, high item, stored totals, totals from the votes), where totals
    #: are (low wins, high wins, skips).
    differences: list[tuple[int, int, tuple[int, int, int], tuple[int, int, int]]]


def counts_from_votes(exercise: Exercise) -> dict[tuple[int, int], tuple[int, int, int]]:
    """Pair totals from the votes in one grouped query (respondents an officer excluded are left out)."""
    low = case(
        (PairwiseVote.left_item_id < PairwiseVote.right_item_id, PairwiseVote.left_item_id),
        else_=PairwiseVote.right_item_id,
    )
    high = case(
        (PairwiseVote.left_item_id < PairwiseVote.right_item_id, PairwiseVote.right_item_id),
        else_=PairwiseVote.left_item_id,
    )
    winner = case(
        (PairwiseVote.outcome == Outcome.LEFT, PairwiseVote.left_item_id),
        (PairwiseVote.outcome == Outcome.RIGHT, PairwiseVote.right_item_id),
        else_=None,
    )
    # (lower item id, higher item id, wins of the lower, wins of the higher, skips)
    rows: Sequence[tuple[int, int, int, int, int]] = db.session.execute(
        select(
            low,
            high,
            func.sum(case((winner == low, 1), else_=0)),
            func.sum(case((winner == high, 1), else_=0)),
            func.sum(case((PairwiseVote.outcome == Outcome.SKIP, 1), else_=0)),
        )
        .join(Respondent, Respondent.id == PairwiseVote.respondent_id)
        .where(PairwiseVote.exercise_id == exercise.id, Respondent.excluded_at.is_(None))
        .group_by(low, high)
    ).all()
    return {(a, b): (int(lw), int(hw), int(s)) for a, b, lw, hw, s in rows}


def hold_pair_counts() -> None:
    """Make every vote's pair-count write wait until this transaction ends (PostgreSQL; SQLite lets one
    writer in at a time anyway); reading them does not wait.

    A rebuild reads the votes, then replaces the counts. Without this, a vote committed between the two
    was stored but not counted: its count was replaced by totals read before it (a reviewer proved it with
    an exclusion during voting). Held from the start of the action, before it writes a respondent's row:
    a vote locks the pair counts before its respondent (``voting.record_pairwise_vote``), so the two always
    wait in the same order and never for each other."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"LOCK TABLE {PairCount.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))


def rebuild_counts(exercise: Exercise) -> RebuildReport:
    """Replace the pair counts with values derived from the votes, and set every respondent's choice
    counter (the per-person cap) from their votes. Votes wait while it runs (``hold_pair_counts``)."""
    hold_pair_counts()
    fresh = counts_from_votes(exercise)
    stored = {
        (row.low_item_id, row.high_item_id): (row.low_wins, row.high_wins, row.skips)
        for row in db.session.scalars(select(PairCount).where(PairCount.exercise_id == exercise.id))
    }
    differences = [
        (low, high, stored.get((low, high), (0, 0, 0)), fresh.get((low, high), (0, 0, 0)))
        for low, high in sorted(set(fresh) | set(stored))
        if stored.get((low, high), (0, 0, 0)) != fresh.get((low, high), (0, 0, 0))
    ]
    db.session.execute(delete(PairCount).where(PairCount.exercise_id == exercise.id))
    db.session.add_all(
        PairCount(
            exercise_id=exercise.id, low_item_id=low, high_item_id=high, low_wins=lw, high_wins=hw, skips=s
        )
        for (low, high), (lw, hw, s) in fresh.items()
    )
    wrong_counters = voting.recount_choices(exercise.id)
    chooser.forget(exercise.id)
    if differences:
        logger.info(
            "exercise %s: rebuilt %d pair counts that differed from the votes", exercise.id, len(differences)
        )
    if wrong_counters:
        logger.info("exercise %s: %d choice counters differed from the votes", exercise.id, wrong_counters)
    return RebuildReport(exercise.id, len(fresh), differences)
