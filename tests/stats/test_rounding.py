"""Largest-remainder rounding against hand-worked answers."""

import math
from decimal import Decimal

import numpy as np

from engage.stats.rounding import round_to_total


def _decimal_sum(values) -> Decimal:
    return sum((Decimal(repr(float(v))) for v in values), Decimal(0))


def test_thirds_by_hand():
    # 0.333333 + 0.333333 + 0.333333 = 0.999999: one unit of the sixth place is missing and goes to the
    # first of the tied remainders.
    assert round_to_total([1 / 3, 1 / 3, 1 / 3]).tolist() == [0.333334, 0.333333, 0.333333]


def test_the_largest_remainder_takes_the_unit():
    # Hand-worked at 2 places: the values sum to 1; floors 0.12, 0.45, 0.42 sum 0.99; remainders (in units
    # of 0.01) .49, .48, .03, so the missing unit goes to the first, though plain rounding rounds it down.
    assert round_to_total([0.1249, 0.4548, 0.4189 + 0.0014], decimals=2).tolist() == [0.13, 0.45, 0.42]


def test_missing_values_stay_missing():
    rounded = round_to_total([0.5, math.nan, 0.25, 0.25])
    assert math.isnan(rounded[1]) and rounded[[0, 2, 3]].tolist() == [0.5, 0.25, 0.25]


def test_random_shares_add_up_to_one_exactly_where_plain_rounding_does_not():
    rng = np.random.default_rng(0)
    plain_misses = 0
    for _ in range(200):
        shares = rng.dirichlet(np.ones(rng.integers(3, 40)))
        rounded = round_to_total(shares, 6, total=1.0)
        assert _decimal_sum(rounded) == Decimal(1)
        assert np.max(np.abs(rounded - shares)) < 1e-6
        plain_misses += _decimal_sum(np.round(shares, 6)) != Decimal(1)
    assert plain_misses > 50  # the issue: plain rounding sums to 1 +/- a few millionths
