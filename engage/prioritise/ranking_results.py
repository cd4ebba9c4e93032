"""Results of a ranking exercise: 'beats a random other' scores with intervals, mean rank, first places."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engage.prioritise.answer_matrix import AnswerMatrix, load_answer_matrix
from engage.prioritise.models import Channel, Exercise, ExerciseItem
from engage.prioritise.weighting import PopulationWeights, population_weights, respondent_groups
from engage.stats.pairwise import (
    DEFAULT_ALPHA,
    beat_random_scores,
    bootstrap_scores,
    fit_bradley_terry,
    win_matrix,
)
from engage.stats.ranking import borda_points, rank_summary, rankings_to_pairs

#: Bootstrap resamples over respondents for each interval.
RESAMPLES = 200


@dataclass(frozen=True)
class ItemRank:
    item: ExerciseItem
    #: 0-100: the chance it is ranked above a randomly chosen other item, with a 95% interval.
    score: float
    low: float
    high: float
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


def rankings_from(answers: AnswerMatrix) -> list[list[int]]:
    """Each respondent's ranked item positions, first place first (unranked items left out)."""
    rankings = []
    for row in answers.values:
        placed = np.flatnonzero(~np.isnan(row))
        rankings.append(placed[np.argsort(row[placed], kind="stable")].tolist())
    return rankings


def _point_scores(rankings: list[list[int]], n: int, weights: np.ndarray | None = None) -> np.ndarray:
    winners, losers, people = rankings_to_pairs(rankings, n)
    vote_weights = None if weights is None else weights[people]
    return beat_random_scores(
        fit_bradley_terry(win_matrix(winners, losers, n, vote_weights), alpha=DEFAULT_ALPHA)
    )


def _item_ranks(
    items: list[ExerciseItem], rankings: list[list[int]], weights: np.ndarray | None, resamples: int
) -> list[ItemRank]:
    n = len(items)
    winners, losers, people = rankings_to_pairs(rankings, n)
    boot = bootstrap_scores(winners, losers, people, n, n_resamples=resamples, weights=weights)
    point = _point_scores(rankings, n, weights)
    w = np.ones(len(rankings)) if weights is None else np.asarray(weights, dtype=np.float64)
    mean_rank, _ = rank_summary(rankings, n)
    ranked_by = np.zeros(n, dtype=int)
    first = np.zeros(n)
    for person, ranking in enumerate(rankings):
        ranked_by[ranking] += 1
        if ranking:
            first[ranking[0]] += w[person]
    first /= max(w.sum(), 1e-12)
    borda = borda_points(rankings, n)
    order = np.argsort(-point, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(1, n + 1)
    return [
        ItemRank(
            item=items[k],
            score=float(point[k]),
            low=float(boot.score_low[k]),
            high=float(boot.score_high[k]),
            mean_rank=None if np.isnan(mean_rank[k]) else float(mean_rank[k]),
            ranked_by=int(ranked_by[k]),
            first=float(first[k]),
            borda=float(borda[k]),
            rank=int(rank[k]),
        )
        for k in order
    ]


def _group_scores(rankings: list[list[int]], mask: np.ndarray, items: list[ExerciseItem]):
    chosen = [ranking for ranking, keep in zip(rankings, mask, strict=True) if keep]
    scores = _point_scores(chosen, len(items))
    return len(chosen), {item.id: float(scores[k]) for k, item in enumerate(items)}


def ranking_results(
    exercise: Exercise, resamples: int = RESAMPLES, breakdowns: bool = True
) -> RankingResults:
    """Scores with 95% intervals, mean rank and first places; with ``breakdowns``, population-weighted scores
    and scores by channel and equality question."""
    items = list(exercise.active_items)
    answers = load_answer_matrix(exercise, items)
    rankings = rankings_from(answers)
    results = RankingResults(
        exercise, _item_ranks(items, rankings, None, resamples) if rankings else [], len(rankings)
    )
    if not (breakdowns and rankings):
        return results
    weighting, results.unweighted_reason = population_weights(exercise, answers.respondent_ids)
    if weighting is not None:
        results.weighted = WeightedRanks(
            _item_ranks(items, rankings, weighting.weights, resamples), weighting
        )
    for channel in Channel:
        mask = answers.channels == channel.value
        if mask.any():
            results.by_channel[channel.value] = _group_scores(rankings, mask, items)
    for dimension, categories in respondent_groups(exercise).items():
        for category, people in categories.items():
            mask = np.isin(answers.respondent_ids, list(people))
            if mask.any():
                results.by_dimension.setdefault(dimension, {})[category] = _group_scores(
                    rankings, mask, items
                )
    return results
