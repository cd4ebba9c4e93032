"""The block search for near-identical respondents (budget, ranking and pairwise rows: any numbers, NaN where
not answered) finds exactly the groups the one-respondent-at-a-time search finds (kept as the reference in
tests/stats/coordination_reference.py), in the same order, and the groups worked out by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engage.stats.coordination import near_identical_groups
from tests.stats.coordination_reference import reference_groups

#: Values close together and on the boundaries of 0.05 and 0.1 (0.1 and 0.15 differ by just under 0.05).
VALUES = st.sampled_from([0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 1 / 3, 0.5, 1.0, float("nan")])


@st.composite
def searches(draw):
    """Respondents' answers and arrival times, with copies of a few rows (a script), and the settings."""
    n = draw(st.integers(0, 70))
    width = draw(st.integers(0, 6))
    answers = draw(arrays(np.float64, (n, width), elements=VALUES))
    if n and draw(st.booleans()):
        copies = draw(st.lists(st.integers(0, n - 1), max_size=n))
        answers[copies] = answers[draw(st.integers(0, n - 1))]
    times = draw(arrays(np.float64, n, elements=st.integers(0, 400).map(float)))
    return (
        times,
        answers,
        {
            "window": float(draw(st.integers(0, 200))),
            "min_group": draw(st.integers(1, 8)),
            "max_distance": draw(st.sampled_from([0.0, 0.05, 0.1, 0.2, 1.0])),
            "min_shared": draw(st.integers(1, 3)),
        },
    )


@given(searches(), st.integers(1, 40))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_same_groups_as_one_at_a_time(search, block):
    times, answers, chosen = search
    found = near_identical_groups(times, answers, block=block, **chosen)
    assert [group.tolist() for group in found] == reference_groups(times, answers, **chosen)


def _crowd(rng: np.random.Generator, n: int, spread: float) -> tuple[np.ndarray, np.ndarray]:
    """Budget shares of 20 items around one popular allocation, with a script's identical answers, some
    skipped items and people arriving over ``spread`` seconds."""
    counts = rng.multinomial(100, rng.dirichlet(np.ones(20)), size=n).astype(float)
    counts[rng.random(n) < 0.3] = rng.integers(0, 100, (20,))
    counts[rng.random(counts.shape) < 0.05] = np.nan
    shares = counts / np.nansum(counts, axis=1, keepdims=True)
    return np.sort(rng.uniform(0, spread, n)), shares


def test_the_same_groups_in_crowds_of_answers():
    """Larger crowds than the property test: everyone close, a few groups, nobody close."""
    rng = np.random.default_rng(19)
    for n, spread, distance in [(600, 60, 0.05), (700, 20_000, 0.02), (500, 3_000, 0.002)]:
        times, shares = _crowd(rng, n, spread)
        chosen = {"window": 3600.0, "min_group": 20, "max_distance": distance, "min_shared": 1}
        found = near_identical_groups(times, shares, **chosen)
        assert [group.tolist() for group in found] == reference_groups(times, shares, **chosen)


def test_groups_worked_out_by_hand():
    # Respondents 0-3 gave the same shares; 4 differs from them by 0.05 on average (a mean of 0.1 and 0);
    # 5 is far from everyone. Times put 4 inside 0's window.
    same = [0.5, 0.5]
    answers = np.array([same, same, same, same, [0.6, 0.5], [0.0, 1.0]])
    times = [0, 10, 20, 30, 40, 5]
    assert [
        g.tolist() for g in near_identical_groups(times, answers, window=60, min_group=4, max_distance=0.05)
    ] == [[0, 1, 2, 3, 4]]
    # Closer than 0.05 asked for: 4 is left out; 3 of a kind are not enough for a group of 4.
    strict = near_identical_groups(times, answers, window=60, min_group=4, max_distance=0.04)
    assert [g.tolist() for g in strict] == [[0, 1, 2, 3]]
    assert (
        near_identical_groups(times, answers[[0, 1, 2, 5, 4, 5]], window=60, min_group=4, max_distance=0.04)
        == []
    )
    # Each respondent looks only ``window`` seconds ahead: 0 (time 0) and 3 (time 30) are 30 s apart.
    assert near_identical_groups(times, answers, window=29, min_group=4, max_distance=0.05) == []


def test_two_groups_largest_first_and_shared_answers():
    """Two scripts in the same hour: the larger first; a row with one answer shares too little to count."""
    a, b = [1.0, 0.0, np.nan], [0.0, 1.0, 1.0]
    answers = np.array([b, a, b, a, b, a, a, [1.0, np.nan, np.nan]])
    groups = near_identical_groups(range(8), answers, window=100, min_group=3, max_distance=0.0, min_shared=2)
    assert [g.tolist() for g in groups] == [[1, 3, 5, 6], [0, 2, 4]]
