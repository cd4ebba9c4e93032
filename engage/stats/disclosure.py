"""Small-cell suppression for tables of counts that are published or exported (pure NumPy).

A cell counting 1 to ``threshold - 1`` people could identify someone, so it is hidden (primary suppression).
Where a table shows row totals, one hidden cell in a row could be worked out by subtraction, so the next
smallest cell of that row is hidden too (secondary suppression). A row whose total is itself below the
threshold is hidden whole. Zero cells are shown: they count no one.
"""

from __future__ import annotations

import numpy as np


def suppressed(table: np.ndarray, threshold: int, *, row_totals: bool = True) -> np.ndarray:
    """A boolean mask of the cells of ``table`` (rows x columns of counts) to hide."""
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2:
        raise ValueError("a table of counts has rows and columns")
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    mask = (counts > 0) & (counts < threshold)
    if not row_totals:
        return mask
    for i, row in enumerate(counts):
        if row.sum() < threshold:
            mask[i] = row > 0
            continue
        if mask[i].sum() == 1:
            candidates = np.where(~mask[i])[0]
            if candidates.size:
                smallest = candidates[np.argmin(row[candidates])]
                mask[i, smallest] = True
    return mask
