"""The middle and spread of a set of numbers: the median and the quartiles (the middle half lies between)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def median_and_quartiles(values: ArrayLike) -> tuple[float, float, float] | None:
    """(lower quartile, median, upper quartile) of ``values``, by linear interpolation between the ordered
    values (NumPy's default, Hyndman and Fan's type 7, as R and spreadsheets compute them); None if empty."""
    numbers = np.asarray(values, dtype=float)
    if numbers.size == 0:
        return None
    low, middle, high = np.quantile(numbers, [0.25, 0.5, 0.75])
    return float(low), float(middle), float(high)
