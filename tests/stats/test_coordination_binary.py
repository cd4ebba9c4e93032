"""The matrix-product search for near-identical respondents (0/1 answers) finds exactly the groups the
one-respondent-at-a-time search (tests/stats/coordination_reference.py) finds, on random data with skipped
questions, multi-select questions, ties in time and every block size."""

from __future__ import annotations

import numpy as np
import pytest

from engage.stats.coordination import near_identical_binary_groups
from tests.stats.coordination_reference import reference_groups


def _answers(rng: np.random.Generator, n: int) -> np.ndarray:
    """One-hot answers to a few questions, most people giving a common answer, some skipping, some multi."""
    blocks = []
    for _question in range(int(rng.integers(1, 6))):
        k = int(rng.integers(2, 5))
        chosen = np.where(rng.random(n) < 0.8, 0, rng.integers(0, k, n))
        onehot = np.zeros((n, k))
        onehot[np.arange(n), chosen] = 1
        if rng.random() < 0.3:
            onehot[rng.random((n, k)) < 0.2] = 1
        onehot[rng.random(n) < 0.15] = np.nan
        blocks.append(onehot)
    return np.hstack(blocks)


@pytest.mark.parametrize("seed", range(40))
def test_the_same_groups_as_the_plain_search(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 90))
    answers = _answers(rng, n)
    times = rng.integers(0, 400, n).astype(float)
    settings = {
        "window": float(rng.integers(1, 200)),
        "min_group": int(rng.integers(2, 8)),
        "max_distance": float(rng.choice([0.0, 0.05, 0.2, 0.4])),
        "min_shared": int(rng.integers(1, 3)),
    }
    plain = sorted(reference_groups(times, answers, **settings))
    fast = near_identical_binary_groups(times, answers, block=int(rng.integers(1, 40)), **settings)
    assert sorted(map(list, fast)) == plain
    assert [g.size for g in fast] == sorted((g.size for g in fast), reverse=True)  # largest first


def test_known_answers_and_nobody():
    same = [1.0, 0.0, 0.0, 1.0]
    answers = np.array([same] * 5 + [[0.0, 1.0, 1.0, 0.0]])
    groups = near_identical_binary_groups(np.zeros(6), answers, window=60, min_group=4, max_distance=0.05)
    assert [list(g) for g in groups] == [[0, 1, 2, 3, 4]]
    apart = near_identical_binary_groups(
        [0, 1000, 2000, 3000, 4000, 0], answers, window=60, min_group=4, max_distance=0.05
    )
    assert (
        apart == []
        and near_identical_binary_groups([], np.zeros((0, 2)), window=1, min_group=1, max_distance=0) == []
    )
