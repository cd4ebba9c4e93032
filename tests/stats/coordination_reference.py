"""The first search for near-identical respondents, one respondent at a time (kept as the reference the
block search in engage/stats/coordination.py must agree with, group for group)."""

from __future__ import annotations

import numpy as np


def distances(row: np.ndarray, others: np.ndarray, min_shared: int) -> np.ndarray:
    diff = np.abs(others - row)
    shared = ~np.isnan(diff)
    counts = shared.sum(axis=1)
    total = np.where(shared, diff, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / counts
    return np.where(counts >= max(min_shared, 1), mean, np.inf)


def reference_groups(
    times, answers, *, window: float, min_group: int, max_distance: float, min_shared: int = 1
) -> list[list[int]]:
    """For each respondent in order of arrival, the next ``window`` seconds' respondents within
    ``max_distance``; at least ``min_group`` of them are joined (with any group one is in). Largest first,
    then by first arrival; each group's indices sorted."""
    n = len(times)
    if n < min_group or n == 0:
        return []
    times = np.asarray(times, dtype=float)
    order = np.argsort(times, kind="stable")
    ordered = np.asarray(answers, dtype=float)[order]
    ends = np.searchsorted(times[order], times[order] + window, side="right")
    parent = list(range(n))
    flagged = [False] * n

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        if ends[i] - i < min_group:
            continue
        close = distances(ordered[i], ordered[i : ends[i]], min_shared) <= max_distance
        members = np.flatnonzero(close) + i
        if members.size >= min_group:
            for member in members:
                flagged[member] = True
            roots = {root(int(member)) for member in members}
            first = min(roots)
            for other in roots:
                parent[other] = first
    groups: dict[int, list[int]] = {}
    for k in range(n):
        if flagged[k]:
            groups.setdefault(root(k), []).append(int(order[k]))
    return sorted((sorted(g) for g in groups.values()), key=lambda g: -len(g))
