"""Population weighting with category labels: rake respondents to the area's margins, or say clearly why not.

The label-facing front of ``engage.stats.raking`` (which works on category codes): consultations and
reports hold answers as labels ("25-34", "Female", "North"), and a mistake in them (a category the
population table does not have, or one nobody in the sample gave) must stop the weighting with a message
that names it, not quietly weight towards the wrong target.

Missing answers: a respondent whose answer for a dimension is ``None`` (not asked, skipped, "prefer not to
say") keeps their weight for that dimension and is adjusted only by the dimensions they did answer. The
answered respondents are matched to the population's shares; people who answered nothing get weight 1
before the final rescaling.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from engage.stats.raking import MISSING, effective_sample_size
from engage.stats.raking import rake as _rake_codes

__all__ = ["effective_sample_size", "rake"]


def _codes(
    dimension: str, answers: Sequence[str | None], population: Mapping[str, float]
) -> NDArray[np.int64]:
    labels = list(population)
    index = {label: k for k, label in enumerate(labels)}
    unknown = sorted({a for a in answers if a is not None and a not in index})
    if unknown:
        raise ValueError(
            f"{dimension}: the sample has categories the population margins do not: {', '.join(unknown)}"
        )
    given = {a for a in answers if a is not None}
    absent = [label for label in labels if population[label] > 0 and label not in given]
    if absent:
        raise ValueError(
            f"{dimension}: nobody in the sample is in these categories, so they cannot be matched: "
            f"{', '.join(absent)}. Merge them with a neighbouring category or leave {dimension} out."
        )
    return np.array([MISSING if a is None else index[a] for a in answers], dtype=np.int64)


def rake(
    sample_categories: Mapping[str, Sequence[str | None]],
    margins: Mapping[str, Mapping[str, float]],
    max_iter: int = 500,
    tol: float = 1e-8,
    trim: tuple[float, float] | None = None,
    counts: Sequence[float] | None = None,
) -> NDArray[np.float64]:
    """Weights (one per respondent, mean 1) by iterative proportional fitting over several dimensions.

    ``sample_categories[d]`` gives each respondent's category label for dimension ``d`` (None where they did
    not say); ``margins[d]`` maps each category to its population (any scale: only shares matter). With
    ``trim=(low, high)`` every weight is kept between ``low`` and ``high`` times the mean, and raking and
    trimming alternate until neither moves the weights; the margins then match as closely as the trim
    allows. ``counts[i]`` (default 1) is how many respondents row ``i`` stands for (a table of answer
    combinations and how many gave each). Raises ValueError for a dimension missing from the sample,
    categories that do not line up, or no convergence within ``max_iter`` cycles.
    """
    if not margins:
        raise ValueError("give at least one dimension to weight by")
    missing = [d for d in margins if d not in sample_categories]
    if missing:
        raise ValueError(f"the sample has no answers for: {', '.join(missing)}")
    lengths = {len(sample_categories[d]) for d in margins}
    if len(lengths) != 1:
        raise ValueError("every dimension needs one answer (or None) per respondent")
    if trim is not None and not 0 <= trim[0] <= 1 <= trim[1]:
        raise ValueError("trim must be (low, high) with low <= 1 <= high, as multiples of the mean weight")
    codes = {d: _codes(d, sample_categories[d], margins[d]) for d in margins}
    targets = {d: [float(v) for v in margins[d].values()] for d in margins}
    low, high = trim if trim is not None else (None, None)
    result = _rake_codes(codes, targets, cap=high, floor=low, tol=tol, max_iter=max_iter, counts=counts)
    if not result.stable:
        raise ValueError(
            f"raking did not converge in {max_iter} cycles"
            + (": the trim range may be too narrow for these margins" if trim is not None else "")
        )
    return result.weights
