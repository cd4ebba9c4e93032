"""Rounding shares so the rounded figures still add up to their total (the largest-remainder method)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def round_to_total(values: ArrayLike, decimals: int = 6, total: float | None = None) -> NDArray[np.float64]:
    """``values`` rounded to ``decimals`` places so that they add up exactly to ``total`` (default: their
    own sum, itself rounded), in units of the last place; NaN entries stay NaN and take no part.

    Each value is first rounded down; the units still missing go, one each, to the values that lost the
    most in rounding down (Hare's largest-remainder method; ties go to the earlier value). So no value moves
    by a whole unit or more, and the rounded values sum to the total exactly as decimals of that many places.
    """
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    present = ~np.isnan(x)
    if not present.any():
        return out
    scale = 10**decimals
    scaled = x[present] * scale
    target = round((float(np.sum(x[present])) if total is None else total) * scale)
    floors = np.floor(scaled + 1e-9)  # a value already on the grid is not rounded down a unit
    missing = int(target - floors.sum())
    remainders = scaled - floors
    if missing >= 0:
        order = np.argsort(-remainders, kind="stable")[:missing]
        floors[order] += 1
    else:
        order = np.argsort(remainders, kind="stable")[:-missing]
        floors[order] -= 1
    out[present] = floors / scale
    return out
