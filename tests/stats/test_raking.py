"""Raking: hand-computed weights, margins matched, caps, missing answers and the effective sample size."""

import numpy as np
import pytest

from engage.stats.raking import MISSING, effective_sample_size, rake


def weighted_shares(codes, weights, size):
    codes = np.asarray(codes)
    answered = codes != MISSING
    totals = np.bincount(codes[answered], weights=weights[answered], minlength=size)
    return totals / totals.sum()


def test_hand_computed_two_dimensions():
    # Four people: (F, young), (F, old), (M, young), (M, old). Population: 60% F; half young.
    result = rake({"sex": [0, 0, 1, 1], "age": [0, 1, 0, 1]}, {"sex": [60, 40], "age": [50, 50]}, cap=None)
    assert result.converged
    assert result.weights == pytest.approx([1.2, 1.2, 0.8, 0.8])
    assert result.effective_sample_size == pytest.approx(16 / (2 * 1.44 + 2 * 0.64))


def test_a_sample_that_already_matches_gets_weights_of_one():
    result = rake({"sex": [0, 1, 0, 1]}, {"sex": [1000, 1000]})
    assert result.weights == pytest.approx(np.ones(4))
    assert result.effective_sample_size == pytest.approx(4)


def test_margins_match_on_random_data_and_population_scale_does_not_matter():
    rng = np.random.default_rng(3)
    n = 2000
    age = rng.choice(7, n, p=[0.05, 0.1, 0.15, 0.2, 0.2, 0.15, 0.15])
    sex = rng.choice(2, n, p=[0.6, 0.4])
    ward = rng.choice(5, n)
    targets = {
        "age": [48900, 56100, 54800, 57300, 53600, 41200, 34700],
        "sex": [175300, 171300],
        "ward": [61200, 58900, 72400, 80300, 73800],
    }
    result = rake({"age": age, "sex": sex, "ward": ward}, targets, cap=None)
    assert result.converged
    for name, codes in {"age": age, "sex": sex, "ward": ward}.items():
        population = np.asarray(targets[name], dtype=float)
        assert weighted_shares(codes, result.weights, population.size) == pytest.approx(
            population / population.sum(), abs=1e-7
        )
    doubled = rake(
        {"age": age, "sex": sex, "ward": ward}, {k: np.array(v) * 2 for k, v in targets.items()}, cap=None
    )
    assert doubled.weights == pytest.approx(result.weights)


def test_cap_limits_the_largest_weight():
    # one man among nine women, population half and half: uncapped he would weigh 9 times the mean
    codes = {"sex": [0] * 9 + [1]}
    uncapped = rake(codes, {"sex": [50, 50]}, cap=None)
    assert uncapped.weights.max() == pytest.approx(5.0)  # 5 / mean 1: half the total on one person
    capped = rake(codes, {"sex": [50, 50]}, cap=2.0)
    assert capped.weights.max() <= 2.0 * capped.weights.mean() + 1e-9
    assert capped.effective_sample_size > uncapped.effective_sample_size


def test_missing_answers_keep_their_weight_for_that_dimension():
    result = rake({"sex": [0, 0, 1, MISSING]}, {"sex": [50, 50]}, cap=None)
    answered = np.array([0, 0, 1])
    assert weighted_shares(answered, result.weights[:3], 2) == pytest.approx([0.5, 0.5])


def test_a_category_nobody_answered_is_reported_not_divided_by_zero():
    result = rake({"ward": [0, 0, 1]}, {"ward": [10, 10, 10]}, cap=None)
    assert result.unmatched == [("ward", 2)]
    assert np.all(np.isfinite(result.weights))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        rake({"sex": [0, 2]}, {"sex": [1, 1]})
    with pytest.raises(ValueError):
        rake({"sex": [0, 1]}, {"sex": [0, 0]})
    with pytest.raises(ValueError):
        rake({}, {})


def test_effective_sample_size():
    assert effective_sample_size([1, 1, 1, 1]) == 4
    assert effective_sample_size([2, 0, 0, 0]) == 1
