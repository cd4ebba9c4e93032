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


class _Groups:
    """Respondents (by position in arrival order) joined into groups: union-find with path halving."""

    def __init__(self, order: np.ndarray) -> None:
        self.order = order
        self.parent = np.arange(order.size)
        self.flagged = np.zeros(order.size, dtype=bool)

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def join(self, members: np.ndarray) -> None:
        """The members (positions) are one group, with any group one of them is already in."""
        self.flagged[members] = True
        roots = {self.root(int(member)) for member in members}
        first = min(roots)
        for other in roots:
            self.parent[other] = first

    def found(self) -> list[np.ndarray]:
        """The groups as indices into the caller's arrays, largest first."""
        groups: dict[int, list[int]] = {}
        for k in np.flatnonzero(self.flagged):
            groups.setdefault(self.root(int(k)), []).append(int(self.order[k]))
        return sorted((np.array(sorted(g)) for g in groups.values()), key=lambda g: -g.size)


def _arrival(times: np.ndarray | list[float], answers: np.ndarray, window: float):
    """Respondents in order of arrival: the order, the answers in it, and where each one's window ends."""
    times = np.asarray(times, dtype=float)
    order = np.argsort(times, kind="stable")
    ordered_times = times[order]
    ends = np.searchsorted(ordered_times, ordered_times + window, side="right")
    return order, np.asarray(answers, dtype=float)[order], ends


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
    n = len(times)
    if n < min_group or n == 0:
        return []
    order, ordered, ends = _arrival(times, answers, window)
    groups = _Groups(order)
    for i in range(n):
        if ends[i] - i < min_group:
            continue
        close = distances(ordered[i], ordered[i : ends[i]], min_shared) <= max_distance
        members = np.flatnonzero(close) + i
        if members.size >= min_group:
            groups.join(members)
    return groups.found()


def near_identical_binary_groups(
    times: np.ndarray | list[float],
    answers: np.ndarray,
    *,
    window: float,
    min_group: int,
    max_distance: float,
    min_shared: int = 1,
    block: int = 256,
) -> list[np.ndarray]:
    """:func:`near_identical_groups` for answers that are 0 or 1 (NaN: not answered), such as one column per
    closed answer a question can have: the same groups, found with matrix products a block of respondents at
    a time instead of one respondent at a time.

    For 0/1 values the distance over the answers both gave is bilinear: the absolute differences summed over
    shared columns are ``x_i.g_j + g_i.x_j - 2 x_i.x_j`` (``x`` the answers with NaN as 0, ``g`` 1 where
    given), over ``g_i.g_j`` shared columns. Columns given by the same respondents (a question's columns) are
    merged for the products with ``g``, so only ``x_i.x_j`` runs over every column.
    """
    n = len(times)
    if n < min_group or n == 0:
        return []
    order, ordered, ends = _arrival(times, answers, window)
    given = ~np.isnan(ordered)
    x = np.where(given, ordered, 0.0).astype(np.float32)
    # Columns given by the same respondents collapse into one column of g, weighted by how many they are.
    patterns, column_class = np.unique(given, axis=1, return_inverse=True)
    column_class = np.asarray(column_class).ravel()
    g = patterns.astype(np.float32)
    weights = np.bincount(column_class, minlength=g.shape[1]).astype(np.float32)
    x_by_class = np.zeros((n, g.shape[1]), dtype=np.float32)
    np.add.at(x_by_class.T, column_class, x.T)  # each respondent's 1s summed per class of columns
    groups = _Groups(order)
    threshold = max(min_shared, 1)
    for start in range(0, n, block):
        stop = min(start + block, n)
        last = int(ends[start:stop].max())
        rows, cols = slice(start, stop), slice(start, last)
        shared = (g[rows] * weights) @ g[cols].T
        differ = x_by_class[rows] @ g[cols].T + (g[rows] @ x_by_class[cols].T) - 2 * (x[rows] @ x[cols].T)
        close = (shared >= threshold) & (differ <= max_distance * shared + 1e-6)
        positions = np.arange(start, last)
        close &= (positions[None, :] >= np.arange(start, stop)[:, None]) & (
            positions[None, :] < ends[start:stop, None]
        )
        close[np.arange(stop - start), np.arange(start, stop) - start] = True  # each respondent is its own
        for k in np.flatnonzero(close.sum(axis=1) >= min_group):
            groups.join(np.flatnonzero(close[k]) + start)
    return groups.found()
