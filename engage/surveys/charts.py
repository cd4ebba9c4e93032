"""Plotly charts of a consultation's results, as JSON for the page's own script to draw. Each chart sits
beside a table with the same figures (the chart is hidden from screen readers)."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from engage.charts import MARKER_COLOUR, laid_out
from engage.surveys.models import QuestionKind
from engage.surveys.results import QuestionResult, agreement_shares

#: A diverging scale, strongly disagree to strongly agree (ColorBrewer RdBu, darkened ends for contrast).
DIVERGING = ["#b2182b", "#ef8a62", "#bababa", "#67a9cf", "#2166ac"]


def chart_for(result: QuestionResult) -> str | None:
    """The chart that suits the question, or None (text, dates, numbers, or nobody answered)."""
    if not result.answered or (any(result.hidden) and not any(count for _l, count, _s in result.counts)):
        return None  # nobody answered, or every count but the zeros is hidden
    kind = result.question.kind
    if kind is QuestionKind.AGREEMENT:
        # Shares of those with a view would give away a hidden count: the table alone then.
        return None if any(result.hidden[:5]) else agreement_chart(result)
    if kind is QuestionKind.RATING:
        return rating_chart(result)
    if kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        return option_chart(result)
    return None


def option_chart(result: QuestionResult) -> str:
    """Share of people choosing each option, as horizontal bars in the question's order."""
    # hidden answers have no bar
    rows = [(label, share) for label, _count, share in reversed(result.counts) if share is not None]
    figure = go.Figure(
        go.Bar(
            x=[100 * share for _label, share in rows],
            y=[label for label, _share in rows],
            orientation="h",
            marker={"color": MARKER_COLOUR},
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    return laid_out(
        figure,
        rows=[label for label, _share in rows],
        xaxis={"title": {"text": _("People choosing it (%)")}, "range": [0, 100]},
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
        height=max(200, 40 * len(rows) + 80),
    )


def agreement_chart(result: QuestionResult) -> str:
    """A diverging bar per answer: disagreement to the left of zero, agreement to the right and "neither"
    across it, as % of those with a view ("don't know" is in the table, not the chart). The answers are the
    axis labels, so the chart needs no legend."""
    # strongly agree, agree, neither, disagree, strongly disagree
    shares = [100 * share for share in agreement_shares(result)]
    labels = [label for label, _count, _share in result.counts[:5]]
    bases = [0, 0, -shares[2] / 2, -shares[3], -shares[4]]
    figure = go.Figure(
        go.Bar(
            x=shares,
            base=bases,
            y=labels,
            orientation="h",
            marker={"color": list(reversed(DIVERGING)), "line": {"color": "#0b0c0c", "width": 1}},
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    reach = max([*shares, 10])
    return laid_out(
        figure,
        rows=labels,
        xaxis={
            "title": {"text": _("Disagree (left) and agree (right), % of those with a view")},
            "range": [-reach - 5, reach + 5],
            "zeroline": True,
            "zerolinecolor": "#0b0c0c",
        },
        yaxis={"autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
        height=280,
    )


def rating_chart(result: QuestionResult) -> str:
    """How many people gave each rating from 0 to 10, with the mean marked."""
    figure = go.Figure(
        go.Bar(
            x=[int(label) for label, count, _share in result.counts if count is not None],
            y=[count for _label, count, _share in result.counts if count is not None],
            marker={"color": MARKER_COLOUR},
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    if result.mean is not None:
        figure.add_vline(
            x=result.mean,
            line={"color": "#0b0c0c", "dash": "dash", "width": 2},
        )  # the caption gives the mean in words
    return laid_out(
        figure,
        xaxis={"title": {"text": _("Rating (0 lowest, 10 highest)")}, "type": "linear", "dtick": 1},
        yaxis={"title": {"text": _("People")}},
        margin={"l": 10, "r": 10, "t": 30, "b": 50},
        height=280,
    )
