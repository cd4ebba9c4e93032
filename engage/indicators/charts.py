"""The priority matrix chart: weight across, gap from target up, quadrants marked."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from engage.charts import MARKER_COLOUR, laid_out
from engage.indicators.matrix import Matrix, MatrixRow
from engage.indicators.trend import Trend

#: A different marker shape per quadrant, so colour is never the only cue.
SYMBOLS = {"focus": "diamond", "keep-it-up": "circle", "watch": "square", "less-pressing": "triangle-up"}


def quadrant_labels() -> dict[str, str]:
    return {
        "focus": _("Focus: important and off target"),
        "keep-it-up": _("Keep it up: important and on target"),
        "watch": _("Watch: less important and off target"),
        "less-pressing": _("Less pressing: less important and on target"),
    }


def _point(row: MatrixRow) -> tuple[float, float, str]:
    """A plotted row's weight, gap and quadrant (a row has a quadrant only when it has the other two)."""
    assert row.weight is not None and row.gap is not None and row.quadrant is not None
    return row.weight, row.gap, row.quadrant


def matrix_chart(matrix: Matrix) -> str | None:
    rows = matrix.plotted
    if not rows or matrix.average_weight is None:
        return None
    points = [_point(row) for row in rows]
    x = [weight * 100 for weight, _gap, _quadrant in points]
    y = [gap * 100 for _weight, gap, _quadrant in points]
    figure = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            text=[row.priority.code for row in rows],
            textposition="top center",
            marker={"color": MARKER_COLOUR, "size": 12, "symbol": [SYMBOLS[q] for _w, _g, q in points]},
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


#: Line styles that tell priorities apart without colour alone.
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
SYMBOLS_CYCLE = ["circle", "square", "diamond", "triangle-up", "cross", "x"]


def _lines(series: list[tuple[str, list[str], list[float | None]]], x_title: str, y_title: str) -> str | None:
    figure = go.Figure()
    for n, (name, xs, ys) in enumerate(series):
        if all(y is None for y in ys):
            continue
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=[None if y is None else y * 100 for y in ys],
                name=name,
                mode="lines+markers",
                connectgaps=False,
                line={"dash": DASHES[n % len(DASHES)], "color": MARKER_COLOUR},
                marker={"symbol": SYMBOLS_CYCLE[n % len(SYMBOLS_CYCLE)], "size": 9, "color": MARKER_COLOUR},
                hovertemplate="%{fullData.name}: %{y:.1f}%<extra></extra>",
            )
        )
    if not figure.data:
        return None
    return laid_out(
        figure,
        xaxis={"title": {"text": x_title}, "type": "category"},
        yaxis={"title": {"text": y_title}, "automargin": True},
        legend={"orientation": "h", "y": -0.3},
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
        height=420,
    )


def trend_charts(trend: Trend) -> tuple[str | None, str | None]:
    """Two charts: each priority's weight across versions, and its indicators' mean gap from target across
    periods (the tables on the page hold the same figures)."""
    versions = [_("Version %(n)s", n=v.version) for v in trend.versions]
    weights = _lines(
        [(row.priority.code, versions, row.weights) for row in trend.rows], _("Weight set"), _("Weight (%)")
    )
    gaps = _lines(
        [(row.priority.code, trend.periods, row.gaps) for row in trend.rows],
        _("Period"),
        _("Better (+) or worse (−) than target (%)"),
    )
    return weights, gaps
