"""Blending sources into weights: hand-computed cases and the properties the method statement promises."""

import numpy as np
import pytest
from scipy import stats

from engage.stats.blend import (
    SourceShares,
    blend_shares,
    bootstrap_column_means,
    pool_columns,
    rank_agreement,
    ranks,
    shares_from_scores,
)

NAN = np.nan


def source(point, samples=None):
    point = np.asarray(point, dtype=float)
    samples = np.tile(point, (4, 1)) if samples is None else np.asarray(samples, dtype=float)
    return SourceShares(point, samples)


def test_shares_from_scores_divides_by_the_total_and_keeps_gaps():
    assert shares_from_scores([60, 30, 10]) == pytest.approx([0.6, 0.3, 0.1])
    shares = shares_from_scores([[1, NAN, 3], [2, 2, 0]])
    assert shares[0, 0] == pytest.approx(0.25)
    assert np.isnan(shares[0, 1])
    assert shares[1] == pytest.approx([0.5, 0.5, 0.0])
    with pytest.raises(ValueError, match="negative"):
        shares_from_scores([1, -1])
    with pytest.raises(ValueError, match="positive total"):
        shares_from_scores([0, 0])


def test_pool_columns_adds_items_of_one_priority_and_marks_priorities_without_items():
    pooled = pool_columns([[0.2, 0.3, 0.5, 0.0]], [0, 0, 2, None], 3)
    assert pooled[0, 0] == pytest.approx(0.5)
    assert np.isnan(pooled[0, 1])
    assert pooled[0, 2] == pytest.approx(0.5)


def test_blend_of_full_coverage_sources_is_the_weighted_mean_of_shares():
    # 50% of (0.5, 0.3, 0.2) + 30% of (0.2, 0.2, 0.6) + 20% of (0.1, 0.6, 0.3), by hand:
    # 0.25 + 0.06 + 0.02 = 0.33; 0.15 + 0.06 + 0.12 = 0.33; 0.10 + 0.18 + 0.06 = 0.34
    result = blend_shares(
        [source([0.5, 0.3, 0.2]), source([0.2, 0.2, 0.6]), source([0.1, 0.6, 0.3])], [50, 30, 20]
    )
    assert result.weight == pytest.approx([0.33, 0.33, 0.34])
    assert result.rank[2] == 1
    assert result.weight.sum() == pytest.approx(1.0)


def test_partial_coverage_uses_relative_importance():
    # Source A covers all four: shares 0.4, 0.3, 0.2, 0.1 -> relative 1.6, 1.2, 0.8, 0.4.
    # Source B covers the first two only: 0.25, 0.75 -> relative 0.5, 1.5.
    # Equal blend: p1 (1.6 + 0.5) / 2 = 1.05; p2 (1.2 + 1.5) / 2 = 1.35; p3 0.8; p4 0.4; total 3.6.
    result = blend_shares([source([0.4, 0.3, 0.2, 0.1]), source([0.25, 0.75, NAN, NAN])], [1, 1])
    assert result.weight == pytest.approx(np.array([1.05, 1.35, 0.8, 0.4]) / 3.6)
    assert list(result.rank) == [2, 1, 3, 4]


def test_priority_no_source_covers_has_no_weight_and_no_rank():
    result = blend_shares([source([0.5, NAN, 0.5])], [1])
    assert np.isnan(result.weight[1])
    assert result.rank[1] == 0
    assert np.nansum(result.weight) == pytest.approx(1.0)


def test_intervals_come_from_blending_replicate_by_replicate():
    a = source([0.5, 0.5], [[0.4, 0.6], [0.6, 0.4], [0.5, 0.5]])
    b = source([0.5, 0.5], [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])
    result = blend_shares([a, b], [1, 1], level=1.0)
    # Replicates of the first weight: 0.45, 0.55, 0.5, so the full-range interval is 0.45 to 0.55.
    assert result.samples[:, 0] == pytest.approx([0.45, 0.55, 0.5])
    assert result.low[0] == pytest.approx(0.45)
    assert result.high[0] == pytest.approx(0.55)


def test_a_more_certain_source_gives_a_narrower_blend():
    rng = np.random.default_rng(1)
    noisy = rng.dirichlet([50, 50, 50], size=500)
    steady = rng.dirichlet([5000, 5000, 5000], size=500)
    wide = blend_shares([source(noisy.mean(axis=0), noisy)], [1])
    narrow = blend_shares([source(steady.mean(axis=0), steady)], [1])
    assert np.all(narrow.high - narrow.low < wide.high - wide.low)


@pytest.mark.parametrize(
    ("sources", "blend", "message"),
    [
        ([], [], "at least one source"),
        ([source([0.5, 0.5])], [1, 2], "one blend weight"),
        ([source([0.5, 0.5])], [0], "positive"),
        ([source([0.5, 0.5]), source([1.0])], [1, 1], "same priorities"),
    ],
)
def test_bad_blends_are_refused(sources, blend, message):
    with pytest.raises(ValueError, match=message):
        blend_shares(sources, blend)


def test_bootstrap_column_means_leaves_out_missing_cells():
    values = np.array([[5, 1], [3, NAN], [4, 3]], dtype=float)
    point, samples = bootstrap_column_means(values, n_resamples=300)
    assert point == pytest.approx([4.0, 2.0])
    assert samples.shape == (300, 2)
    assert samples[:, 0].min() >= 3 and samples[:, 0].max() <= 5
    weighted, _ = bootstrap_column_means(values, weights=[2, 1, 1], n_resamples=0)
    assert weighted == pytest.approx([(10 + 3 + 4) / 4, (2 + 3) / 3])


def test_bootstrap_column_means_intervals_match_the_classical_standard_error():
    rng = np.random.default_rng(7)
    values = rng.integers(1, 6, size=(2000, 1)).astype(float)
    _, samples = bootstrap_column_means(values, n_resamples=2000, seed=3)
    standard_error = values.std(ddof=1) / np.sqrt(len(values))
    assert samples.std() == pytest.approx(standard_error, rel=0.1)


def test_ranks_and_agreement():
    assert list(ranks([0.2, NAN, 0.5, 0.3])) == [3, 0, 1, 2]
    a = [0.4, 0.3, 0.2, 0.1]
    b = [0.1, 0.3, 0.2, 0.4]
    assert rank_agreement(a, a) == pytest.approx(1.0)
    assert rank_agreement(a, b) == pytest.approx(stats.kendalltau(a, b).statistic)
    assert rank_agreement([0.5, NAN], [0.5, 0.5]) is None
