"""Population weighting by raking (iterative proportional fitting) to census margins.

Each respondent may have answered some of the weighting questions (age band, sex, ward...). For each
dimension in turn, the weights of the respondents who answered it are scaled so that their weighted
distribution over that dimension's categories matches the population's; respondents who did not answer
are left as they are for that dimension. The cycle repeats until every margin matches. Weights are then
capped (so no one person speaks for too many) and the fit repeated, and the effective sample size reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: The code for "did not answer" (or "prefer not to say") in a respondent's category array.
MISSING = -1


@dataclass(frozen=True)
class RakingResult:
    #: One weight per respondent, mean 1.
    weights: NDArray[np.float64]
    #: Kish's effective sample size: (sum w)^2 / sum w^2.
    effective_sample_size: float
    #: The weighted shares match every margin (within 1e-6). False when a cap or floor stopped them.
    converged: bool
    iterations: int
    #: (dimension, category) pairs with population but no respondent: they cannot be matched.
    unmatched: list[tuple[str, int]]
    #: A whole cycle of fitting (and trimming) no longer moves the weights.
    stable: bool = True
    #: The largest gap between a weighted share and the population's share.
    margin_error: float = 0.0


def effective_sample_size(weights: ArrayLike, counts: ArrayLike | None = None) -> float:
    """Kish's effective sample size of a set of weights; ``counts[i]`` (default 1) is how many respondents
    share weight ``i``."""
    w = np.asarray(weights, dtype=np.float64)
    n = np.ones_like(w) if counts is None else np.asarray(counts, dtype=np.float64)
    return float((n * w).sum() ** 2 / np.sum(n * w * w)) if w.size and np.any(n * w) else 0.0


def _apply_cap(
    weights: NDArray[np.float64],
    cap: float | None,
    floor: float | None = None,
    counts: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Keep weights between ``floor`` and ``cap`` times their mean (trimming moves the mean, so repeat until
    it holds)."""
    for _ in range(100):
        mean = np.average(weights, weights=counts)
        high = np.inf if cap is None else cap * mean
        low = 0.0 if floor is None else floor * mean
        if weights.max() <= high * (1 + 1e-12) and weights.min() >= low * (1 - 1e-12):
            break
        weights = np.clip(weights, low, high)
    return weights


def rake(
    categories: Mapping[str, ArrayLike],
    targets: Mapping[str, Sequence[float]],
    cap: float | None = 5.0,
    tol: float = 1e-8,
    max_iter: int = 200,
    floor: float | None = None,
    counts: ArrayLike | None = None,
) -> RakingResult:
    """Weights that make each dimension's weighted distribution match ``targets``.

    ``categories[d]`` holds each respondent's category index for dimension ``d`` (``MISSING`` if not
    answered); ``targets[d]`` the population in each category (any scale: only shares matter). ``cap``
    limits any weight to that multiple of the mean weight, and ``floor`` keeps each at least that multiple.
    ``counts[i]`` (default 1) is how many respondents row ``i`` stands for: people with the same answers get
    the same weight, so a table of (answers, how many) rakes like the respondents themselves, and faster.
    The mean weight is then 1 over the respondents.
    """
    dims = list(targets)
    if not dims:
        raise ValueError("give at least one dimension to weight by")
    codes = {d: np.asarray(categories[d], dtype=np.int64) for d in dims}
    n = len(next(iter(codes.values())))
    if any(len(c) != n for c in codes.values()):
        raise ValueError("every dimension needs one category per respondent")
    many = np.ones(n) if counts is None else np.asarray(counts, dtype=np.float64)
    if many.shape != (n,) or np.any(many < 0):
        raise ValueError("counts needs one non-negative number per row")
    shares = {}
    unmatched: list[tuple[str, int]] = []
    for d in dims:
        population = np.asarray(targets[d], dtype=np.float64)
        if np.any(population < 0) or population.sum() <= 0:
            raise ValueError(f"population counts for {d} must be non-negative and not all zero")
        if codes[d].max(initial=MISSING) >= population.size:
            raise ValueError(f"a respondent's category for {d} is not in its population table")
        given = codes[d] != MISSING
        present = np.bincount(codes[d][given], weights=many[given], minlength=population.size) > 0
        unmatched += [(d, int(c)) for c in np.flatnonzero(~present & (population > 0))]
        # Categories nobody answered cannot be matched: share the population out over the rest.
        kept = np.where(present, population, 0.0)
        shares[d] = kept / kept.sum() if kept.sum() > 0 else kept
    weights = np.ones(n)
    stable, iterations = False, 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported after the loop)
        before = weights.copy()
        for d in dims:
            answered = codes[d] != MISSING
            if not answered.any():
                continue
            current = np.bincount(
                codes[d][answered], weights=(weights * many)[answered], minlength=shares[d].size
            )
            wanted = shares[d] * current.sum()
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, wanted / current, 1.0)
            weights[answered] *= factor[codes[d][answered]]
        if cap is not None or floor is not None:
            # Trimming moves the margins, and the next cycle moves them back: repeat until a whole cycle
            # (fit, then trim) leaves the weights where it found them.
            weights = _apply_cap(weights, cap, floor, many)
        people = many.sum()
        weights = weights / np.average(weights, weights=many) if people else weights
        if people == 0 or float(np.max(np.abs(weights / before - 1.0))) < tol:
            stable = True
            break
    error = _margin_error(codes, shares, weights * many)
    return RakingResult(
        weights, effective_sample_size(weights, many), error < 1e-6, iterations, unmatched, stable, error
    )


def _margin_error(
    codes: Mapping[str, NDArray[np.int64]],
    shares: Mapping[str, NDArray[np.float64]],
    weights: NDArray[np.float64],
) -> float:
    """The largest gap between a weighted share and its population share, over every dimension."""
    worst = 0.0
    for d, code in codes.items():
        answered = code != MISSING
        if not answered.any():
            continue
        current = np.bincount(code[answered], weights=weights[answered], minlength=shares[d].size)
        worst = max(worst, float(np.max(np.abs(current / current.sum() - shares[d]))))
    return worst
