"""Blending sources into weights: hand-computed cases, and the properties docs/weights.md promises (recoding
and splitting change nothing; a source's stated share is its influence)."""

import math

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit, logit

from engage.stats.blend import (
    PSEUDO_RESPONDENTS,
    BlendError,
    PersonDraws,
    SourceStrengths,
    bayesian_bootstrap_inflation,
    beat_random_weights,
    blend_sources,
    bradley_terry_strengths,
    pool_columns,
    preference_chances,
    priority_log_strengths,
    rank_agreement,
    ranks,
    rating_strengths,
    source_influence,
    strengths_from_chances,
)
from engage.stats.pairwise import beat_random_scores, fit_bradley_terry, simulate_votes, win_matrix

NAN = np.nan


def fixed(point, samples=None):
    """A source with given log-strengths (and replicates; by default four copies of the point)."""
    point = np.asarray(point, dtype=float)
    samples = np.tile(point, (4, 1)) if samples is None else np.asarray(samples, dtype=float)
    return SourceStrengths(point, samples, np.where(np.isnan(point), 0, 100))


# --- Hand-computed small cases ------------------------------------------------------------------------------


def test_preference_chances_by_hand():
    # Two people rate three priorities. Person 1: 5, 3, 3. Person 2: 4, 4, 1.
    # A over B: person 1 yes (1), person 2 tie (0.5) -> 1.5 of 2, plus the indifferent pseudo-person: 2/3.
    # A over C: both yes -> (2 + 0.5) / 3 = 5/6. B over C: tie, yes -> (1.5 + 0.5) / 3 = 2/3.
    chances = preference_chances([[5, 3, 3], [4, 4, 1]])
    assert PSEUDO_RESPONDENTS == 1
    expected = np.array([[0.5, 2 / 3, 5 / 6], [1 / 3, 0.5, 2 / 3], [1 / 6, 1 / 3, 0.5]])
    assert chances == pytest.approx(expected)
    # Log-strengths: each priority's mean log-odds against all three (itself included), then centred.
    a = (logit(2 / 3) + logit(5 / 6)) / 3
    b = (logit(1 / 3) + logit(2 / 3)) / 3
    c = (logit(1 / 6) + logit(1 / 3)) / 3
    assert strengths_from_chances(chances) == pytest.approx(np.array([a, b, c]) - (a + b + c) / 3)


def test_a_priority_nobody_answered_has_no_strength():
    values = [[5, 3, NAN], [4, 2, NAN]]
    chances = preference_chances(values)
    assert np.isnan(chances[0, 2]) and np.isnan(chances[2, 2])
    strength = strengths_from_chances(chances)
    assert np.isnan(strength[2])
    # A over B: both -> (2 + 0.5) / 3; the strengths are +-half its log-odds.
    assert strength[:2] == pytest.approx([logit(5 / 6) / 2, -logit(5 / 6) / 2])


def test_one_source_gives_beat_a_random_other_over_the_total():
    # Log-strengths 1, 0, -1: chance of beating each other, averaged, e.g. for the first
    # (expit(1) + expit(2)) / 2; the three chances add up to 3/2, so the weights are chance / 1.5.
    weight = blend_sources([fixed([1.0, 0.0, -1.0])], [1]).weight
    first = (expit(1) + expit(2)) / 2
    middle = (expit(1) + expit(-1)) / 2
    assert weight == pytest.approx(np.array([first, middle, 1.5 - first - middle]) / 1.5)
    assert weight.sum() == pytest.approx(1.0)
    # ... which is what the pairwise results page shows, over its total.
    scores = beat_random_scores(np.array([1.0, 0.0, -1.0]))
    assert weight == pytest.approx(scores / scores.sum())


def test_two_sources_by_hand():
    # A: log-strengths 2, 0, -2 (spread sqrt(8/3)); B: 0.3, -0.3, 0 (spread sqrt(0.06)). Standardised:
    # A -> 1.2247, 0, -1.2247; B -> 1.2247, -1.2247, 0. Equal blend: 1.2247, -0.6124, -0.6124 times the
    # mean spread (sqrt(8/3) + sqrt(0.06)) / 2.
    spread_a, spread_b = np.sqrt(8 / 3), np.sqrt(0.06)
    z = np.sqrt(1.5)
    blended = np.array([z, -z / 2, -z / 2]) * (spread_a + spread_b) / 2
    result = blend_sources([fixed([2.0, 0.0, -2.0]), fixed([0.3, -0.3, 0.0])], [1, 1])
    assert result.weight == pytest.approx(beat_random_weights(blended))
    assert result.weight[1] == pytest.approx(result.weight[2])  # B's gap counts as much as A's
    assert result.influence == pytest.approx([0.5, 0.5])


def test_partial_coverage_blends_over_the_sources_covering_each_priority():
    # A covers all four: 3, 1, -1, -3 -> standardised 1.3416, 0.4472, -0.4472, -1.3416 (spread sqrt(5)).
    # B covers the first two: 1, -1 -> standardised 1, -1 (spread 1).
    # Equal blend: (1.3416 + 1) / 2, (0.4472 - 1) / 2, -0.4472, -1.3416, times (sqrt(5) + 1) / 2.
    a = np.array([3.0, 1.0, -1.0, -3.0]) / np.sqrt(5)
    blended = np.array([(a[0] + 1) / 2, (a[1] - 1) / 2, a[2], a[3]]) * (np.sqrt(5) + 1) / 2
    result = blend_sources([fixed([3.0, 1.0, -1.0, -3.0]), fixed([1.0, -1.0, NAN, NAN])], [1, 1])
    assert result.weight == pytest.approx(beat_random_weights(blended))
    assert list(result.rank) == [1, 2, 3, 4]  # -0.276 x spread for the second, -0.447 x spread for the third


def test_a_priority_no_source_covers_has_no_weight_and_no_rank():
    result = blend_sources([fixed([0.5, NAN, -0.5])], [1])
    assert np.isnan(result.weight[1]) and np.isnan(result.low[1])
    assert result.rank[1] == 0
    assert np.nansum(result.weight) == pytest.approx(1.0)


def test_intervals_come_from_blending_replicate_by_replicate():
    # Two priorities: a weight is the chance of beating the other, so on the log-odds scale the replicates are
    # 2, 1 and 4 (the difference of log-strengths) and the point 2.
    a = fixed([1.0, -1.0], [[1.0, -1.0], [0.5, -0.5], [2.0, -2.0]])
    a = SourceStrengths(a.point, a.samples, a.evidence, people=12)
    result = blend_sources([a], [1])
    expected = [expit(2), expit(1), expit(4)]  # the first priority's chance of beating the second
    assert result.samples[:, 0] == pytest.approx(expected)
    # By hand: spread of (2, 1, 4) is sqrt(7/3); times the Bayesian bootstrap's sqrt(13/11) for 12 people;
    # Student's t on 11 degrees of freedom.
    spread = np.sqrt(7 / 3) * np.sqrt(13 / 11)
    t = stats.t.ppf(0.975, 11)
    assert result.low[0] == pytest.approx(expit(2 - t * spread))
    assert result.high[0] == pytest.approx(expit(2 + t * spread))
    assert result.low[1] == pytest.approx(expit(-2 - t * spread))


def test_welch_degrees_of_freedom_combine_the_sources():
    # Two sources at halves whose replicates move only one priority's log-strength each: each source's part
    # of the variance is measured with the other held at its point, and t's degrees of freedom are
    # (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1)) with v = part x (n + 1) / (n - 1).
    rng = np.random.default_rng(3)
    point = np.array([0.5, 0.0, -0.5])
    a = SourceStrengths(point, point + rng.normal(0, 0.2, (400, 3)), np.full(3, 10), people=10)
    b = SourceStrengths(point, point + rng.normal(0, 0.1, (400, 3)), np.full(3, 50), people=50)
    result = blend_sources([a, b], [1, 1])

    def log_odds(w):
        return logit(w * 3 / 2)

    def part(samples_a, samples_b):
        sources = [
            SourceStrengths(point, samples_a, a.evidence),
            SourceStrengths(point, samples_b, b.evidence),
        ]
        return log_odds(blend_sources(sources, [1, 1]).samples).var(axis=0, ddof=1)

    fixed_point = np.tile(point, (400, 1))
    va, vb = part(a.samples, fixed_point) * 11 / 9, part(fixed_point, b.samples) * 51 / 49
    df = (va + vb) ** 2 / (va**2 / 9 + vb**2 / 49)
    total = log_odds(result.samples).var(axis=0, ddof=1)
    raw = part(a.samples, fixed_point) + part(fixed_point, b.samples)
    spread = np.sqrt(total * (va + vb) / raw)
    expected = expit(log_odds(result.weight) + stats.t.ppf(0.975, df) * spread) / 1.5
    assert result.high == pytest.approx(expected)
    assert np.all(df > 9) and np.all(df < 9 + 49 + 1)


@pytest.mark.parametrize(
    "values, expected",
    [
        # Two people answering 0 and 1: the Bayesian bootstrap's mean is a Uniform(0, 1) weight w, variance
        # 1/12; the unbiased variance of the mean is (1/2) / 2 = 1/4: three times as much, (2 + 1) / (2 - 1).
        ([0.0, 1.0], 3.0),
        # 0, 0, 1: the mean is a Beta(1, 2) weight, variance 2 / (9 x 4) = 1/18; the unbiased variance of
        # the mean is (1/3) / 3 = 1/9: twice as much, (3 + 1) / (3 - 1).
        ([0.0, 0.0, 1.0], 2.0),
    ],
)
def test_bayesian_bootstrap_inflation_by_hand(values, expected):
    assert bayesian_bootstrap_inflation(len(values)) == pytest.approx(expected)
    # Independently, by simulation: Dirichlet(1, ..., 1) weights (normalised exponential ones).
    x = np.asarray(values)
    draws = np.random.default_rng(4).standard_exponential((400_000, len(x)))
    replicate_variance = ((draws @ x) / draws.sum(axis=1)).var()
    assert x.var(ddof=1) / len(x) / replicate_variance == pytest.approx(expected, rel=0.01)
    assert bayesian_bootstrap_inflation(math.inf) == 1.0


# --- Invariance ---------------------------------------------------------------------------------------------


def test_recoding_a_rating_scale_changes_nothing():
    rng = np.random.default_rng(3)
    ratings = rng.integers(1, 6, size=(60, 5)).astype(float)
    ratings[rng.random(ratings.shape) < 0.1] = NAN  # some left blank
    one_to_five = rating_strengths(ratings, n_resamples=50, seed=2)
    zero_to_four = rating_strengths(ratings - 1, n_resamples=50, seed=2)
    stretched = rating_strengths(np.where(ratings == 5, 100, ratings), n_resamples=50, seed=2)
    for other in (zero_to_four, stretched):
        assert other.point == pytest.approx(one_to_five.point)
        assert other.samples == pytest.approx(one_to_five.samples)
    with_other = fixed([0.2, 0.1, 0.0, -0.1, -0.2], np.tile([0.2, 0.1, 0.0, -0.1, -0.2], (50, 1)))
    assert blend_sources([zero_to_four, with_other], [1, 1]).weight == pytest.approx(
        blend_sources([one_to_five, with_other], [1, 1]).weight
    )


def test_splitting_an_item_into_two_equally_liked_items_changes_nothing():
    # Pairwise: item log-strengths of A, B, C; then A split into A1 and A2, equally liked.
    whole = priority_log_strengths([0.4, 0.1, -0.5], [0, 1, 2], 3)
    split = priority_log_strengths([0.4, 0.4, 0.1, -0.5], [0, 0, 1, 2], 3)
    assert split == pytest.approx(whole)
    assert blend_sources([fixed(split)], [1]).weight == pytest.approx(
        blend_sources([fixed(whole)], [1]).weight
    )
    # Budget: a person's points for A split between A1 and A2 add back up to A.
    budget = np.array([[50, 30, 20], [20, 60, 20], [40, 40, 20]], dtype=float)
    split_budget = np.column_stack([budget[:, 0] * 0.3, budget[:, 0] * 0.7, budget[:, 1:]])
    assert pool_columns(split_budget, [0, 0, 1, 2], 3) == pytest.approx(budget)


def test_splitting_an_item_in_votes_keeps_the_priority_strength():
    # Votes simulated from items A (strong), B, C; then the same votes with A's appearances shared between
    # two copies. Fitted by Bradley-Terry, the copies get (nearly) the same strength and the priority's mean
    # matches the unsplit fit; summing shares (the old blend) would have given A about 1.5 times the weight.
    rng = np.random.default_rng(5)
    winners, losers, people = simulate_votes(np.array([1.0, 0.0, -0.5]), 6000, 300, rng)
    whole = bradley_terry_strengths(winners, losers, people, 3, [0, 1, 2], 3, n_resamples=0)
    copy = rng.random(len(winners)) < 0.5  # each vote involving A uses copy A2 half the time

    def relabel(items):
        return np.where(items == 0, np.where(copy, 3, 0), items)

    split = bradley_terry_strengths(
        relabel(winners), relabel(losers), people, 4, [0, 1, 2, 0], 3, n_resamples=0
    )
    one = blend_sources([whole], [1]).weight
    two = blend_sources([split], [1]).weight
    assert two == pytest.approx(one, abs=0.01)


# --- Shares are influence -----------------------------------------------------------------------------------

P, PEOPLE = 6, 120


def _draw(kind, rng):
    """A source on its own native scale: pairwise votes (log-strengths spread 1), budget shares (Dirichlet),
    or 1-5 grid ratings, from independent true preferences."""
    theta = rng.normal(0, 1, P)
    if kind == "pairwise":
        winners, losers, people = simulate_votes(theta, PEOPLE * 10, PEOPLE, rng)
        return bradley_terry_strengths(winners, losers, people, P, list(range(P)), P, n_resamples=0)
    if kind == "budget":
        return rating_strengths(rng.dirichlet(np.exp(theta) * 2, size=PEOPLE), n_resamples=0)
    ratings = np.clip(np.round(3 + 0.7 * theta + rng.normal(0, 1, (PEOPLE, P))), 1, 5)
    return rating_strengths(ratings, n_resamples=0)


def _variance_shares(blend, trials, seed):
    """How much the weights move when one source's answers are replaced by a fresh independent draw, as a
    share of the total over sources (the share of the weights' variance attributable to each source)."""
    rng = np.random.default_rng(seed)
    kinds = ["pairwise", "budget", "grid"]
    moved = np.zeros(3)
    for _ in range(trials):
        sources = [_draw(kind, rng) for kind in kinds]
        base = blend_sources(sources, blend).weight
        for s, kind in enumerate(kinds):
            other = list(sources)
            other[s] = _draw(kind, rng)
            moved[s] += np.sum((blend_sources(other, blend).weight - base) ** 2)
    return moved / moved.sum()


def test_at_nominal_thirds_each_source_supplies_a_third_of_the_variance():
    # The old blend (shares on each source's own scale) measured 17% pairwise, 79% budget, 4% grid here.
    assert _variance_shares([1, 1, 1], 200, seed=1) == pytest.approx([1 / 3] * 3, abs=0.04)


def test_stated_shares_are_the_measured_influence():
    variance = _variance_shares([50, 30, 20], 150, seed=2)
    spread = np.sqrt(variance) / np.sqrt(variance).sum()  # influence on the scale of the weights
    assert spread == pytest.approx([0.5, 0.3, 0.2], abs=0.04)


def test_source_influence_is_the_stated_share_with_full_coverage():
    rng = np.random.default_rng(4)
    sources = [fixed(rng.normal(0, scale, 5)) for scale in (0.1, 1.0, 10.0)]
    assert source_influence(sources, [50, 30, 20]) == pytest.approx([0.5, 0.3, 0.2])
    assert blend_sources(sources, [1, 1, 1]).influence == pytest.approx([1 / 3] * 3)


# --- Refusals and small helpers -----------------------------------------------------------------------------


def test_a_source_covering_one_priority_is_refused():
    with pytest.raises(BlendError, match="fewer than two priorities"):
        blend_sources([fixed([0.5, -0.5, 0.0]), fixed([0.0, NAN, NAN])], [10, 90])


def test_a_source_that_cannot_tell_the_priorities_apart_pulls_towards_equal_weights():
    result = blend_sources([fixed([1.0, 0.0, -1.0]), fixed([0.0, 0.0, 0.0])], [1, 1])
    alone = blend_sources([fixed([1.0, 0.0, -1.0])], [1])
    assert np.all(np.abs(result.weight - 1 / 3) < np.abs(alone.weight - 1 / 3) + 1e-12)


@pytest.mark.parametrize(
    ("sources", "blend", "message"),
    [
        ([], [], "at least one source"),
        ([fixed([0.5, -0.5])], [1, 2], "one blend weight"),
        ([fixed([0.5, -0.5])], [0], "positive"),
        ([fixed([0.5, -0.5]), fixed([1.0, 0.0, -1.0])], [1, 1], "same priorities"),
    ],
)
def test_bad_blends_are_refused(sources, blend, message):
    with pytest.raises(BlendError, match=message):
        blend_sources(sources, blend)


def test_evidence_counts_the_people_who_answered_about_each_priority():
    assert list(rating_strengths([[5, NAN, 1], [4, 2, NAN], [3, 3, 3]], n_resamples=0).evidence) == [3, 2, 2]
    # Votes: person 0 compares items 0 and 1, person 1 items 1 and 2; items 0 and 3 are one priority.
    strengths = bradley_terry_strengths([0, 1], [1, 2], [0, 1], 4, [0, 1, 2, 0], 3, n_resamples=0)
    assert list(strengths.evidence) == [1, 2, 1]


def test_each_person_counts_once_however_many_votes():
    # Person 0 votes A over B 100 times; persons 1 and 2 vote B over A once each.
    winners = [0] * 100 + [1, 1]
    losers = [1] * 100 + [0, 0]
    people = [0] * 100 + [1, 2]
    strengths = bradley_terry_strengths(winners, losers, people, 2, [0, 1], 2, n_resamples=0)
    assert strengths.point[1] > strengths.point[0]
    # The same as one vote each, scaled to the same total: 102 votes as 34 for A and 68 for B.
    expected = fit_bradley_terry(win_matrix([0, 1], [1, 0], 2, [34, 68]))
    assert strengths.point == pytest.approx(expected, abs=1e-6)


def test_rating_replicates_vary_around_the_point():
    rng = np.random.default_rng(8)
    ratings = np.clip(np.round(3 + np.array([1.0, 0.0, -1.0]) + rng.normal(0, 1, (400, 3))), 1, 5)
    source = rating_strengths(ratings, n_resamples=300, seed=1)
    assert source.samples.shape == (300, 3)
    assert source.samples.mean(axis=0) == pytest.approx(source.point, abs=0.05)
    result = blend_sources([source], [1])
    assert np.all(result.low < result.weight) and np.all(result.weight < result.high)


def test_ranks_and_agreement():
    assert list(ranks([0.2, NAN, 0.5, 0.3])) == [3, 0, 1, 2]
    a = [0.4, 0.3, 0.2, 0.1]
    b = [0.1, 0.3, 0.2, 0.4]
    assert rank_agreement(a, a) == pytest.approx(1.0)
    assert rank_agreement(a, b) == pytest.approx(stats.kendalltau(a, b).statistic)
    assert rank_agreement([0.5, NAN], [0.5, 0.5]) is None


# --- One bootstrap over people across sources ---------------------------------------------------------------


def test_person_draws_give_a_person_the_same_weight_in_every_source():
    bank = PersonDraws(50, seed=1)
    first = bank.for_people(["a", "b", "c"])
    second = bank.for_people(["c", "d", "a"])
    assert first.shape == (50, 3) and second.shape == (50, 3)
    assert second[:, 0] == pytest.approx(first[:, 2]) and second[:, 2] == pytest.approx(first[:, 0])
    assert not np.allclose(second[:, 1], first[:, 1])  # a new person gets weights of their own
    # The draws depend only on the seed and the order in which people are first named.
    again = PersonDraws(50, seed=1)
    assert again.for_people(["a", "b", "c"]) == pytest.approx(first)
    # Standard exponential weights: mean 1, variance 1.
    many = PersonDraws(2000, seed=2).for_people(list(range(100)))
    assert many.mean() == pytest.approx(1, abs=0.02) and many.var() == pytest.approx(1, abs=0.05)


def test_given_draws_are_the_bootstrap_weights():
    rng = np.random.default_rng(9)
    ratings = rng.integers(1, 6, (30, 3)).astype(float)
    draws = rng.standard_exponential((5, 30))
    source = rating_strengths(ratings, n_resamples=5, draws=draws)
    for b in range(5):
        by_hand = strengths_from_chances(preference_chances(ratings, draws[b]))
        assert source.samples[b] == pytest.approx(by_hand)
    assert source.people == 30
    with pytest.raises(ValueError, match="replicates x people"):
        rating_strengths(ratings, n_resamples=4, draws=draws)


def test_the_same_people_in_two_sources_move_together_and_widen_the_interval():
    # Two grids answered by the same 60 people (one consultation): with the people linked, the replicates of
    # the two sources are strongly correlated and the blend's interval is wider than if they were treated as
    # different people (the independence the blend must assume where people cannot be linked).
    rng = np.random.default_rng(4)
    taste = np.array([0.6, 0.0, -0.6]) + rng.normal(0, 1, (60, 3))
    grid_one = np.clip(np.round(3 + taste + rng.normal(0, 0.3, (60, 3))), 1, 5)
    grid_two = np.clip(np.round(3 + taste + rng.normal(0, 0.3, (60, 3))), 1, 5)
    bank = PersonDraws(400, seed=5)
    keys = [("response", k) for k in range(60)]
    linked = [rating_strengths(g, n_resamples=400, draws=bank.for_people(keys)) for g in (grid_one, grid_two)]
    apart = [rating_strengths(g, n_resamples=400, seed=s) for s, g in enumerate((grid_one, grid_two))]
    together = np.corrcoef(linked[0].samples[:, 0], linked[1].samples[:, 0])[0, 1]
    separate = np.corrcoef(apart[0].samples[:, 0], apart[1].samples[:, 0])[0, 1]
    assert together > 0.7 and abs(separate) < 0.15
    width = lambda r: r.high - r.low  # noqa: E731
    assert np.all(width(blend_sources(linked, [1, 1])) > 1.15 * width(blend_sources(apart, [1, 1])))
