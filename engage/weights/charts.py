"""The weights chart: each priority's weight (per cent) with its 95% interval, largest first."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from engage.charts import MARKER_COLOUR, laid_out
from engage.content import local_text
from engage.weights.models import WeightSet


def weights_chart(rows: list[tuple[str, float, float, float]]) -> str:
    """``rows`` are (title, weight, low, high) as fractions, in rank order; Plotly JSON in per cent."""
    rows = list(reversed(rows))  # Plotly draws the first category at the bottom
    figure = go.Figure(
        go.Scatter(
            x=[weight * 100 for _t, weight, _l, _h in rows],
            y=[title for title, *_rest in rows],
            mode="markers",
            marker={"color": MARKER_COLOUR, "size": 10, "symbol": "diamond"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [(high - weight) * 100 for _t, weight, _l, high in rows],
                "arrayminus": [(weight - low) * 100 for _t, weight, low, _h in rows],
                "color": MARKER_COLOUR,
                "thickness": 2,
            },
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    return laid_out(
        figure,
        rows=[title for title, *_rest in rows],
        xaxis={"title": {"text": _("Weight (%)")}, "rangemode": "tozero"},
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
        height=max(240, 48 * len(rows) + 80),
    )


def chart_rows(weight_set: WeightSet) -> list[tuple[str, float, float, float]]:
    """(priority, weight, low, high) for each weighted entry of a weight set, as ``weights_chart`` takes
    them."""
    return [
        (local_text(entry, "title"), entry.weight, entry.weight_low, entry.weight_high)
        for entry in weight_set.entries
        if entry.weight is not None and entry.weight_low is not None and entry.weight_high is not None
    ]


def preview_chart_rows(preview) -> list[tuple[str, float, float, float]]:
    """(priority, weight, low, high) for each ranked row of a preview, as ``weights_chart`` takes them."""
    return [(r.title, r.weight, r.low, r.high) for r in preview.ranked]
