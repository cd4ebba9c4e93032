"""What a resident's phone downloads: each page's bytes on the wire, in Chromium with an empty cache.

The demo partnership is loaded into a temporary SQLite database and served by gunicorn with the deployment's
settings (gunicorn.conf.py, production mode), so compression and caching are what a council would serve.
For each page a fresh browser context (an empty cache) loads it and waits for the network to go quiet; the
bytes are what Chromium received (headers and encoded bodies) for the page and everything it loaded.
Targets (issue 19): home and vote pages under 150 KB, a chart page under 600 KB.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.workshop import _free_port

ROOT = Path(__file__).resolve().parent.parent
KB = 1024


def _serve(tmp: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ENGAGE_ENV": "production",
        "ENGAGE_SECRET_KEY": "page-weight-benchmark-secret-key-0123456789",
        "ENGAGE_DATABASE_URL": f"sqlite:///{tmp}/engage.sqlite",
        "ENGAGE_BASE_URL": base,
        "ENGAGE_BIND": f"127.0.0.1:{port}",
        "ENGAGE_WORKERS": "2",
        "ENGAGE_LOG_LEVEL": "WARNING",
    }
    env.pop("ENGAGE_REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "engage"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)  # noqa: S603
    subprocess.run([*flask, "demo"], env=env, check=True, capture_output=True, cwd=ROOT)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603 - our interpreter, our config
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).close()  # noqa: S310 - loopback
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _weigh(browser, url: str, width: int = 375) -> tuple[int, int]:
    """(bytes received, number of requests) for one page load with an empty cache."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(url, wait_until="networkidle")
    total = 0
    for request in responses:
        sizes = request.sizes()
        total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
    context.close()
    return total, len(responses)


def bench_page_weight(rows: list[tuple[str, str, str, str]]) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server, base = _serve(tmp)
        try:
            home = urllib.request.urlopen(base + "/").read().decode()  # noqa: S310 - loopback
            vote = re.search(r'href="/exercises/(\d+)', home)
            board = re.search(r'href="(/boards/[a-z-]+)"', home)
            pages = [("home page", "/", 150), ("a board's page with its weights chart", board.group(1), 600)]
            if vote:
                pages.insert(1, ("an exercise's first page", f"/exercises/{vote.group(1)}/vote", 150))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("ENGAGE_CHROMIUM", "/usr/bin/chromium-headless-shell")
                )
                for name, path, target in pages:
                    size, count = _weigh(browser, base + path)
                    rows.append(
                        (f"{name} ({path}), {count} requests", f"{size / KB:.0f} KB", "-", f"< {target} KB")
                    )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
