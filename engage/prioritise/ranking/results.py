"""Results of a ranking exercise: 'beats a random other' scores with intervals, mean rank, first places."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engage.prioritise.models import Exercise, ExerciseItem
from engage.prioritise.submissions.matrix import load_answer_matrix
from engage.prioritise.weighting import PopulationWeights, breakdown_figures, population_weights
from engage.stats.pairwise import (
    DEFAULT_ALPHA,
    beat_random_scores,
    bootstrap_scores,
    fit_bradley_terry,
    point_scores,
    win_matrix,
)
from engage.stats.ranking import MIN_INTERVAL_RESPONDENTS, borda_points, places_to_pairs, rank_summary

#: Bootstrap resamples over respondents for each interval.
RESAMPLES = 200


@dataclass(frozen=True)
class ItemRank:
    item: ExerciseItem
    #: 0-100: the chance it is ranked above a randomly chosen other item, with a 95% interval (None: too few
    #: responses for an interval).
    score: float
    low: float | None
    high: float | None
    #: Mean place among the people who ranked it (None if nobody did), and how many did.
    mean_rank: float | None
    ranked_by: int
    #: Share of people who put it first.
    first: float
    #: Mean Borda points (n-1 for first place, down to 0).
    borda: float
    rank: int


@dataclass(frozen=True)
class WeightedRanks:
    items: list[ItemRank]
    weighting: PopulationWeights


@dataclass
class RankingResults:
    exercise: Exercise
    items: list[ItemRank]
    respondents: int
    weighted: WeightedRanks | None = None
    unweighted_reason: str | None = None
    #: {channel value: (respondents, {item id: score})}
    by_channel: dict[str, tuple[int, dict[int, float]]] = field(default_factory=dict)
    #: {dimension: {category: (respondents, {item id: score})}}
    by_dimension: dict[str, dict[str, tuple[int, dict[int, float]]]] = field(default_factory=dict)


def _item_ranks(
    items: list[ExerciseItem], places: np.ndarray, weights: np.ndarray | None, resamples: int
) -> list[ItemRank]:
    n = len(items)
    winners, losers, people = places_to_pairs(places)
    w = np.ones(len(places)) if weights is None else np.asarray(weights, dtype=np.float64)
    point = beat_random_scores(
        fit_bradley_terry(win_matrix(winners, losers, n, w[people]), alpha=DEFAULT_ALPHA)
    )
    boot = bootstrap_scores(
        winners,
        losers,
        people,
        n,
        n_resamples=resamples,
        weights=weights,
        interval="expanded percentile",
        min_respondents=MIN_INTERVAL_RESPONDENTS,
    )
    # Every column follows the weights when there are any (issue 22 item 4): mean place, first places and
    # Borda points are weighted means; ``ranked_by`` stays a count of people and the table says so.
    mean_rank, first = rank_summary(places, n, w)
    ranked_by = (~np.isnan(places)).sum(axis=0)
    borda = borda_points(places, n, w)
    order = np.argsort(-point, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(1, n + 1)
    return [
        ItemRank(
            item=items[k],
            score=float(point[k]),
            low=None if np.isnan(boot.score_low[k]) else float(boot.score_low[k]),
            high=None if np.isnan(boot.score_high[k]) else float(boot.score_high[k]),
            mean_rank=None if np.isnan(mean_rank[k]) else float(mean_rank[k]),
            ranked_by=int(ranked_by[k]),
            first=float(first[k]),
            borda=float(borda[k]),
            rank=int(rank[k]),
        )
        for k in order
    ]


def _group_scores(places: np.ndarray, mask: np.ndarray, items: list[ExerciseItem]):
    """A group's scores (None: "not enough comparisons", as in the main table)."""
    winners, losers, _people = places_to_pairs(places[mask])
    scores = point_scores(winners, losers, len(items))
    return int(mask.sum()), {
        item.id: None if np.isnan(scores[k]) else float(scores[k]) for k, item in enumerate(items)
    }


def ranking_results(
    exercise: Exercise, resamples: int = RESAMPLES, breakdowns: bool = True, threshold: int | None = None
) -> RankingResults:
    """Scores with 95% intervals, mean rank and first places; with ``breakdowns``, population-weighted scores
    and scores by channel and equality question, small groups hidden (``threshold``: ENGAGE_SMALL_CELL)."""
    items = list(exercise.active_items)
    answers = load_answer_matrix(exercise, items)
    places = answers.values
    results = RankingResults(
        exercise, _item_ranks(items, places, None, resamples) if len(places) else [], answers.respondents
    )
    if not (breakdowns and len(places)):
        return results
    weighting, results.unweighted_reason = population_weights(exercise, answers.respondent_ids)
    if weighting is not None:
        results.weighted = WeightedRanks(_item_ranks(items, places, weighting.weights, resamples), weighting)
    results.by_channel, results.by_dimension = breakdown_figures(
        exercise,
        answers.respondent_ids,
        answers.respondent_ids,
        answers.channels,
        threshold,
        lambda rows, _people: _group_scores(places, rows, items),
    )
    return results
