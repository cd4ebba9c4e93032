"""The charts' house style: Plotly figures as JSON for the page's own script to draw (no inline script:
strict CSP), in one colour and layout for every package's charts."""

from __future__ import annotations

import plotly.graph_objects as go

#: Okabe-Ito blue: distinguishable for colour-blind readers, 4.5:1 against white for the markers and lines.
MARKER_COLOUR = "#0061a8"


def laid_out(figure: go.Figure, **layout) -> str:
    """The house style (white, the page's font, labels never cut off), as Plotly JSON.

    No Plotly theme: the default one would add 6 KB of settings to every chart on the page and colour the
    plot area pale blue; Plotly.js's own defaults with these few settings are all a chart needs.
    """
    layout["yaxis"] = {"automargin": True, **layout.get("yaxis", {})}
    figure.update_layout(
        template="none",
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"family": "system-ui, Arial, sans-serif", "size": 14, "color": "#0b0c0c"},
        **layout,
    )
    return figure.to_json()
