"""Static files: the smaller Plotly bundle draws every chart Engage makes, files go out compressed, and the
built assets are cached for a year under URLs that change with their content."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import plotly.offline

from engage.static_files import YEAR, _content_hash

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "engage" / "static" / "build"
PLOTLY = BUILD / "plotly.min.js"


def test_the_plotly_bundle_is_the_version_the_python_package_writes_for():
    header = PLOTLY.read_text(encoding="utf-8")[:200]
    assert re.search(
        rf"plotly\.js \(cartesian - minified\) v{plotly.offline.get_plotlyjs_version()}\n", header
    )


def test_every_kind_of_trace_engage_draws_is_in_the_bundle():
    used = set()
    for module in (ROOT / "engage").rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        used |= {
            name.lower()
            for name in re.findall(r"\bgo\.(Bar|Box|Scatter\w*|Pie|Heatmap\w*|Histogram\w*)\(", text)
        }
        used |= set(re.findall(r'"type": "(bar|box|scatter|pie|heatmap)"', text))
    assert used >= {"bar", "box", "scatter"}  # the scan finds what the charts modules draw
    bundle = PLOTLY.read_text(encoding="utf-8")
    registered = set(re.findall(r'name:"([a-z0-9]+)",basePlotModule', bundle))
    assert used <= registered, f"traces missing from the Plotly bundle: {used - registered}"
    assert "scattergeo" not in registered  # the partial bundle, not the whole 4.8 MB library


def test_a_chart_page_loads_plotly_compressed_and_cached_for_a_year(client, app):
    with app.test_request_context():
        from engage.static_files import asset_url

        url = asset_url("plotly.min.js")
    assert re.fullmatch(r"/static/build/plotly\.min\.js\?v=[0-9a-f]{12}", url)
    with client.get(url, headers={"Accept-Encoding": "gzip, br"}) as response:
        body = response.data
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(body) < 520_000  # 1.5 MB of script, about 0.5 MB sent
    assert gzip.decompress(body) == PLOTLY.read_bytes()


def test_without_the_hash_a_file_is_kept_for_an_hour_and_sent_plain_to_who_asks(client):
    with client.get("/static/build/htmx.min.js") as response:
        body = response.data
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == "max-age=3600, public"
    assert body == (BUILD / "htmx.min.js").read_bytes()


def test_the_hash_changes_with_the_content(tmp_path):
    first, second = tmp_path / "a.js", tmp_path / "b.js"
    first.write_text("one")
    second.write_text("two")
    assert _content_hash.__wrapped__(first) != _content_hash.__wrapped__(second)
    assert _content_hash.__wrapped__(tmp_path / "missing.js") is None


def test_pages_use_versioned_asset_urls(client):
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'src="(/static/build/[^"]+)"', page)
    assert scripts and all("?v=" in src for src in scripts)
