"""The priority matrix chart: weight across, gap from target up, quadrants marked."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from engage.charts import MARKER_COLOUR, laid_out
from engage.indicators.matrix import Matrix

#: A different marker shape per quadrant, so colour is never the only cue.
SYMBOLS = {"focus": "diamond", "keep-it-up": "circle", "watch": "square", "less-pressing": "triangle-up"}


def quadrant_labels() -> dict[str, str]:
    return {
        "focus": _("Focus: important and off target"),
        "keep-it-up": _("Keep it up: important and on target"),
        "watch": _("Watch: less important and off target"),
        "less-pressing": _("Less pressing: less important and on target"),
    }


def matrix_chart(matrix: Matrix) -> str | None:
    rows = matrix.plotted
    if not rows or matrix.average_weight is None:
        return None
    x = [row.weight * 100 for row in rows]
    y = [row.gap * 100 for row in rows]
    figure = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            text=[row.priority.code for row in rows],
            textposition="top center",
            marker={"color": MARKER_COLOUR, "size": 12, "symbol": [SYMBOLS[row.quadrant] for row in rows]},
            hovertext=[row.priority.title for row in rows],
            hovertemplate="%{hovertext}: %{x:.1f}%, %{y:+.0f}%<extra></extra>",
        )
    )
    average = matrix.average_weight * 100
    figure.add_vline(x=average, line={"color": "#505a5f", "dash": "dash"})
    figure.add_hline(y=0, line={"color": "#505a5f"})
    span_y = max(abs(v) for v in y) * 1.3 or 10
    labels = quadrant_labels()
    for key, xanchor, ypos in [
        ("focus", "right", -span_y),
        ("keep-it-up", "right", span_y),
        ("watch", "left", -span_y),
        ("less-pressing", "left", span_y),
    ]:
        figure.add_annotation(
            x=average,
            y=ypos,
            text=labels[key].split(":")[0],
            showarrow=False,
            xanchor="left" if xanchor == "right" else "right",
            xshift=8 if xanchor == "right" else -8,
            font={"color": "#505a5f"},
        )
    return laid_out(
        figure,
        xaxis={"title": {"text": _("Weight (%)")}, "rangemode": "tozero"},
        yaxis={
            "title": {"text": _("Better (+) or worse (−) than target (%)")},
            "range": [-span_y, span_y],
            "automargin": True,
        },
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
        height=420,
    )
