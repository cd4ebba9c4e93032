"""Every chart residents see can be read without the chart: a text description, a table with the same figures,
and marks whose colours stand out from the background (WCAG 1.4.11: 3:1) and never carry meaning alone."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from engage import content
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseStatus

#: Keys in a Plotly figure that colour marks and text (backgrounds and box fills are not marks).
MARK_COLOUR_KEYS = {"color"}
CHART = re.compile(r'<figure class="app-chart"(.*?)</figure>', re.S)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_matches_published_figures():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the well-known AA grey


def mark_colours(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in MARK_COLOUR_KEYS and isinstance(value, str):
                found.append(value)
            elif key in MARK_COLOUR_KEYS and isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
            else:
                found += mark_colours(value)
    elif isinstance(node, list):
        for item in node:
            found += mark_colours(item)
    return found


@pytest.fixture
def resident_chart_pages(demo, app) -> list[str]:
    closed = db.session.scalar(select(Exercise).where(Exercise.status == ExerciseStatus.CLOSED))
    return [
        "/boards/health-and-wellbeing",
        "/boards/health-and-wellbeing/weights/1",
        f"/exercises/{closed.id}/results",
    ]


def test_every_resident_chart_has_a_description_a_table_and_contrasting_marks(client, resident_chart_pages):
    charts = 0
    for path in resident_chart_pages:
        page = client.get(path).get_data(as_text=True)
        figures = CHART.findall(page)
        assert figures, f"{path} has no chart"
        for figure in figures:
            charts += 1
            plot = re.search(r'data-plotly="([^"]*)"', figure)
            assert 'aria-hidden="true"' in figure, "the drawing is hidden from screen readers..."
            assert re.search(r"<figcaption[^>]*>\s*\S", figure), "...so the chart needs a description"
            data = json.loads(html.unescape(plot.group(1)))
            background = data["layout"].get("plot_bgcolor", "#ffffff")
            for colour in mark_colours(data):
                if colour.startswith("#"):
                    assert contrast(colour, background) >= 3, f"{colour} on {background} in {path}"
        assert "<table" in page, f"{path} has no table beside its chart"
    assert charts >= 3


def test_matrix_quadrants_differ_by_shape_not_only_colour(client, resident_chart_pages):
    page = client.get(resident_chart_pages[0]).get_data(as_text=True)
    plot = re.search(r'data-plotly="([^"]*)"', page)
    data = json.loads(html.unescape(plot.group(1)))
    symbols = {s for trace in data["data"] for s in (trace.get("marker", {}).get("symbol") or [])}
    assert len(symbols) >= 2


def test_a_translated_chart_names_its_rows_as_it_names_its_marks(client, app, resident_chart_pages):
    """charts.js draws each mark on the row of the same name (the layout's meta.rows): the scores chart once
    named its rows in English and its marks in Welsh, so in Welsh only untranslated items had a mark."""
    closed = db.session.scalar(select(Exercise).where(Exercise.status == ExerciseStatus.CLOSED))
    with app.test_request_context("/"):
        content.save(
            closed, "cy", {f"item:{item.id}:title": f"{item.title} (cy)" for item in closed.active_items}
        )
    db.session.commit()
    client.get("/language/cy?next=/")
    translated = 0
    for path in resident_chart_pages:
        for figure in CHART.findall(client.get(path).get_data(as_text=True)):
            data = json.loads(html.unescape(re.search(r'data-plotly="([^"]*)"', figure).group(1)))
            rows = data["layout"].get("meta", {}).get("rows")
            if rows is None:
                continue
            names = {name for trace in data["data"] for name in trace.get("y", [])}
            assert names <= set(rows), f"marks with no row of their name on {path}: {names - set(rows)}"
            translated += sum(name.endswith("(cy)") for name in rows)
    assert translated >= 2  # the closed exercise's scores chart, in Welsh
