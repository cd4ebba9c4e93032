"""Timing signals of automated or organised voting. Pure NumPy: times in seconds, any origin."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rhythm:
    #: The median gap between consecutive actions, in seconds.
    median_gap: float
    #: How regular the gaps are: their standard deviation over their mean (coefficient of variation).
    #: People reading two priorities vary a lot (about 0.5 to 1.5); a script with a fixed delay is near 0.
    variation: float
    gaps: int


def rhythm(times: np.ndarray | list[float]) -> Rhythm | None:
    """The rhythm of one respondent's actions, or None with fewer than three (two gaps)."""
    ordered = np.sort(np.asarray(times, dtype=float))
    if ordered.size < 3:
        return None
    gaps = np.diff(ordered)
    mean = float(gaps.mean())
    variation = float(gaps.std(ddof=1) / mean) if mean > 0 else 0.0
    return Rhythm(float(np.median(gaps)), variation, int(gaps.size))


def densest_window(times: np.ndarray | list[float], width: float) -> tuple[int, int]:
    """The most arrivals inside any window `width` seconds long: (index of the first, count), in the
    sorted order of `times`. Two pointers over the sorted times, O(n log n)."""
    ordered = np.sort(np.asarray(times, dtype=float))
    if ordered.size == 0:
        return 0, 0
    ends = np.searchsorted(ordered, ordered + width, side="right")
    counts = ends - np.arange(ordered.size)
    first = int(np.argmax(counts))
    return first, int(counts[first])
