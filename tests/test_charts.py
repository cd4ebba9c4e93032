"""Charts draw officers' and residents' text as text (issue 18, low: a live link in a public chart)."""

import json
import re
from html import unescape

import plotly.graph_objects as go

from engage.charts import laid_out

TITLE = '<a href="https://evil.example/">Click</a> & <b>more</b>'


def test_every_text_of_a_trace_is_escaped_for_plotly():
    figure = go.Figure(
        go.Bar(x=[1, 2], y=[TITLE, "Parks"], text=[TITLE, "x"], name=TITLE, customdata=[[TITLE]])
    )
    trace = json.loads(laid_out(figure))["data"][0]
    assert trace["y"] == [
        '&lt;a href="https://evil.example/"&gt;Click&lt;/a&gt; &amp; &lt;b&gt;more&lt;/b&gt;',
        "Parks",
    ]
    assert "<" not in json.dumps(trace)
    assert trace["x"] == [1, 2]  # numbers are left alone


def test_a_priority_titled_with_a_link_is_plain_text_in_the_public_results_chart(client, make_exercise, cast):
    from engage.extensions import db
    from engage.prioritise.models import ExerciseStatus

    exercise = make_exercise()
    a, b = exercise.items[:2]
    a.title = TITLE
    db.session.commit()
    for _ in range(3):
        cast(exercise, a, b)
    from engage.prioritise import service

    service.set_status(exercise, ExerciseStatus.CLOSED)
    db.session.commit()
    html = client.get(f"/exercises/{exercise.id}/results").get_data(as_text=True)
    chart = json.loads(unescape(re.search(r'data-plotly="([^"]+)"', html).group(1)))
    assert all("<" not in label for label in chart["data"][0]["y"])
    assert chart["data"][0]["y"][-1].startswith("&lt;a href=")  # Plotly shows it as the typed text
