"""Timing signals against hand-computed cases."""

import numpy as np
import pytest

from engage.stats.timing import densest_window, rhythm


def test_rhythm_of_a_metronome_and_of_a_person():
    script = rhythm([0.0, 0.5, 1.0, 1.5, 2.0])
    assert script.median_gap == pytest.approx(0.5) and script.variation == pytest.approx(0.0)
    assert script.gaps == 4
    person = rhythm([0, 3, 4, 10, 12])  # gaps 3, 1, 6, 2: mean 3, sample sd sqrt(14/3)
    assert person.median_gap == pytest.approx(2.5)
    assert person.variation == pytest.approx(np.sqrt(14 / 3) / 3)


def test_rhythm_needs_two_gaps_and_ignores_the_order_given():
    assert rhythm([5.0, 1.0]) is None
    assert rhythm([4, 0, 2]).median_gap == pytest.approx(2.0)


def test_densest_window_counts_arrivals_inside_the_width():
    times = [0, 100, 101, 102, 103, 500, 1000]
    assert densest_window(times, 5) == (1, 4)  # 100..103
    assert densest_window(times, 0.5) == (0, 1)
    assert densest_window([], 10) == (0, 0)
    assert densest_window([7, 7, 7], 0) == (0, 3)  # the same second counts together
