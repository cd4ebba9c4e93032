"""The budget results chart: how people shared out the budget, as Plotly JSON."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from engage.charts import MARKER_COLOUR, laid_out
from engage.content import local_text


def shares_chart(rows: list) -> str:
    """Budget shares: each item's spread of people's shares (box: middle half; whiskers: 5th to 95th
    percentile) with the mean share and its 95% interval as a diamond, largest mean first. In % of the pot."""
    rows = list(reversed(rows))
    titles = [local_text(row.item, "title") for row in rows]
    figure = go.Figure()
    figure.add_trace(
        go.Box(
            y=titles,
            q1=[row.spread[1] * 100 for row in rows],
            median=[row.median * 100 for row in rows],
            q3=[row.spread[2] * 100 for row in rows],
            lowerfence=[row.spread[0] * 100 for row in rows],
            upperfence=[row.spread[3] * 100 for row in rows],
            orientation="h",
            name=_("People's shares"),
            marker={"color": "#949494"},
            line={"color": "#505a5f"},
            fillcolor="#f3f2f1",
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[row.mean * 100 for row in rows],
            y=titles,
            mode="markers",
            name=_("Mean share"),
            marker={"color": MARKER_COLOUR, "size": 10, "symbol": "diamond"},
            error_x={
                "type": "data",
                "symmetric": False,
                # No line where there are too few responses for an interval.
                "array": [0 if row.high is None else (row.high - row.mean) * 100 for row in rows],
                "arrayminus": [0 if row.low is None else (row.mean - row.low) * 100 for row in rows],
                "color": MARKER_COLOUR,
                "thickness": 2,
            },
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    return laid_out(
        figure,
        rows=titles,
        xaxis={"title": {"text": _("Share of the budget (%)")}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 10, "b": 80},
        height=max(260, 56 * len(rows) + 120),
    )
