"""The pairwise results chart (also drawn for a ranking exercise's scores), as Plotly JSON."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from flask_babel import gettext as _

from engage.charts import MARKER_COLOUR, laid_out
from engage.content import local_text
from engage.prioritise.pairwise.results import ItemScore, PairwiseResults
from engage.prioritise.ranking.results import ItemRank, RankingResults


def _below_above(row) -> tuple[float, float]:
    """How far the interval reaches below and above the score (0 where there is no interval)."""
    if row.score is None or row.low is None or row.high is None:
        return 0.0, 0.0
    return row.score - row.low, row.high - row.score


def scores_chart(results: PairwiseResults | RankingResults) -> str:
    """Scores with 95% intervals, highest first, as Plotly JSON."""
    # Plotly draws the first category at the bottom; items with no score on the common scale are left out.
    items: Sequence[ItemScore | ItemRank] = results.items
    rows = [row for row in reversed(items) if row.score is not None]
    # The same names for the marks and for charts.js's rows (which places each mark on the row of its name).
    titles = [local_text(row.item, "title") for row in rows]
    figure = go.Figure(
        go.Scatter(
            x=[row.score for row in rows],
            y=titles,
            mode="markers",
            marker={"color": MARKER_COLOUR, "size": 10, "symbol": "diamond"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [_below_above(row)[1] for row in rows],
                "arrayminus": [_below_above(row)[0] for row in rows],
                "color": MARKER_COLOUR,
                "thickness": 2,
            },
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    return laid_out(
        figure,
        rows=titles,
        xaxis={
            "title": {"text": _("Score: chance of beating a random other priority (%)")},
            "range": [0, 100],
        },
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
        height=max(240, 48 * len(rows) + 80),
    )
