"""Blend several sources' shares of importance into one weight per priority, with intervals.

A source (a pairwise exercise, a budget exercise, a ranking, an importance grid) gives each priority it covers
a share of importance (its shares sum to 1), a point estimate and bootstrap replicates. Sources need not
cover the same priorities, so shares are first turned into *relative importance*: share x number of
priorities the source covers (1 = an average priority in that source). For each priority the blend is the
blend-weighted mean of the relative importances of the sources that cover it; the results are divided by
their total so the weights sum to 1. When every source covers every priority this is exactly the
blend-weighted mean of the shares.

Intervals carry each source's uncertainty through the blend: replicate b of the blend is computed from
replicate b of every source (the sources have different respondents, so their replicates are independent),
and the interval is the percentile interval of the blended replicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats


@dataclass(frozen=True)
class SourceShares:
    """One source's shares: ``point`` has one entry per priority (NaN where the source does not cover it);
    ``samples`` is replicates x priorities with NaN in the same columns."""

    point: NDArray[np.float64]
    samples: NDArray[np.float64]

    @property
    def covered(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.point)


@dataclass(frozen=True)
class Blend:
    #: One weight per priority (NaN where no source covers it); the others sum to 1.
    weight: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    #: 1 for the most important; 0 where there is no weight.
    rank: NDArray[np.int64]
    #: The blended replicates (replicates x priorities).
    samples: NDArray[np.float64]


def shares_from_scores(scores: ArrayLike) -> NDArray[np.float64]:
    """Each row of non-negative scores divided by its total (NaN entries stay NaN and are left out)."""
    scores = np.asarray(scores, dtype=np.float64)
    if np.any(scores < 0):
        raise ValueError("scores cannot be negative")
    totals = np.nansum(scores, axis=-1, keepdims=True)
    if np.any(totals <= 0):
        raise ValueError("every set of scores needs a positive total")
    return scores / totals


def pool_columns(values: ArrayLike, groups: Sequence[int | None], n_groups: int) -> NDArray[np.float64]:
    """Add up columns that belong to the same group (e.g. two items for one priority): column k goes to group
    ``groups[k]``; a column whose group is None is dropped. Groups with no column are NaN."""
    values = np.asarray(values, dtype=np.float64)
    pooled = np.zeros(values.shape[:-1] + (n_groups,))
    seen = np.zeros(n_groups, dtype=bool)
    for column, group in enumerate(groups):
        if group is not None:
            pooled[..., group] += values[..., column]
            seen[group] = True
    pooled[..., ~seen] = np.nan
    return pooled


def bootstrap_column_means(
    values: ArrayLike,
    weights: ArrayLike | None = None,
    n_resamples: int = 200,
    seed: int | None = 0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weighted mean of each column, leaving out NaN cells, and Bayesian-bootstrap replicates of it
    (each replicate gives every respondent a standard exponential weight). Columns with no value are NaN."""
    values = np.asarray(values, dtype=np.float64)
    n_people, n_columns = values.shape
    w = np.ones(n_people) if weights is None else np.asarray(weights, dtype=np.float64)
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)

    def means(person_weights: NDArray[np.float64]) -> NDArray[np.float64]:
        totals = person_weights @ present
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(totals > 0, (person_weights @ filled) / totals, np.nan)

    point = means(w[None, :])[0] if n_people else np.full(n_columns, np.nan)
    if n_people == 0 or n_resamples == 0:
        return point, np.tile(point, (n_resamples, 1))
    draws = np.random.default_rng(seed).standard_exponential((n_resamples, n_people)) * w
    return point, means(draws)


def _relative(shares: NDArray[np.float64]) -> NDArray[np.float64]:
    """Shares (last axis over priorities, NaN = not covered) as relative importance: 1 = average."""
    covered = (~np.isnan(shares)).sum(axis=-1, keepdims=True)
    return shares * covered


def _combine(relatives: list[NDArray[np.float64]], blend: NDArray[np.float64]) -> NDArray[np.float64]:
    stacked = np.stack(relatives)  # sources x ... x priorities
    covered = ~np.isnan(stacked)
    b = blend.reshape((-1,) + (1,) * (stacked.ndim - 1))
    numerator = np.where(covered, stacked, 0.0) * b
    denominator = covered * b
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = numerator.sum(axis=0) / denominator.sum(axis=0)
    combined[denominator.sum(axis=0) == 0] = np.nan
    return combined / np.nansum(combined, axis=-1, keepdims=True)


def ranks(weight: ArrayLike) -> NDArray[np.int64]:
    """1 for the largest weight (ties keep the earlier priority first); 0 for NaN."""
    weight = np.asarray(weight, dtype=np.float64)
    order = np.argsort(np.where(np.isnan(weight), -np.inf, -weight), kind="stable")
    rank = np.zeros(len(weight), dtype=np.int64)
    valid = order[~np.isnan(weight[order])]
    rank[valid] = np.arange(1, len(valid) + 1)
    return rank


def blend_shares(sources: Sequence[SourceShares], blend: ArrayLike, level: float = 0.95) -> Blend:
    """Blend sources with the given blend weights (positive; they are normalised)."""
    shares = np.asarray(blend, dtype=np.float64)
    if not sources:
        raise ValueError("a blend needs at least one source")
    if len(shares) != len(sources):
        raise ValueError("one blend weight is needed per source")
    if np.any(shares <= 0) or not np.all(np.isfinite(shares)):
        raise ValueError("blend weights must be positive numbers")
    widths = {len(s.point) for s in sources}
    replicates = {len(s.samples) for s in sources}
    if len(widths) != 1 or len(replicates) != 1:
        raise ValueError("every source needs the same priorities and the same number of replicates")
    shares = shares / shares.sum()
    weight = _combine([_relative(s.point) for s in sources], shares)
    samples = _combine([_relative(s.samples) for s in sources], shares)
    tail = (1 - level) / 2 * 100
    low, high = weight.copy(), weight.copy()
    columns = ~np.isnan(weight)
    if len(samples) and columns.any():
        low[columns], high[columns] = np.percentile(samples[:, columns], [tail, 100 - tail], axis=0)
    return Blend(weight, low, high, ranks(weight), samples)


def rank_agreement(a: ArrayLike, b: ArrayLike) -> float | None:
    """Kendall's tau-b between two sets of weights over the priorities both have (None with fewer than 2)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    both = ~np.isnan(a) & ~np.isnan(b)
    if both.sum() < 2:
        return None
    tau = stats.kendalltau(a[both], b[both]).statistic
    return None if np.isnan(tau) else float(tau)
