"""The charts' house style: Plotly figures as JSON for the page's own script to draw (no inline script:
strict CSP), in one colour and layout for every package's charts.

Plotly draws text in a chart (tick labels, hover labels, names) as a little HTML: <a href>, <b>, <br>,
<span style>. Titles officers write and residents suggest reach charts, so every text of every trace is
escaped here (&, < and >, which Plotly turns back into the characters), whatever chart made it.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

#: Okabe-Ito blue: distinguishable for colour-blind readers, 4.5:1 against white for the markers and lines.
MARKER_COLOUR = "#0061a8"


#: The trace properties that carry text to draw.
TEXT_PROPERTIES = ("x", "y", "text", "hovertext", "name", "labels", "customdata", "ids")


def escape_text(value):
    """Text Plotly draws as text, never as its HTML (any other value unchanged)."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [escape_text(item) for item in value]
    return value


def _escape_traces(figure: go.Figure) -> None:
    for trace in figure.data:
        for name in TEXT_PROPERTIES:
            value = getattr(trace, name, None) if name in trace else None
            if value is not None:
                trace[name] = escape_text(value)


def laid_out(figure: go.Figure, rows: Sequence[str] | None = None, **layout) -> str:
    """The house style (white, the page's font, labels never cut off), as Plotly JSON.

    ``rows``: a chart of one row per item (horizontal bars or points, the items on the y axis) names its
    items in the order Plotly draws them, bottom first. charts.js then fits the chart to the width it gets:
    each item's name wrapped above its row across the chart's whole width (not squeezed beside it), the
    height grown to hold the rows and their lines, the axis titles wrapped, and below MIN_WIDTH in charts.js
    the chart gives way to the table beside it.

    No Plotly theme: the default one would add 6 KB of settings to every chart on the page and colour the
    plot area pale blue; Plotly.js's own defaults with these few settings are all a chart needs.
    """
    _escape_traces(figure)
    if rows is not None:
        layout["meta"] = {"rows": escape_text(list(rows))}
    layout["xaxis"] = {"automargin": True, **layout.get("xaxis", {})}
    layout["yaxis"] = {"automargin": True, **layout.get("yaxis", {})}
    figure.update_layout(
        template="none",
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"family": "system-ui, Arial, sans-serif", "size": 14, "color": "#0b0c0c"},
        **layout,
    )
    return figure.to_json()
