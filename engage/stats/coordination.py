"""Coordinated respondents: many arriving in a short time with near-identical answers. Pure NumPy.

A script that clears its cookie for every "person" and spreads itself over a few addresses slips under a
per-address count and a per-person rhythm; what it cannot easily hide is that its people arrive together
and answer alike. Each respondent is a row of numbers (NaN where they gave no answer: a pair never shown,
a question skipped); two respondents are near-identical when the mean absolute difference over what both
answered is at most ``max_distance`` and they share at least ``min_shared`` answers.
"""

from __future__ import annotations

import numpy as np


def distances(row: np.ndarray, others: np.ndarray, min_shared: int) -> np.ndarray:
    """Mean absolute difference between ``row`` and each row of ``others`` over the answers both gave;
    infinite where they share fewer than ``min_shared``."""
    diff = np.abs(others - row)
    shared = ~np.isnan(diff)
    counts = shared.sum(axis=1)
    total = np.where(shared, diff, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / counts
    return np.where(counts >= max(min_shared, 1), mean, np.inf)


def near_identical_groups(
    times: np.ndarray | list[float],
    answers: np.ndarray,
    *,
    window: float,
    min_group: int,
    max_distance: float,
    min_shared: int = 1,
) -> list[np.ndarray]:
    """Groups (indices into ``times``/``answers``) of at least ``min_group`` respondents who each arrived
    within ``window`` seconds after one of them and answered near-identically to that one. Overlapping
    groups are merged. Largest first.

    For each respondent, in order of arrival, the respondents of the next ``window`` seconds are compared
    with them: O(n * k * d) for k respondents per window and d answers.
    """
    times = np.asarray(times, dtype=float)
    answers = np.asarray(answers, dtype=float)
    n = times.size
    if n < min_group or n == 0:
        return []
    order = np.argsort(times, kind="stable")
    ordered_times = times[order]
    ordered = answers[order]
    ends = np.searchsorted(ordered_times, ordered_times + window, side="right")
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    flagged = np.zeros(n, dtype=bool)
    for i in range(n):
        if ends[i] - i < min_group:
            continue
        close = distances(ordered[i], ordered[i : ends[i]], min_shared) <= max_distance
        members = np.flatnonzero(close) + i
        if members.size >= min_group:
            flagged[members] = True
            first = root(int(members[0]))
            for member in members[1:]:
                parent[root(int(member))] = first
    groups: dict[int, list[int]] = {}
    for k in np.flatnonzero(flagged):
        groups.setdefault(root(int(k)), []).append(int(order[k]))
    return sorted((np.array(sorted(g)) for g in groups.values()), key=lambda g: -g.size)
