"""Budget exercise results: shares of the pot with intervals, their spread, moves from current budgets."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engage.prioritise.models import BudgetMode, Exercise, ExerciseItem
from engage.prioritise.submissions.matrix import AnswerMatrix, load_answer_matrix
from engage.prioritise.weighting import PopulationWeights, breakdown_figures, population_weights
from engage.stats.allocation import allocation_shares, row_shares, weighted_quantiles

#: Kept for callers: any positive number asks for intervals, 0 leaves them out (they are closed-form now,
#: see engage.stats.allocation.share_intervals).
RESAMPLES = 1000


@dataclass(frozen=True)
class ItemShare:
    item: ExerciseItem
    #: Mean share of the pot (0 to 1), its 95% interval (None: too few responses for an interval), and the
    #: median share.
    mean: float
    low: float | None
    high: float | None
    median: float
    #: The spread of people's shares: 5th, 25th, 75th and 95th percentiles.
    spread: tuple[float, float, float, float]
    #: The mean amount people gave it, and (rebalance mode) the change from its current budget.
    mean_amount: float
    change: float | None
    rank: int

    @property
    def change_fraction(self) -> float | None:
        """The mean change as a fraction of the current budget (None without one)."""
        current = self.item.current_amount
        return self.change / current if self.change is not None and current else None


@dataclass(frozen=True)
class WeightedShares:
    items: list[ItemShare]
    weighting: PopulationWeights


@dataclass
class BudgetResults:
    exercise: Exercise
    items: list[ItemShare]
    respondents: int
    weighted: WeightedShares | None = None
    unweighted_reason: str | None = None
    #: {channel value: (respondents, {item id: mean share})}
    by_channel: dict[str, tuple[int, dict[int, float]]] = field(default_factory=dict)
    #: {dimension: {category: (respondents, {item id: mean share})}}
    by_dimension: dict[str, dict[str, tuple[int, dict[int, float]]]] = field(default_factory=dict)

    @property
    def biggest_cut(self) -> ItemShare | None:
        """Rebalance mode: the item residents took most from, as a share of its budget."""
        moved = [row for row in self.items if (row.change_fraction or 0) < 0]
        return min(moved, key=lambda row: row.change_fraction or 0.0) if moved else None

    @property
    def biggest_rise(self) -> ItemShare | None:
        moved = [row for row in self.items if (row.change_fraction or 0) > 0]
        return max(moved, key=lambda row: row.change_fraction or 0.0) if moved else None


def _item_shares(
    exercise: Exercise,
    items: list[ExerciseItem],
    answers: AnswerMatrix,
    weighting: PopulationWeights | None,
    resamples: int,
) -> list[ItemShare]:
    amounts = np.nan_to_num(answers.values)
    weights = None if weighting is None else weighting.weights
    groups = None if weighting is None else list(weighting.codes.values())
    summary = allocation_shares(amounts, weights=weights, intervals=resamples > 0, groups=groups)
    shares, kept = row_shares(amounts)
    w = np.ones(len(amounts)) if weights is None else np.asarray(weights)
    # The spread follows the weights too (issue 22 item 4): weighted percentiles of people's shares.
    spread = (
        weighted_quantiles(shares, w[kept], [0.05, 0.25, 0.75, 0.95])
        if len(shares)
        else np.zeros((4, len(items)))
    )
    mean_amount = (w @ amounts) / w.sum() if len(amounts) else np.zeros(len(items))
    order = np.argsort(-summary.mean, kind="stable")
    rank = np.empty(len(items), dtype=int)
    rank[order] = np.arange(1, len(items) + 1)
    rebalance = exercise.budget_mode is BudgetMode.REBALANCE
    return [
        ItemShare(
            item=items[k],
            mean=float(summary.mean[k]),
            low=None if np.isnan(summary.low[k]) else float(summary.low[k]),
            high=None if np.isnan(summary.high[k]) else float(summary.high[k]),
            median=float(summary.median[k]),
            spread=(float(spread[0, k]), float(spread[1, k]), float(spread[2, k]), float(spread[3, k])),
            mean_amount=float(mean_amount[k]),
            change=float(mean_amount[k] - (items[k].current_amount or 0)) if rebalance else None,
            rank=int(rank[k]),
        )
        for k in order
    ]


def _mean_shares(
    amounts: np.ndarray, mask: np.ndarray, items: list[ExerciseItem]
) -> tuple[int, dict[int, float]]:
    shares, _ = row_shares(amounts[mask])
    means = shares.mean(axis=0) if len(shares) else np.full(len(items), np.nan)
    return int(mask.sum()), {item.id: float(means[k]) for k, item in enumerate(items)}


def budget_results(
    exercise: Exercise, resamples: int = RESAMPLES, breakdowns: bool = True, threshold: int | None = None
) -> BudgetResults:
    """Mean and median share per item with 95% intervals; with ``breakdowns``, population-weighted shares
    and shares by channel and by each equality question (what the officers' page shows), small groups
    hidden (``threshold``: ENGAGE_SMALL_CELL)."""
    items = list(exercise.active_items)
    answers = load_answer_matrix(exercise, items)
    has_answers = answers.respondents > 0
    results = BudgetResults(
        exercise,
        _item_shares(exercise, items, answers, None, resamples) if has_answers else [],
        answers.respondents,
    )
    if not (breakdowns and has_answers):
        return results
    weighting, results.unweighted_reason = population_weights(exercise, answers.respondent_ids)
    if weighting is not None:
        results.weighted = WeightedShares(
            _item_shares(exercise, items, answers, weighting, resamples), weighting
        )
    amounts = np.nan_to_num(answers.values)
    results.by_channel, results.by_dimension = breakdown_figures(
        exercise,
        answers.respondent_ids,
        answers.respondent_ids,
        answers.channels,
        threshold,
        lambda rows, _people: _mean_shares(amounts, rows, items),
    )
    return results


def respondent_shares(exercise: Exercise, submission) -> dict[int, float]:
    """One person's shares of their own total, by item id (for 'how your choices compare')."""
    total = sum(entry.value for entry in submission.entries)
    return {entry.item_id: (entry.value / total if total else 0.0) for entry in submission.entries}
