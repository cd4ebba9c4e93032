"""Budget shares: hand-computed cases and properties."""

import numpy as np
import pytest

from engage.stats.allocation import allocation_shares, row_shares, weighted_median


def test_hand_computed_shares():
    # Two residents: one puts 60/40, the other 20/80 (out of different pots)
    result = allocation_shares([[60, 40], [200, 800]], n_resamples=0)
    assert result.mean == pytest.approx([0.4, 0.6])
    assert result.respondents == 2


def test_shares_sum_to_one_and_scale_does_not_matter():
    rng = np.random.default_rng(1)
    amounts = rng.integers(0, 100, (50, 6)).astype(float)
    once = allocation_shares(amounts, n_resamples=0)
    doubled = allocation_shares(amounts * 2, n_resamples=0)
    assert once.mean.sum() == pytest.approx(1.0)
    assert doubled.mean == pytest.approx(once.mean)
    assert doubled.median == pytest.approx(once.median)


def test_weights_of_one_equal_the_unweighted_result():
    rng = np.random.default_rng(2)
    amounts = rng.random((40, 4))
    plain = allocation_shares(amounts, n_resamples=200, seed=3)
    weighted = allocation_shares(amounts, weights=np.ones(40), n_resamples=200, seed=3)
    assert weighted.mean == pytest.approx(plain.mean)
    assert weighted.low == pytest.approx(plain.low)


def test_weights_count_a_respondent_more():
    result = allocation_shares([[1, 0], [0, 1]], weights=[3, 1], n_resamples=0)
    assert result.mean == pytest.approx([0.75, 0.25])


def test_weighted_median_by_hand():
    values = np.array([[0.1], [0.2], [0.9]])
    assert weighted_median(values, np.array([1.0, 1.0, 1.0]))[0] == 0.2
    assert weighted_median(values, np.array([1.0, 1.0, 5.0]))[0] == 0.9


def test_empty_allocations_are_left_out_and_negative_ones_refused():
    shares, kept = row_shares([[0, 0], [1, 3]])
    assert kept.tolist() == [False, True] and shares.tolist() == [[0.25, 0.75]]
    with pytest.raises(ValueError):
        allocation_shares([[1, -1]])


def test_bootstrap_interval_contains_the_mean_and_narrows_with_more_people():
    rng = np.random.default_rng(4)
    small = allocation_shares(rng.random((30, 5)), n_resamples=500)
    large = allocation_shares(rng.random((3000, 5)), n_resamples=500)
    for result in (small, large):
        assert np.all(result.low <= result.mean) and np.all(result.mean <= result.high)
    assert np.mean(large.high - large.low) < np.mean(small.high - small.low) / 5


def test_bootstrap_interval_matches_the_normal_theory_width():
    rng = np.random.default_rng(5)
    shares = rng.dirichlet([2, 2, 2], size=2000)
    result = allocation_shares(shares, n_resamples=1000)
    expected = 2 * 1.96 * shares.std(axis=0, ddof=1) / np.sqrt(2000)
    assert result.high - result.low == pytest.approx(expected, rel=0.15)
