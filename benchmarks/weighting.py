"""Population weighting benchmark: raking 100,000 respondents over 3 dimensions, labels in, weights out."""

from __future__ import annotations

import numpy as np

from benchmarks.pairwise import measure

RESPONDENTS = 100_000


def bench_weighting(rows: list[tuple[str, str, str, str]]) -> None:
    from engage.stats.weighting import effective_sample_size, rake

    rng = np.random.default_rng(5)
    margins = {
        "age_band": {
            band: float(rng.integers(5_000, 20_000))
            for band in ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
        },
        "sex": {"Female": 51_000.0, "Male": 49_000.0},
        "ward": {f"Ward {k}": float(rng.integers(3_000, 9_000)) for k in range(12)},
    }
    sample = {}
    for dimension, cats in margins.items():
        labels = rng.choice(list(cats), size=RESPONDENTS, p=rng.dirichlet(np.ones(len(cats)) * 3)).astype(
            object
        )
        labels[rng.random(RESPONDENTS) < 0.1] = None  # one in ten did not say
        sample[dimension] = list(labels)
    t, mem, weights = measure(lambda: rake(sample, margins, trim=(0.2, 5.0)), repeat=3)
    rows.append(
        (
            f"Raking {RESPONDENTS:,} respondents over 3 dimensions (7, 2 and 12 categories; 10% missing "
            "each; trimmed to 0.2-5x the mean)",
            f"{t * 1000:.0f} ms (effective sample size {effective_sample_size(weights):,.0f})",
            f"{mem:.0f} MiB",
            "< 0.5 s",
        )
    )
