"""Budget shares: hand-computed cases and properties."""

import numpy as np
import pytest
from scipy import stats

from engage.stats.allocation import allocation_shares, row_shares, share_intervals, weighted_median


def test_hand_computed_shares():
    # Two residents: one puts 60/40, the other 20/80 (out of different pots)
    result = allocation_shares([[60, 40], [200, 800]], intervals=False)
    assert result.mean == pytest.approx([0.4, 0.6])
    assert result.respondents == 2


def test_shares_sum_to_one_and_scale_does_not_matter():
    rng = np.random.default_rng(1)
    amounts = rng.integers(0, 100, (50, 6)).astype(float)
    once = allocation_shares(amounts, intervals=False)
    doubled = allocation_shares(amounts * 2, intervals=False)
    assert once.mean.sum() == pytest.approx(1.0)
    assert doubled.mean == pytest.approx(once.mean)
    assert doubled.median == pytest.approx(once.median)


def test_weights_of_one_equal_the_unweighted_result():
    rng = np.random.default_rng(2)
    amounts = rng.random((40, 4))
    plain = allocation_shares(amounts)
    weighted = allocation_shares(amounts, weights=np.ones(40))
    assert weighted.mean == pytest.approx(plain.mean)
    assert weighted.low == pytest.approx(plain.low)


def test_weights_count_a_respondent_more():
    result = allocation_shares([[1, 0], [0, 1]], weights=[3, 1], intervals=False)
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


def test_interval_contains_the_mean_and_narrows_with_more_people():
    rng = np.random.default_rng(4)
    small = allocation_shares(rng.random((30, 5)))
    large = allocation_shares(rng.random((3000, 5)))
    for result in (small, large):
        assert np.all(result.low <= result.mean) and np.all(result.mean <= result.high)
    assert np.mean(large.high - large.low) < np.mean(small.high - small.low) / 5


def test_interval_matches_the_normal_theory_width_for_many_people():
    rng = np.random.default_rng(5)
    shares = rng.dirichlet([2, 2, 2], size=2000)
    result = allocation_shares(shares)
    expected = 2 * 1.96 * shares.std(axis=0, ddof=1) / np.sqrt(2000)
    assert result.high - result.low == pytest.approx(expected, rel=0.15)


def test_interval_by_hand():
    # Ten people: five give everything to item 0, five split evenly. Mean shares 0.75 and 0.25; each item's
    # variance of the mean is (10/9) * (5 * 0.25^2 + 5 * 0.25^2) / 100 = 0.0069444, so n_eff =
    # (0.1875 + 0.1875) / (2 * 0.0069444) = 27; Wilson with t(9) = 2.262157 on 0.75 of 27.
    shares = np.array([[1.0, 0.0]] * 5 + [[0.5, 0.5]] * 5)
    low, high = share_intervals(shares)
    z2 = 2.2621571627982053**2
    centre = (0.75 + z2 / 54) / (1 + z2 / 27)
    half = 2.2621571627982053 / (1 + z2 / 27) * np.sqrt(0.1875 / 27 + z2 / (4 * 27**2))
    assert low[0] == pytest.approx(centre - half, abs=1e-12) and high[0] == pytest.approx(centre + half)
    assert low[1] == pytest.approx(1 - high[0]) and high[1] == pytest.approx(1 - low[0])


def test_an_item_nobody_gave_anything_still_gets_a_real_interval():
    # The bootstrap gave [0, 0]: no resample can move a column of zeros.
    rng = np.random.default_rng(6)
    shares = rng.dirichlet([3, 3, 3], size=12)
    shares = np.column_stack([shares, np.zeros(12)])
    low, high = share_intervals(shares)
    assert low[3] == 0 and high[3] > 0.02


def test_too_few_respondents_for_an_interval():
    result = allocation_shares(np.eye(3)[[0, 1, 2] * 3])  # nine people
    assert not result.has_interval and np.isnan(result.low).all()
    assert result.mean == pytest.approx([1 / 3] * 3)
    assert allocation_shares(np.eye(3)[[0, 1, 2] * 4]).has_interval  # twelve
    # Weighted: ten people, but one carries nearly all the weight (effective sample size about 1.1).
    heavy = allocation_shares(np.eye(2)[[0, 1] * 5], weights=[100] + [1] * 9)
    assert not heavy.has_interval


def test_coverage_at_ten_respondents_with_small_shares():
    # A quick version of the simulation study (make validate): heterogeneous residents putting 20 dots on
    # 6 items, one with a true mean share of 2%. The bootstrap covered about 75% here, the small item less.
    rng = np.random.default_rng(7)
    truth = np.array([0.4, 0.25, 0.15, 0.1, 0.08, 0.02])
    covered = np.zeros(6)
    runs = 400
    for _ in range(runs):
        concentration = rng.uniform(0.5, 5, 10)[:, None] * truth * 5
        people = np.array([rng.multinomial(20, rng.dirichlet(c)) for c in concentration]) / 20
        result = allocation_shares(people)
        covered += (result.low <= truth) & (truth <= result.high)
    assert np.all(covered / runs >= 0.92)  # Monte Carlo standard error about 1.1 points


def test_weighted_interval_uses_the_residuals_from_the_weighting_groups():
    # Post-stratification by hand: 12 people in two groups of 6 (weights 1 and 2). Within each group the
    # shares of item 0 are 0.2, 0.4, 0.6 twice over (group 0) and 0.5, 0.7, 0.9 (group 1); the group means
    # explain the rest, so the residuals are -0.2, 0, 0.2 in both groups. Two fitted parameters (the two
    # group means) leave the residuals 12 - 2 degrees of freedom: 12 / 10, not 12 / 11, and t on ess - 2.
    column = np.array([0.2, 0.4, 0.6] * 2 + [0.5, 0.7, 0.9] * 2)
    shares = np.column_stack([column, 1 - column])
    weights = np.r_[np.ones(6), np.full(6, 2.0)]
    groups = [np.r_[np.zeros(6), np.ones(6)]]
    low, high = share_intervals(shares, weights, groups=groups)
    m = (weights @ column) / weights.sum()  # 0.6
    residuals = np.array([-0.2, 0.0, 0.2] * 4)
    variance = (12 / 10) * np.sum((weights * residuals) ** 2) / weights.sum() ** 2
    n_eff = (2 * m * (1 - m)) / (2 * variance)
    ess = weights.sum() ** 2 / np.sum(weights**2)  # 10.8
    z = stats.t.ppf(0.975, ess - 2)
    centre = (m + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * np.sqrt(m * (1 - m) / n_eff + z * z / (4 * n_eff**2))
    assert low[0] == pytest.approx(centre - half) and high[0] == pytest.approx(centre + half)
    # Without the groups the between-group difference counts as noise: a wider interval.
    wide_low, wide_high = share_intervals(shares, weights)
    assert wide_high[0] - wide_low[0] > high[0] - low[0]


def test_students_t_takes_the_pooled_factors_degrees_of_freedom():
    # By hand for three items and ten people, unweighted: the pooled over-dispersion factor has
    # (10 - 1) x (3 - 1) = 18 degrees of freedom, so Wilson's interval takes t(0.975, 18), not t(0.975, 9).
    shares = np.array(
        [[0.5, 0.3, 0.2], [0.6, 0.2, 0.2], [0.4, 0.4, 0.2], [0.5, 0.5, 0.0], [0.7, 0.1, 0.2]] * 2
    )
    low, high = share_intervals(shares)
    m = shares.mean(axis=0)
    variance = (10 / 9) * np.sum((shares - m) ** 2, axis=0) / 100
    model = np.sum(m * (1 - m) * np.ones((10, 3)), axis=0) / 100
    factor = variance.sum() / model.sum()
    n_eff = np.minimum(m * (1 - m) / (factor * model), 10 * 10)  # 145 each, capped at n squared
    z = stats.t.ppf(0.975, 18)
    centre = (m + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * np.sqrt(m * (1 - m) / n_eff + z * z / (4 * n_eff**2))
    assert low == pytest.approx(centre - half) and high == pytest.approx(centre + half)


def test_residual_degrees_of_freedom_make_the_post_stratified_variance_unbiased():
    # Independent check of n / (n - p): with equal weights and two groups, the variance the interval uses
    # is the textbook pooled within-group variance over n, sum((x - group mean)^2) / (n - 2) / n, whose
    # expectation is the true variance of the mean when the groups share one spread. By hand from the
    # interval: Wilson's n_eff is m(1 - m) / variance for two items, so the variance can be read back.
    rng = np.random.default_rng(12)
    group = np.r_[np.zeros(7), np.ones(5)]
    column = np.clip(np.where(group == 0, 0.3, 0.6) + rng.normal(0, 0.2, 12), 0.01, 0.99)
    shares = np.column_stack([column, 1 - column])
    pooled = sum(np.sum((column[group == g] - column[group == g].mean()) ** 2) for g in (0, 1)) / (12 - 2)
    expected = pooled / 12
    within = column - np.where(group == 0, column[group == 0].mean(), column[group == 1].mean())
    assert (12 / (12 - 2)) * np.sum(within**2) / 12**2 == pytest.approx(expected)
    low, high = share_intervals(shares, groups=[group])
    m = column.mean()
    z = stats.t.ppf(0.975, 12 - 2)
    n_eff = m * (1 - m) / expected
    assert n_eff < 12**2  # under the cap of n squared
    centre = (m + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * np.sqrt(m * (1 - m) / n_eff + z * z / (4 * n_eff**2))
    assert low[0] == pytest.approx(centre - half) and high[0] == pytest.approx(centre + half)
