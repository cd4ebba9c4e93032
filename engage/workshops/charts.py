"""The projector's live chart: the room's result for the current round as horizontal bars.

Built as a plain Plotly JSON dict rather than a validated ``plotly.graph_objects`` figure: the projector asks
every second, and validating a figure costs about 10 ms of the interpreter lock each time, time the room's
votes are waiting for.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _

from engage.charts import MARKER_COLOUR
from engage.workshops.results import RoundResult


def room_chart(result: RoundResult) -> str:
    rows = list(reversed(result.items))
    share = result.is_share
    titles = {
        "share": _("Share of the budget (%)"),
        "answers": _("Share of the people who answered (%)"),
        "score": _("Score (0 to 100)"),
    }
    xaxis: dict = {
        "title": {"text": titles[result.measure]},
        "rangemode": "tozero",
    }
    if not share:
        xaxis["range"] = [0, 100]
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [value * 100 if share else value for _title, value in rows],
                "y": [title for title, _value in rows],
                "marker": {"color": MARKER_COLOUR},
                "hovertemplate": "%{y}: %{x:.0f}<extra></extra>",
            }
        ],
        "layout": {
            "xaxis": xaxis,
            "yaxis": {"automargin": True},
            "margin": {"l": 10, "r": 10, "t": 10, "b": 50},
            "height": max(240, 56 * len(rows) + 80),
            "plot_bgcolor": "#ffffff",
            "paper_bgcolor": "#ffffff",
            "font": {"family": "system-ui, Arial, sans-serif", "size": 20, "color": "#0b0c0c"},
        },
    }
    return json.dumps(figure)
