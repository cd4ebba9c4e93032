"""The simulation study's own arithmetic (benchmarks/validate.py): a coverage row's figures by hand."""

import math

import numpy as np
import pytest

from benchmarks.validate import Coverage


def test_a_rows_standard_error_is_the_spread_of_its_per_sample_averages():
    # Four samples of two items: held (1, 1), (1, 0), (1, 1), (0, 1); per-sample averages 1, 0.5, 1, 0.5,
    # mean 0.75 with standard deviation sqrt(1/12), so the SE is sqrt(1/12) / 2.
    per_sample = np.array([1.0, 0.5, 1.0, 0.5])
    row = Coverage("Example", 10, np.array([3.0, 3.0]), runs=4, shown=4, width=0.1, per_sample=per_sample)
    assert row.mean == pytest.approx(0.75)
    assert row.se == pytest.approx(math.sqrt(1 / 12) / 2)
    assert row.row() == "| Example | 10 | 75.0% (±14.4) | 75.0% | 0.1 | no |"


def test_a_row_meets_the_target_only_inside_93_to_97_percent():
    hits = np.full(5, 190.0)  # 95% for every item of 200 samples
    inside = Coverage("In", 20, hits, runs=200, shown=200, width=1.0, per_sample=np.full(200, 0.95))
    assert inside.row().endswith("| yes |")
    over = Coverage(
        "Over", 20, np.full(5, 196.0), runs=200, shown=200, width=1.0, per_sample=np.full(200, 0.98)
    )
    assert over.row().endswith("| no |")
    fewer = Coverage("Some", 10, hits / 2, runs=200, shown=100, width=1.0, per_sample=np.full(100, 0.95))
    assert "10 (interval in 100 of 200 samples)" in fewer.row()
