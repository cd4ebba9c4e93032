"""Budget allocation benchmark: shares and a 1,000-resample bootstrap for 100,000 allocations x 20 items."""

from __future__ import annotations

import numpy as np

from benchmarks.pairwise import measure

ALLOCATIONS = 100_000
ITEMS = 20


def bench_allocation(rows: list[tuple[str, str, str, str]]) -> None:
    from engage.stats.allocation import allocation_shares

    rng = np.random.default_rng(2026)
    amounts = rng.integers(0, 100, (ALLOCATIONS, ITEMS)).astype(np.float64)
    t, mem, result = measure(lambda: allocation_shares(amounts, n_resamples=1000), repeat=3)
    width = float(np.mean(result.high - result.low)) * 100
    rows.append(
        (
            f"Shares + 1,000-resample bootstrap, {ALLOCATIONS:,} allocations x {ITEMS} items",
            f"{t:.2f} s (mean interval width {width:.3f} percentage points)",
            f"{mem:.0f} MiB",
            "< 2 s",
        )
    )
