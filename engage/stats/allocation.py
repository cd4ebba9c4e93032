"""Budget allocations: each respondent shares out a pot between items; summarise as shares of the pot.

Input is a respondents x items matrix of amounts (money, points or dots). Each row becomes that person's
shares (it sums to 1), so a resident who moves a small pot counts as much as one who moves a large one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

#: Fewer respondents than this (or a smaller effective sample size, when weighted) and no interval is given:
#: the simulation study (docs/validation.md) finds no interval that holds its 95% for every item below it.
MIN_INTERVAL_RESPONDENTS = 10


@dataclass(frozen=True)
class AllocationShares:
    #: Weighted mean share of the pot per item (sums to 1).
    mean: NDArray[np.float64]
    #: Weighted median share per item.
    median: NDArray[np.float64]
    #: 95% interval for the mean share (see ``share_intervals``); NaN when there are too few respondents
    #: for one (fewer than MIN_INTERVAL_RESPONDENTS), equal to ``mean`` when no interval was asked for.
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    #: Respondents whose allocation had a positive total (the others are left out).
    respondents: int

    @property
    def has_interval(self) -> bool:
        return not np.isnan(self.low).any()


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
    return weighted_quantiles(values, weights, [0.5])[0]


def weighted_quantiles(
    values: NDArray[np.float64], weights: NDArray[np.float64], quantiles: ArrayLike
) -> NDArray[np.float64]:
    """Per column and quantile q: the smallest value at which the cumulative weight reaches q of the total
    (with equal weights, the inverted-CDF quantile). Returns len(quantiles) x columns."""
    values = np.asarray(values, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    order = np.argsort(values, axis=0, kind="stable")
    sorted_values = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(weights[order], axis=0)
    total = cumulative[-1]
    columns = np.arange(values.shape[1])
    out = []
    for q in np.atleast_1d(np.asarray(quantiles, dtype=np.float64)):
        position = np.argmax(cumulative >= q * total - 1e-12 * total, axis=0)
        out.append(sorted_values[position, columns])
    return np.array(out)


def _residuals(
    x: NDArray[np.float64], w: NDArray[np.float64], groups: Sequence[ArrayLike]
) -> tuple[NDArray[np.float64], int]:
    """What the weighting groups do not explain: x minus its weighted least-squares fit on an indicator per
    category of each grouping (a missing answer, any negative code, is a category of its own), and how many
    parameters that fit used (the rank of its design: the residuals have that many fewer degrees of
    freedom)."""
    columns = [np.ones(len(x))]
    for codes in groups:
        codes = np.asarray(codes, dtype=np.int64)
        _, labels = np.unique(codes, return_inverse=True)
        columns += [(labels == k).astype(np.float64) for k in range(1, labels.max() + 1)]
    design = np.column_stack(columns)
    root = np.sqrt(w)[:, None]
    coefficients, _, rank, _ = np.linalg.lstsq(design * root, x * root, rcond=None)
    return x - design @ coefficients, int(rank)


def share_intervals(
    shares: ArrayLike,
    weights: ArrayLike | None = None,
    level: float = 0.95,
    groups: Sequence[ArrayLike] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Intervals for the (weighted) mean share of each item that hold for skewed shares near 0.

    A Dirichlet-multinomial view of the allocations: each item's mean share m behaves like a proportion from
    ``n_eff`` independent yes/no answers. The model variance of each mean share is that of people's shares as
    proportions around their fitted means (the overall mean; with ``groups``, their group's), weighted, times
    one over-dispersion factor common to every item. That factor is estimated from all the items together (the
    sum of the items' observed variances of the mean over the sum of their model variances), so an item most
    people gave nothing borrows the spread of the others instead of claiming an interval of zero width. The
    interval is then Wilson's score interval for a proportion m out of n_eff, with Student's t on the pooled
    factor's (effective sample size - p) x (items - 1) degrees of freedom in place of the normal quantile. The
    observed variance of a weighted mean is the usual linearised (ratio) one; with ``groups`` (each
    respondent's category codes for each dimension the weights were raked on) it uses the residuals from those
    groups, as for any raked or post-stratified estimate: weighting to known population shares removes the
    between-group part of the variance (without this the weighted intervals covered 98-100%). The residuals
    come from p fitted parameters (1, the mean; with groups, the rank of the groups' design), so the spread
    is scaled by n / (n - p). Intervals are NaN below MIN_INTERVAL_RESPONDENTS (effective) respondents.

    The percentile bootstrap it replaces covered 74-82% at 10 respondents and 41% for an item with small
    shares; this covers 94-98% from 10 to 200 respondents in the simulation study (docs/validation.md).
    """
    x = np.asarray(shares, dtype=np.float64)
    n, k = x.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    ess = float(w.sum() ** 2 / np.sum(w * w)) if n and np.any(w) else 0.0
    if n < MIN_INTERVAL_RESPONDENTS or ess < MIN_INTERVAL_RESPONDENTS - 1e-9:
        nan = np.full(k, np.nan)
        return nan, nan.copy()
    total = w.sum()
    m = (w @ x) / total
    residuals, fitted_parameters = (x - m, 1) if not groups else _residuals(x, w, groups)
    # Residuals from p fitted parameters (the mean; with groups, one per category) have n - p degrees of
    # freedom: n / (n - p) makes their spread unbiased. With n / (n - 1) for the raked residuals, the weighted
    # intervals covered 92.5% at 20 respondents (docs/validation.md).
    p = min(fitted_parameters, n - 1)
    variance = (n / (n - p)) * np.sum((w[:, None] * residuals) ** 2, axis=0) / total**2
    binomial = m * (1 - m)
    # The model's variance of each mean share, up to the common over-dispersion factor: each person's share
    # as a proportion around its fitted mean (the group's, with groups), weighted. Without groups or
    # weights it is m(1 - m) / n, so n_eff is n over the pooled factor.
    fitted = np.clip(x - residuals, 0.0, 1.0)
    model = np.sum((w * w)[:, None] * fitted * (1 - fitted), axis=0) / total**2
    spread = variance.sum()
    pooled = binomial.sum() / spread if spread > 0 else np.inf
    factor = spread / model.sum() if model.sum() > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(model * factor > 0, binomial / (factor * model), pooled)
    n_eff = np.clip(n_eff, 1.0, n * n)  # identical answers: as if n * n, not infinitely many
    # Student's t on the degrees of freedom of the pooled over-dispersion factor: (ess - p) per item, pooled
    # over the k - 1 free items (shares add up to 1). With (ess - 1) alone the intervals covered 97-98% at 10
    # respondents, wider than needed (docs/validation.md).
    z = stats.t.ppf(0.5 + level / 2, max(ess - p, 1.0) * max(k - 1, 1))
    z2 = z * z
    centre = (m + z2 / (2 * n_eff)) / (1 + z2 / n_eff)
    half = z / (1 + z2 / n_eff) * np.sqrt(binomial / n_eff + z2 / (4 * n_eff**2))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def allocation_shares(
    amounts: ArrayLike,
    weights: ArrayLike | None = None,
    level: float = 0.95,
    intervals: bool = True,
    groups: Sequence[ArrayLike] | None = None,
) -> AllocationShares:
    """Mean and median share of the pot per item, with an interval for the mean share (``share_intervals``,
    which takes ``groups``; ``intervals=False`` leaves it out and sets both limits to the mean)."""
    shares, kept = row_shares(amounts)
    n_people, n_items = shares.shape
    w = np.ones(n_people) if weights is None else np.asarray(weights, dtype=np.float64)[kept]
    if n_people == 0:
        empty = np.full(n_items, np.nan)
        return AllocationShares(empty, empty, empty, empty, 0)
    mean = (w @ shares) / w.sum()
    median = weighted_median(shares, w)
    if not intervals:
        return AllocationShares(mean, median, mean.copy(), mean.copy(), n_people)
    kept_groups = None if groups is None else [np.asarray(g)[kept] for g in groups]
    low, high = share_intervals(shares, w, level, kept_groups)
    return AllocationShares(mean, median, low, high, n_people)
