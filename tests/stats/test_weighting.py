"""Raking with category labels (engage.stats.weighting): hand-computed weights, convergence, trimming, clear
errors, and agreement with an independent solution of the same calibration problem."""

import numpy as np
import pytest
from scipy.optimize import minimize

from engage.stats.weighting import effective_sample_size, rake


def test_hand_computed_two_dimensions():
    # One person in each cell of sex x age: the raked weight of a cell is n * p(sex) * p(age).
    sample = {"sex": ["M", "M", "F", "F"], "age": ["young", "old", "young", "old"]}
    margins = {"sex": {"M": 60, "F": 40}, "age": {"young": 300, "old": 700}}
    weights = rake(sample, margins)
    assert weights.tolist() == pytest.approx([0.72, 1.68, 0.48, 1.12])
    assert weights.mean() == pytest.approx(1.0)


def _shares(labels, weights, categories):
    labels = np.array(labels, dtype=object)
    answered = np.array([label is not None for label in labels])
    total = weights[answered].sum()
    return [weights[labels == c].sum() / total for c in categories]


def test_converges_to_every_margin_with_missing_answers():
    rng = np.random.default_rng(4)
    n = 3000
    margins = {
        "age": {"16-34": 30, "35-64": 45, "65+": 25},
        "sex": {"Female": 51, "Male": 49},
        "ward": {"North": 20, "South": 30, "East": 25, "West": 25},
    }
    sample = {}
    for dimension, cats in margins.items():
        # a skewed sample, and about one in ten people not answering each question
        p = rng.dirichlet(np.ones(len(cats)))
        labels = rng.choice(list(cats), size=n, p=p).astype(object)
        labels[rng.random(n) < 0.1] = None
        sample[dimension] = list(labels)
    weights = rake(sample, margins)
    assert len(weights) == n and weights.mean() == pytest.approx(1.0)
    for dimension, cats in margins.items():
        population = np.array(list(cats.values()), dtype=float)
        assert _shares(sample[dimension], weights, list(cats)) == pytest.approx(
            (population / population.sum()).tolist(), abs=1e-7
        )


def test_people_who_answered_nothing_keep_weight_one_before_rescaling():
    sample = {"sex": ["M", "F", "F", None]}
    weights = rake(sample, {"sex": {"M": 50, "F": 50}})
    # The three who answered keep their total weight (3), shared half to M and half to the two Fs; the
    # person who did not say keeps weight 1 (and the mean is already 1).
    assert weights.tolist() == pytest.approx([1.5, 0.75, 0.75, 1.0])


def test_trimming_keeps_weights_in_range_and_is_stable():
    rng = np.random.default_rng(9)
    n = 2000
    # 2% of the sample is young but the population is 30% young: untrimmed weights reach about 15.
    age = np.where(rng.random(n) < 0.02, "young", "older").astype(object)
    sample = {"age": list(age)}
    margins = {"age": {"young": 30, "older": 70}}
    untrimmed = rake(sample, margins)
    assert untrimmed.max() > 10
    trimmed = rake(sample, margins, trim=(0.3, 5.0))
    assert trimmed.max() <= 5.0 * trimmed.mean() * (1 + 1e-9)
    assert trimmed.min() >= 0.3 * trimmed.mean() * (1 - 1e-9)
    assert effective_sample_size(trimmed) > effective_sample_size(untrimmed)
    # The trim wins over the margin: young people get as close to 30% as the cap lets them.
    young_share = trimmed[age == "young"].sum() / trimmed.sum()
    assert 0.02 < young_share < 0.3


def _calibrate_by_optimisation(sample, margins):
    """An independent route to the same weights: raking is the minimum-discrimination-information
    calibration, w_i = exp(sum of one multiplier per dimension for i's category), found here by minimising
    the convex dual with SciPy's BFGS instead of by iterative proportional fitting."""
    dims = list(margins)
    n = len(sample[dims[0]])
    index, targets, offset = {}, [], 0
    for d in dims:
        cats = list(margins[d])
        population = np.array([margins[d][c] for c in cats], dtype=float)
        targets.extend(population / population.sum() * n)
        index[d] = {c: offset + k for k, c in enumerate(cats)}
        offset += len(cats)
    design = np.zeros((n, offset))
    for d in dims:
        for i, label in enumerate(sample[d]):
            design[i, index[d][label]] = 1.0
    targets = np.array(targets)

    def dual(lam):
        w = np.exp(design @ lam)
        return w.sum() - lam @ targets, design.T @ w - targets

    solution = minimize(dual, np.zeros(offset), jac=True, method="BFGS", options={"gtol": 1e-10})
    w = np.exp(design @ solution.x)
    return w / w.mean()


def test_agrees_with_an_independent_calibration():
    rng = np.random.default_rng(12)
    margins = {"age": {"a": 2, "b": 5, "c": 3}, "sex": {"F": 52, "M": 48}, "ward": {"N": 1, "S": 1}}
    sample = {d: list(rng.choice(list(cats), size=400)) for d, cats in margins.items()}
    assert rake(sample, margins).tolist() == pytest.approx(
        _calibrate_by_optimisation(sample, margins).tolist(), rel=1e-5
    )


def test_mismatched_categories_and_non_convergence_are_clear_errors():
    margins = {"sex": {"F": 50, "M": 50}}
    with pytest.raises(ValueError, match="sex: the sample has categories the population margins do not: X"):
        rake({"sex": ["F", "M", "X"]}, margins)
    with pytest.raises(ValueError, match="nobody in the sample is in these categories.*M"):
        rake({"sex": ["F", "F"]}, margins)
    with pytest.raises(ValueError, match="the sample has no answers for: age"):
        rake({"sex": ["F", "M"]}, {**margins, "age": {"young": 1}})
    with pytest.raises(ValueError, match="one answer"):
        rake({"sex": ["F", "M"], "age": ["young"]}, {**margins, "age": {"young": 1}})
    with pytest.raises(ValueError, match="trim"):
        rake({"sex": ["F", "M"]}, margins, trim=(2.0, 5.0))
    unbalanced = {"sex": ["F", "M", "M"], "age": ["o", "y", "o"]}
    with pytest.raises(ValueError, match="did not converge in 1 cycles"):
        rake(unbalanced, {"sex": {"F": 70, "M": 30}, "age": {"o": 20, "y": 80}}, max_iter=1)


def test_effective_sample_size_by_hand():
    assert effective_sample_size([1, 1, 2, 2]) == pytest.approx(36 / 10)
    assert effective_sample_size(np.ones(7)) == pytest.approx(7)


def test_a_table_of_combinations_with_counts_rakes_like_the_people_it_stands_for():
    # 3,000 people with missing answers, raked and trimmed one by one, then as a table of the distinct
    # (age, sex) combinations and how many gave each: the same weight for the same answers, the same
    # effective sample size.
    rng = np.random.default_rng(12)
    n = 3000
    age = rng.choice(["16-34", "35-64", "65+", None], size=n, p=[0.15, 0.45, 0.3, 0.1])
    sex = rng.choice(["F", "M", None], size=n, p=[0.6, 0.35, 0.05])
    margins = {"age": {"16-34": 30, "35-64": 48, "65+": 22}, "sex": {"F": 51, "M": 49}}
    people = rake({"age": list(age), "sex": list(sex)}, margins, trim=(0.3, 3.0))
    combinations = sorted(set(zip(age, sex, strict=True)), key=str)
    counts = [sum(1 for pair in zip(age, sex, strict=True) if pair == c) for c in combinations]
    table = rake(
        {"age": [a for a, _ in combinations], "sex": [s for _, s in combinations]},
        margins,
        trim=(0.3, 3.0),
        counts=counts,
    )
    by_combination = dict(zip(combinations, table, strict=True))
    expected = [by_combination[pair] for pair in zip(age, sex, strict=True)]
    assert people.tolist() == pytest.approx(expected, rel=1e-6)
    assert np.average(table, weights=counts) == pytest.approx(1.0)
    assert effective_sample_size(table, counts) == pytest.approx(effective_sample_size(people))


def test_effective_sample_size_with_counts_by_hand():
    # Two people at weight 1 and two at weight 2, given as two rows with a count of 2 each.
    assert effective_sample_size([1, 2], [2, 2]) == pytest.approx(36 / 10)
