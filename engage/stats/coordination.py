"""Coordinated respondents: many arriving in a short time with near-identical answers. Pure NumPy.

A script that clears its cookie for every "person" and spreads itself over a few addresses slips under a
per-address count and a per-person rhythm; what it cannot easily hide is that its people arrive together
and answer alike. Each respondent is a row of numbers (NaN where they gave no answer: a pair never shown,
a question skipped); two respondents are near-identical when the mean absolute difference over what both
answered is at most ``max_distance`` and they share at least ``min_shared`` answers.
"""

from __future__ import annotations

import numpy as np

#: How many numbers one step of the block search may hold in its temporary arrays (8 bytes each).
_CELLS = 1 << 16


def block_distances(rows: np.ndarray, others: np.ndarray, min_shared: int) -> np.ndarray:
    """Mean absolute difference from each of ``rows`` (one per line of the result) to each of ``others``
    over the answers both gave, infinite where they share fewer than ``min_shared``; when ``others`` has a
    page per row (three dimensions), to each of its own page's rows."""
    if others.ndim == 2:
        others = others[None, :, :]
    diff = np.abs(others - rows[:, None, :])
    shared = ~np.isnan(diff)
    counts = shared.sum(axis=2)
    total = np.where(shared, diff, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / counts
    return np.where(counts >= max(min_shared, 1), mean, np.inf)


class _Groups:
    """Respondents (by position in arrival order) joined into groups: union-find over arrays, the roots of
    many positions found at once."""

    def __init__(self, order: np.ndarray) -> None:
        self.order = order
        self.parent = np.arange(order.size)
        self.flagged = np.zeros(order.size, dtype=bool)

    def roots(self, positions: np.ndarray) -> np.ndarray:
        """Each position's group (its root), shortening the paths on the way."""
        parent = self.parent
        found = parent[positions]
        while True:
            up = parent[found]
            if np.array_equal(up, found):
                break
            found = up
        parent[positions] = found
        return found

    def join(self, members: np.ndarray) -> None:
        """The members (positions) are one group, with any group one of them is already in."""
        members = np.asarray(members, dtype=np.intp)
        if members.size == 0:
            return
        self.flagged[members] = True
        roots = np.unique(self.roots(members))
        self.parent[roots] = roots[0]

    def found(self) -> list[np.ndarray]:
        """The groups as indices into the caller's arrays, largest first (then by their first arrival)."""
        positions = np.flatnonzero(self.flagged)
        if positions.size == 0:
            return []
        roots = self.roots(positions)
        _, first, label = np.unique(roots, return_index=True, return_inverse=True)
        members = np.argsort(label, kind="stable")
        bounds = np.cumsum(np.bincount(label, minlength=first.size))[:-1]
        groups = [np.sort(self.order[part]) for part in np.split(positions[members], bounds)]
        arrival = np.argsort(first, kind="stable")  # groups in the order their first member arrived
        ranked = sorted(arrival, key=lambda g: -groups[g].size)
        return [groups[g] for g in ranked]


def _arrival(times: np.ndarray | list[float], answers: np.ndarray, window: float):
    """Respondents in order of arrival: the order, the answers in it, and where each one's window ends."""
    times = np.asarray(times, dtype=float)
    order = np.argsort(times, kind="stable")
    ordered_times = times[order]
    ends = np.searchsorted(ordered_times, ordered_times + window, side="right")
    return order, np.asarray(answers, dtype=float)[order], ends


class _Search:
    """Which respondents (positions in arrival order) are close to which, computed in steps of at most
    ``_CELLS`` numbers."""

    def __init__(self, ordered: np.ndarray, ends: np.ndarray, max_distance: float, min_shared: int) -> None:
        self.ordered = ordered.reshape(len(ordered), -1)
        self.ends, self.max_distance, self.min_shared = ends, max_distance, min_shared
        self.width = max(self.ordered.shape[1], 1)

    def close_block(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Whether each of ``rows`` is near-identical to each of ``columns`` (a run of positions)."""
        out = np.zeros((rows.size, columns.size), dtype=bool)
        step = max(1, _CELLS // (max(columns.size, 1) * self.width))
        others = self.ordered[columns[0] : columns[-1] + 1] if columns.size else self.ordered[:0]
        for r in range(0, rows.size, step):
            found = block_distances(self.ordered[rows[r : r + step]], others, self.min_shared)
            out[r : r + step] = found <= self.max_distance
        return out

    def pairs(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Whether each of ``rows`` is near-identical to the respondent at the same place in ``columns``."""
        out = np.zeros(rows.size, dtype=bool)
        step = max(1, _CELLS // self.width)
        for r in range(0, rows.size, step):
            part = slice(r, r + step)
            found = block_distances(
                self.ordered[rows[part]], self.ordered[columns[part], None, :], self.min_shared
            )
            out[part] = found[:, 0] <= self.max_distance
        return out

    def band(self, rows: np.ndarray, offset: int, width: int) -> np.ndarray:
        """For each of ``rows`` (positions), whether it is near-identical to the respondents ``offset`` to
        ``offset + width - 1`` places after it, False past the end of its window."""
        columns = rows[:, None] + np.arange(offset, offset + width)[None, :]
        inside = columns < self.ends[rows, None]
        columns = np.minimum(columns, len(self.ordered) - 1)
        close = self.pairs(np.repeat(rows, width), columns.ravel()).reshape(rows.size, width)
        return close & inside


class _Resolved:
    """Positions ``first`` .. ``last - 1`` already in the group most of ``rows`` are in (as counted when
    made): nobody there needs comparing with a member of that group to know they are joined."""

    def __init__(self, groups: _Groups, rows: np.ndarray, last: int) -> None:
        self.first = int(rows[0]) if rows.size else 0
        flagged = groups.flagged[rows]
        self.roots = groups.roots(rows)
        self.common = -1
        if flagged.any():
            values, counts = np.unique(self.roots[flagged], return_counts=True)
            self.common = int(values[np.argmax(counts)])
        self.in_common = flagged & (self.roots == self.common)
        span = np.arange(self.first, max(self.first, last))
        outside = ~groups.flagged[span] | (groups.roots(span) != self.common)
        self.outside_before = np.concatenate([[0], np.cumsum(outside)])

    def unresolved(self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray):
        """The positions outside the common group in each range, as pairs (the row, the position)."""
        outside = self.first + np.flatnonzero(np.diff(self.outside_before))
        low, high = np.searchsorted(outside, starts), np.searchsorted(outside, np.maximum(starts, stops))
        lengths = high - low
        taken = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths - low, lengths)
        return np.repeat(rows, lengths), outside[taken]

    def all_in(self, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        """Whether each range of positions holds only members of the common group."""
        starts = np.minimum(starts, stops)
        before = self.outside_before
        return before[stops - self.first] - before[starts - self.first] == 0


def near_identical_groups(
    times: np.ndarray | list[float],
    answers: np.ndarray,
    *,
    window: float,
    min_group: int,
    max_distance: float,
    min_shared: int = 1,
    block: int = 256,
) -> list[np.ndarray]:
    """Groups (indices into ``times``/``answers``) of at least ``min_group`` respondents who each arrived
    within ``window`` seconds after one of them and answered near-identically to that one. Overlapping
    groups are merged. Largest first.

    What is found: for each respondent *i* in order of arrival, the respondents of the next ``window``
    seconds (*i* included) whose distance from *i* is at most ``max_distance``; when they are at least
    ``min_group``, they are all joined into one group. Found a block of respondents at a time, with the
    same distances (:func:`block_distances`), leaving out work that cannot change the answer:

    - each respondent is compared with the first ``probe`` places of their window, and with the rest only
      while fewer than ``min_group`` close ones have been found;
    - a respondent already in a group with everyone in their window cannot add anything; one already in
      the group of the respondent being joined need not be compared with them.

    So many near-identical respondents (a script, or a popular answer) cost about one comparison of a
    window each, not one per pair; respondents who all differ still cost one per pair in a window.
    """
    n = len(times)
    if n < min_group or n == 0:
        return []
    order, ordered, ends = _arrival(times, answers, window)
    groups = _Groups(order)
    search = _Search(ordered, ends, max_distance, min_shared)
    probe = max(2 * min_group, 32)
    for start in range(0, n, block):
        rows = np.arange(start, min(start + block, n))
        rows = rows[ends[rows] - rows >= min_group]
        if rows.size == 0:
            continue
        resolved = _Resolved(groups, rows, int(ends[rows].max()))
        unsettled = ~(resolved.in_common & resolved.all_in(rows, ends[rows]))
        rows, resolved.in_common = rows[unsettled], resolved.in_common[unsettled]
        counts, near = _counts(search, rows, min_group, probe)
        qualified = counts >= min_group
        rest = np.minimum(rows + probe, ends[rows])
        pending = np.flatnonzero(qualified)
        while pending.size:
            if resolved.in_common[pending].any():  # joined to the group they are in, all at once
                together = pending[resolved.in_common[pending]]
                near_ones = [rows[k] + np.flatnonzero(near[k]) for k in together]
                row_of, column = resolved.unresolved(rows[together], rest[together], ends[rows[together]])
                groups.join(np.concatenate([*near_ones, column[search.pairs(row_of, column)]]))
                pending = pending[~resolved.in_common[pending]]
                if pending.size == 0:
                    break
            k, pending = pending[0], pending[1:]
            i = int(rows[k])
            groups.join(_members(groups, search, i, i + np.flatnonzero(near[k]), range(rest[k], ends[i])))
            if pending.size:  # who is in a group now
                resolved = _Resolved(groups, rows[pending], int(ends[rows[pending]].max()))
                resolved.in_common = _spread(resolved.in_common, pending, rows.size)
    return groups.found()


def _spread(values: np.ndarray, at: np.ndarray, size: int) -> np.ndarray:
    """``values`` placed at ``at`` in an array of ``size`` False values."""
    out = np.zeros(size, dtype=bool)
    out[at] = values
    return out


def _counts(search: _Search, rows: np.ndarray, min_group: int, probe: int) -> tuple[np.ndarray, np.ndarray]:
    """How many close respondents each row has in its window, counted only until ``min_group`` (the
    first ``probe`` places of the window first, then the rest only for rows that still have too few), and
    which of the first ``probe`` places are close."""
    near = search.band(rows, 0, probe)
    counts = near.sum(axis=1)
    ends = search.ends
    waiting = np.flatnonzero((counts < min_group) & (ends[rows] > rows + probe))
    if waiting.size == 0:
        return counts, near
    position = int(rows[waiting[0]]) + probe
    step = max(probe, _CELLS // (search.width * waiting.size))
    while waiting.size:
        these = rows[waiting]
        columns = np.arange(position, min(position + step, int(ends[these].max())))
        inside = (columns[None, :] >= these[:, None] + probe) & (columns[None, :] < ends[these, None])
        counts[waiting] += (search.close_block(these, columns) & inside).sum(axis=1)
        position += columns.size
        waiting = waiting[(counts[waiting] < min_group) & (ends[rows[waiting]] > position)]
    return counts, near


def _members(groups: _Groups, search: _Search, i: int, near: np.ndarray, rest: range) -> np.ndarray:
    """Everyone in respondent ``i``'s window close to them: ``near`` (found at the start of the window) and
    those in the ``rest`` of it, compared only when not already in ``i``'s group."""
    further = np.arange(rest.start, max(rest.start, rest.stop))
    if further.size == 0:
        return near
    root = groups.roots(np.array([i]))[0]
    further = further[~groups.flagged[further] | (groups.roots(further) != root)]
    if further.size == 0:
        return near
    return np.concatenate([near, further[search.pairs(np.full(further.size, i), further)]])


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
