"""Plotly figures for results, as JSON for the page's own script to draw (no inline script: strict CSP)."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from engage.prioritise.results import PairwiseResults

#: Okabe-Ito blue: distinguishable for colour-blind readers, 4.5:1 against white for the markers and lines.
MARKER_COLOUR = "#0061a8"


def scores_chart(results: PairwiseResults) -> str:
    """Scores with 95% intervals, highest first, as Plotly JSON."""
    rows = list(reversed(results.items))  # Plotly draws the first category at the bottom
    figure = go.Figure(
        go.Scatter(
            x=[row.score for row in rows],
            y=[row.item.title for row in rows],
            mode="markers",
            marker={"color": MARKER_COLOUR, "size": 10, "symbol": "diamond"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [row.high - row.score for row in rows],
                "arrayminus": [row.score - row.low for row in rows],
                "color": MARKER_COLOUR,
                "thickness": 2,
            },
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    figure.update_layout(
        xaxis={
            "title": {"text": _("Score: chance of beating a random other priority (%)")},
            "range": [0, 100],
        },
        yaxis={"automargin": True},
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
        height=max(240, 48 * len(rows) + 80),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"family": "system-ui, Arial, sans-serif", "size": 14, "color": "#0b0c0c"},
    )
    return figure.to_json()
