"""Budget allocations: each respondent shares out a pot between items; summarise as shares of the pot.

Input is a respondents x items matrix of amounts (money, points or dots). Each row becomes that person's
shares (it sums to 1), so a resident who moves a small pot counts as much as one who moves a large one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class AllocationShares:
    #: Weighted mean share of the pot per item (sums to 1).
    mean: NDArray[np.float64]
    #: Weighted median share per item.
    median: NDArray[np.float64]
    #: Percentile-bootstrap interval for the mean share (equal to ``mean`` when no resamples were asked for).
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    #: Respondents whose allocation had a positive total (the others are left out).
    respondents: int


def row_shares(amounts: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Each row divided by its total, and which rows had a positive total."""
    amounts = np.asarray(amounts, dtype=np.float64)
    if amounts.ndim != 2:
        raise ValueError("amounts must be a respondents x items matrix")
    if np.any(amounts < 0):
        raise ValueError("amounts cannot be negative")
    totals = amounts.sum(axis=1)
    kept = totals > 0
    return amounts[kept] / totals[kept, None], kept


def weighted_median(values: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per column: the smallest value at which the cumulative weight reaches half the total."""
    order = np.argsort(values, axis=0, kind="stable")
    sorted_values = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(weights[order], axis=0)
    half = cumulative[-1] / 2
    position = np.argmax(cumulative >= half - 1e-12, axis=0)
    return sorted_values[position, np.arange(values.shape[1])]


def allocation_shares(
    amounts: ArrayLike,
    weights: ArrayLike | None = None,
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int | None = 0,
    chunk: int = 100,
) -> AllocationShares:
    """Mean and median share of the pot per item, with a bootstrap interval over respondents for the mean.

    The resampling is Rubin's Bayesian bootstrap: each resample gives every respondent a random weight
    (standard exponential, i.e. Dirichlet weights once normalised) instead of a whole-number count. For a
    mean it gives the same intervals as the classical bootstrap, and drawing 100,000 exponentials is far
    cheaper than a 100,000-way multinomial. Resamples are applied ``chunk`` at a time with one matrix
    product each (bounded memory, no Python loop per resample).
    """
    shares, kept = row_shares(amounts)
    n_people, n_items = shares.shape
    w = np.ones(n_people) if weights is None else np.asarray(weights, dtype=np.float64)[kept]
    if n_people == 0:
        empty = np.full(n_items, np.nan)
        return AllocationShares(empty, empty, empty, empty, 0)
    mean = (w @ shares) / w.sum()
    median = weighted_median(shares, w)
    if n_resamples == 0:
        return AllocationShares(mean, median, mean.copy(), mean.copy(), n_people)
    rng = np.random.default_rng(seed)
    means = np.empty((n_resamples, n_items))
    weighted_shares = (shares * w[:, None]).astype(np.float32)
    w32 = w.astype(np.float32)
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        draws = rng.standard_exponential((stop - start, n_people), dtype=np.float32)
        means[start:stop] = (draws @ weighted_shares) / (draws @ w32)[:, None]
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail], axis=0)
    return AllocationShares(mean, median, low, high, n_people)
