"""Results of a pairwise exercise: the service side of the statistics (query counts, call engage.stats)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.sql import ColumnElement

from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseItem, Outcome, PairCount, PairwiseVote, Respondent
from engage.prioritise.weighting import breakdown_figures, population_weights
from engage.stats.allocation import MIN_INTERVAL_RESPONDENTS
from engage.stats.pairwise import (
    PairwiseResult,
    Stability,
    connected_scores,
    equal_voice,
    fit_bradley_terry,
    point_scores,
    top_k_stability,
    win_matrix,
)

#: Bootstrap resamples for intervals: enough for stable 95% percentile limits at the scale of a council
#: exercise, and fast (see docs/benchmarks.md).
RESAMPLES = 200
#: Up to this many decisive votes, intervals come from refitting bootstrap resamples; above it, from the
#: cluster-robust (sandwich) covariance, which the tests check against the bootstrap and which takes one fit.
BOOTSTRAP_MAX_VOTES = 100_000
#: The top-k the stability signal speaks about.
STABILITY_K = 5


@dataclass(frozen=True)
class ItemScore:
    item: ExerciseItem
    #: None when the item has no score on the common scale: never compared, or the exercise's comparisons
    #: split into separate groups (then ``group`` says which group the item is in).
    score: float | None
    low: float | None
    high: float | None
    wins: int
    comparisons: int
    rank: int | None
    #: 1, 2, ... when the comparisons split into separate groups; None otherwise.
    group: int | None = None


@dataclass(frozen=True)
class WeightedScores:
    """Scores re-weighted to the area's population by raking."""

    items: list[ItemScore]
    dimensions: list[str]
    #: People who answered at least one of the weighting questions.
    respondents_with_answers: int
    effective_sample_size: float
    #: False when the weight cap stopped the margins matching exactly.
    converged: bool


@dataclass
class PairwiseResults:
    #: People an interval needs (fewer: scores without intervals).
    min_interval: ClassVar[int] = MIN_INTERVAL_RESPONDENTS

    exercise: Exercise
    items: list[ItemScore]
    votes: int
    skips: int
    respondents: int
    stability: Stability | None
    stability_k: int
    #: "bootstrap" or "sandwich": how the intervals were made (none below MIN_INTERVAL_RESPONDENTS people)
    interval_method: str = "bootstrap"
    #: How many separate groups the comparisons split into (more than 1: no common scale is published).
    groups: int = 1
    #: Items nobody has compared yet ("not enough comparisons").
    uncompared: int = 0
    #: Fewer people voted than an interval needs (MIN_INTERVAL_RESPONDENTS): scores have no interval.
    too_few_for_intervals: bool = False
    #: The per-vote view, for comparison: {item id: score (None off the common scale)} when every vote counts
    #: the same, so a resident who votes 100 times counts ten times one who votes 10 times. The scores above
    #: give each person's votes the same total weight.
    per_vote: dict[int, float | None] = field(default_factory=dict)
    #: Population-weighted scores, when margins are loaded and enough people answered
    weighted: WeightedScores | None = None
    #: Why there are no weighted scores: "no-margins" or "too-few" (None when there are)
    unweighted_reason: str | None = None
    #: {channel value: (respondents, {item id: score, None if nobody in it compared the item})}
    by_channel: dict[str, tuple[int, dict[int, float | None]]] = field(default_factory=dict)
    #: {dimension: {category: (respondents, {item id: score})}}
    by_dimension: dict[str, dict[str, tuple[int, dict[int, float | None]]]] = field(default_factory=dict)
    #: [(ISO date, votes)]
    per_day: list[tuple[str, int]] = field(default_factory=list)
    #: head_to_head[i][j] = share of i-vs-j comparisons i won (None when never compared)
    head_to_head: list[list[float | None]] = field(default_factory=list)

    @property
    def has_scores(self) -> bool:
        """Whether any item has a score on the common scale (something for a chart to show)."""
        return any(row.score is not None for row in self.items)


@dataclass(frozen=True)
class DecisiveVotes:
    """Decisive votes as arrays of item positions and respondent numbers, plus each vote's channel."""

    winners: np.ndarray
    losers: np.ndarray
    respondents: np.ndarray
    respondent_ids: np.ndarray
    channels: np.ndarray


def load_decisive_votes(exercise: Exercise, index: dict[int, int]) -> DecisiveVotes:
    """One query for every decisive vote's winner, loser, respondent and channel (excluded respondents left
    out)."""
    winner = case(
        (PairwiseVote.outcome == Outcome.LEFT, PairwiseVote.left_item_id), else_=PairwiseVote.right_item_id
    )
    loser = case(
        (PairwiseVote.outcome == Outcome.LEFT, PairwiseVote.right_item_id), else_=PairwiseVote.left_item_id
    )
    rows = db.session.execute(
        select(winner, loser, PairwiseVote.respondent_id, PairwiseVote.channel)
        .join(Respondent, Respondent.id == PairwiseVote.respondent_id)
        .where(
            PairwiseVote.exercise_id == exercise.id,
            PairwiseVote.outcome != Outcome.SKIP,
            Respondent.excluded_at.is_(None),
        )
    ).all()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return DecisiveVotes(empty, empty, empty, empty, np.zeros(0, dtype=object))
    winners, losers, people, channels = zip(*rows, strict=True)
    lookup = np.vectorize(index.__getitem__, otypes=[np.int64])
    respondent_ids, respondents = np.unique(np.asarray(people, dtype=np.int64), return_inverse=True)
    return DecisiveVotes(
        lookup(winners), lookup(losers), respondents, respondent_ids, np.array([c.value for c in channels])
    )


def counts_matrix(exercise: Exercise, index: dict[int, int]) -> np.ndarray:
    """The win matrix from the pair-count table (derived totals, one row per pair), filled by NumPy."""
    n = len(index)
    wins = np.zeros((n, n))
    query = select(
        PairCount.low_item_id, PairCount.high_item_id, PairCount.low_wins, PairCount.high_wins
    ).where(PairCount.exercise_id == exercise.id)
    # Plain tuples from the DBAPI cursor: an exercise of 500 items has 125,000 pairs, and building a
    # SQLAlchemy row object for each costs more than the Bradley-Terry fit itself.
    result = db.session.connection().execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return wins
    low, high, low_wins, high_wins = np.array(rows, dtype=np.int64).T
    position = np.full(max(index) + 1, -1, dtype=np.int64)
    position[list(index)] = list(index.values())
    wins[position[low], position[high]] = low_wins
    wins[position[high], position[low]] = high_wins
    return wins


def _point_scores(votes: DecisiveVotes, mask: np.ndarray, n: int) -> np.ndarray:
    """A group's scores, each person's votes carrying the same total weight as in the main table; NaN for an
    item nobody in the group compared (and for all when the group's comparisons split)."""
    return point_scores(votes.winners[mask], votes.losers[mask], n, equal_voice(votes.respondents[mask]))


def pairwise_results(
    exercise: Exercise, resamples: int = RESAMPLES, breakdowns: bool = True, threshold: int | None = None
) -> PairwiseResults:
    """Scores with 95% intervals, wins and comparisons, stability; with ``breakdowns``, also the
    population-weighted scores and the breakdowns the officers' page shows, small groups hidden
    (``threshold``: ENGAGE_SMALL_CELL)."""
    items = list(exercise.items)
    index = {item.id: k for k, item in enumerate(items)}
    n = len(items)
    votes = load_decisive_votes(exercise, index)
    method, boot = score_intervals(votes, n, resamples)
    scored = _item_scores(items, boot, votes, n)
    too_few = len(votes.respondent_ids) < MIN_INTERVAL_RESPONDENTS
    if too_few:
        # Resampling a handful of people gives no interval worth publishing (the budget shares' rule).
        scored = [replace(row, low=None, high=None) for row in scored]
    on_scale = boot.scored
    k = min(STABILITY_K, max(int(on_scale.sum()) - 1, 1))
    stability = (
        top_k_stability(boot.scores[on_scale], boot.samples[:, on_scale], k, len(votes.winners))
        if on_scale.sum() >= 2
        else None
    )
    counting = Respondent.excluded_at.is_(None)
    skips = db.session.execute(
        select(func.count())
        .select_from(PairwiseVote)
        .join(Respondent, Respondent.id == PairwiseVote.respondent_id)
        .where(PairwiseVote.exercise_id == exercise.id, PairwiseVote.outcome == Outcome.SKIP, counting)
    ).scalar_one()
    respondents = db.session.execute(
        select(func.count()).select_from(Respondent).where(Respondent.exercise_id == exercise.id, counting)
    ).scalar_one()
    results = PairwiseResults(exercise, scored, len(votes.winners), skips, respondents, stability, k, method)
    graph = boot.graph
    assert graph is not None, "connected_scores always says how the items are connected"
    results.groups = graph.n_groups
    results.too_few_for_intervals = too_few and len(votes.winners) > 0
    results.uncompared = int((~graph.compared).sum())
    _, by_vote = score_intervals(votes, n, 0, per_person=False)
    results.per_vote = {item.id: _optional(by_vote.scores[k]) for k, item in enumerate(items)}
    if breakdowns:
        # Only the officers' page shows these; the public page and the score downloads skip the work.
        results.weighted, results.unweighted_reason = _population_weighted(exercise, votes, items, resamples)
        _add_breakdowns(results, exercise, votes, items, index, threshold)
    return results


def score_intervals(
    votes: DecisiveVotes,
    n: int,
    resamples: int,
    weights: np.ndarray | None = None,
    seed: int = 0,
    per_person: bool = True,
) -> tuple[str, PairwiseResult]:
    """Bootstrap over respondents up to BOOTSTRAP_MAX_VOTES decisive votes, the sandwich estimate above;
    only items on one common scale are scored (see ``connected_scores``). With ``per_person`` (the default)
    each person's votes carry the same total weight (``equal_voice``), so heavy voters do not count more;
    both interval methods resample or cluster by person, matching it. ``per_person=False`` counts every
    vote the same (the per-vote view)."""
    if len(votes.winners) <= BOOTSTRAP_MAX_VOTES:
        method, options = "bootstrap", {"n_resamples": resamples}
    else:
        method, options = "sandwich", {"n_draws": resamples}
    vote_weights = equal_voice(votes.respondents) if per_person else None
    return method, connected_scores(
        votes.winners,
        votes.losers,
        votes.respondents,
        n,
        method,
        weights=weights,
        seed=seed,
        vote_weights=vote_weights,
        **options,
    )


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _item_scores(items: list, boot: PairwiseResult, votes: DecisiveVotes, n: int) -> list[ItemScore]:
    """One row per item: scored items by score, then the others (by group, then as listed)."""
    wins = np.bincount(votes.winners, minlength=n)
    comparisons = wins + np.bincount(votes.losers, minlength=n)
    point = boot.scores
    assert boot.graph is not None, "connected_scores always says how the items are connected"
    groups = boot.graph.groups if not boot.graph.connected else np.full(n, -1)
    order = np.lexsort((np.arange(n), np.where(groups < 0, n, groups), -np.nan_to_num(point, nan=-1.0)))
    scored = order[~np.isnan(point[order])]
    rank = {int(k): r for r, k in enumerate(scored, start=1)}
    return [
        ItemScore(
            items[k],
            _optional(point[k]),
            _optional(boot.score_low[k]),
            _optional(boot.score_high[k]),
            int(wins[k]),
            int(comparisons[k]),
            rank.get(int(k)),
            int(groups[k]) + 1 if groups[k] >= 0 else None,
        )
        for k in order
    ]


def _population_weighted(
    exercise: Exercise, votes: DecisiveVotes, items: list, resamples: int
) -> tuple[WeightedScores | None, str | None]:
    """Scores with respondents raked to the area's population margins, or why that was not possible."""
    weighting, reason = population_weights(exercise, votes.respondent_ids)
    if weighting is None:
        return None, reason
    n = len(items)
    _, boot = score_intervals(votes, n, resamples, weights=weighting.weights)
    return WeightedScores(
        _item_scores(items, boot, votes, n),
        weighting.dimensions,
        weighting.respondents_with_answers,
        weighting.effective_sample_size,
        weighting.converged,
    ), None


def _add_breakdowns(
    results: PairwiseResults,
    exercise: Exercise,
    votes: DecisiveVotes,
    items: list,
    index: dict[int, int],
    threshold: int | None,
) -> None:
    n = len(items)
    vote_people = votes.respondent_ids[votes.respondents] if len(votes.respondents) else votes.respondents
    # Each respondent's channel: that of their first vote (a person votes through one channel).
    first = np.unique(votes.respondents, return_index=True)[1] if len(votes.respondents) else np.zeros(0, int)
    channels = votes.channels[first] if len(first) else np.zeros(0, dtype=object)

    def figures(rows: np.ndarray, people: set[int]) -> tuple[int, dict[int, float | None]]:
        scores = _point_scores(votes, rows, n)
        return len(people), {item.id: _optional(scores[index[item.id]]) for item in items}

    results.by_channel, results.by_dimension = breakdown_figures(
        exercise, vote_people, votes.respondent_ids, channels, threshold, figures
    )
    day: ColumnElement[str | date] = func.date(PairwiseVote.created_at)  # text on SQLite
    results.per_day = [
        (str(d), c)
        for d, c in db.session.execute(
            select(day, func.count())
            .where(PairwiseVote.exercise_id == exercise.id)
            .group_by(day)
            .order_by(day)
        )
    ]
    wins = counts_matrix(exercise, index)
    totals = wins + wins.T
    results.head_to_head = [
        [float(wins[i, j] / totals[i, j]) if totals[i, j] else None for j in range(n)] for i in range(n)
    ]


def respondent_top_items(
    exercise: Exercise, respondent: Respondent | None, limit: int = 5
) -> list[ExerciseItem]:
    """A respondent's own top priorities, from their choices alone (a strong prior steadies few votes)."""
    if respondent is None:
        return []
    items = list(exercise.active_items)
    index = {item.id: k for k, item in enumerate(items)}
    rows = db.session.execute(
        select(PairwiseVote.left_item_id, PairwiseVote.right_item_id, PairwiseVote.outcome).where(
            PairwiseVote.exercise_id == exercise.id,
            PairwiseVote.respondent_id == respondent.id,
            PairwiseVote.outcome != Outcome.SKIP,
        )
    ).all()
    pairs = [
        (left, right) if outcome is Outcome.LEFT else (right, left)
        for left, right, outcome in rows
        if left in index and right in index
    ]
    if not pairs:
        return []
    winners, losers = zip(*pairs, strict=True)
    chosen = Counter(winners)
    wins = win_matrix([index[w] for w in winners], [index[x] for x in losers], len(items))
    strengths = fit_bradley_terry(wins, alpha=1.0)
    ranked = sorted(range(len(items)), key=lambda k: -strengths[k])
    return [items[k] for k in ranked if chosen[items[k].id] > 0][:limit]
