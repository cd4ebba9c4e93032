"""Published weights, rounded to 6 places, add up to exactly 1 (issue 22 item 8)."""

import json
from decimal import Decimal
from types import SimpleNamespace

from engage.weights.exports import weight_rows
from engage.weights.models import WeightStanding


def _weight_set(weights):
    entries = [
        SimpleNamespace(
            priority_code=f"P{k}",
            priority_title=f"Priority {k}",
            weight=w,
            weight_low=None if w is None else w / 2,
            weight_high=None if w is None else min(1, w * 2),
            rank=None if w is None else k + 1,
            respondents=10,
        )
        for k, w in enumerate(weights)
    ]
    parameters = {"sources": [{"kind": "pairwise", "blend_percent": 100}], "channels": ["online"]}
    parameters["population_weighting"] = False
    return SimpleNamespace(
        board=SimpleNamespace(short_code="HWB"),
        version=1,
        published_at=None,
        parameters=json.dumps(parameters),
        entries=entries,
        decision=None,
        standing=WeightStanding.ADVISORY,
    )


def test_rounded_weights_add_up_to_exactly_one():
    # Sevenths: plain rounding to 6 places gives 0.142857 each, 0.999999 in all.
    rows = weight_rows(_weight_set([1 / 7] * 7 + [None]))
    weights = [row["weight"] for row in rows]
    assert weights[-1] is None
    assert sum(Decimal(repr(w)) for w in weights[:-1]) == Decimal(1)
    assert weights[:7] == [0.142858] + [0.142857] * 6
