"""Browser tests: Debian's Chromium driven by Playwright against the app on a random loopback port.

No browser is downloaded: Playwright launches Debian's /usr/bin/chromium-headless-shell (Chromium without its
windowing and browser interface: the same engine, about a quarter less time per test than the full browser
in headless mode). ENGAGE_CHROMIUM names another (say /usr/bin/chromium). When it is missing these tests are
skipped with a message saying how to install it, unless ENGAGE_REQUIRE_BROWSER is set (CI sets it), in
which case they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, TOTP_SECRET, totp_code

CHROMIUM = os.environ.get("ENGAGE_CHROMIUM", "/usr/bin/chromium-headless-shell")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # No host but this machine resolves: a page cannot reach another (make_page also reports any attempt).
    # Refusing them here rather than by routing every request through Playwright keeps each request inside
    # Chromium (no round trip to this process per file) and keeps Chromium's HTTP cache on.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
AXE_FILE = Path(__file__).resolve().parents[2] / "engage" / "static" / "build" / "axe.min.js"


def pytest_collection_modifyitems(config, items):
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.real_commits)  # the live server's thread must see committed data


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"No Chromium at {CHROMIUM}: `sudo apt-get install chromium-headless-shell` installs it"
        if os.environ.get("ENGAGE_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    if not AXE_FILE.exists():
        pytest.fail("axe-core is missing: run `make assets`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    """The app on a random loopback port, served by Werkzeug's threaded server in this process.

    Each response body is closed as soon as it has been sent. Werkzeug's development server closes it only
    after reading what is left of the request, and that read raises when Chromium has already dropped the
    connection (it does for a favicon now and then): the open static file was then left for the garbage
    collector, whose ResourceWarning failed whichever test was running.

    Leaving waits for the requests still being answered. Werkzeug's request threads are daemons that nobody
    waits for: a poll answered just after the test ended gave its database connection back to a pool the
    test's teardown had already thrown away (``engine.dispose()``), where the garbage collector found it
    open, later, during another test (psycopg's ResourceWarning, seen on PostgreSQL in CI).
    """

    def __init__(self, app):
        self.app = app
        self._answering = 0
        self._idle = threading.Condition()
        self.server = make_server("127.0.0.1", 0, self._serve, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # shutdown() waits for the serving loop to look at its flag, which it does every poll_interval (half
        # a second by default: a quarter of a second lost per test on average).
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def _serve(self, environ, start_response):
        with self._idle:
            self._answering += 1
        try:
            body = self.app(environ, start_response)
            try:
                yield from body
            finally:
                if hasattr(body, "close"):
                    body.close()
        finally:
            with self._idle:
                self._answering -= 1
                self._idle.notify_all()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()  # no new connection is taken
        with self._idle:
            finished = self._idle.wait_for(lambda: self._answering == 0, timeout=10)
        self.server.server_close()
        self.thread.join(timeout=5)
        assert finished, f"{self._answering} request(s) still being answered 10 s after the test"


#: Workshop pages ask the server what changed every 2 s (the projector every second) in production, and pages
#: waiting for results every 3 s: here every half second, so a test waits a quarter as long (half, on the
#: projector; a sixth, for results) for each change to reach a phone, the control page, the screen or a
#: results page. Tests marked ``production_polling`` keep the production intervals.
FAST_POLLING = dict.fromkeys(
    ("ENGAGE_WORKSHOP_POLL_MS", "ENGAGE_PROJECTOR_POLL_MS", "ENGAGE_RESULTS_POLL_MS"), 500
)


@pytest.fixture
def app(app_factory, request):
    """Browser tests run with CSRF protection on, as in production: every form and htmx request must carry
    its token (the rest of the suite turns it off to keep test-client code short)."""
    polling = {} if request.node.get_closest_marker("production_polling") else FAST_POLLING
    app = app_factory(WTF_CSRF_ENABLED=True, **polling)
    with app.app_context():
        yield app


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


def _other_host(url: str) -> str | None:
    if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname in {"127.0.0.1", "localhost"}:
        return None
    return f"request to another host: {url}"


@pytest.fixture
def make_page(browser, live_server):
    """Open pages in fresh contexts (no cookies) that reach no other host and fail on console errors."""
    contexts = []
    errors: list[str] = []

    def request(req):
        # Chromium resolves no other host (CHROMIUM_ARGS): such a request fails, and is reported here.
        if message := _other_host(req.url):
            errors.append(message)

    def console(msg):
        # A page that is itself a 4xx (a 404 page, a form with errors) logs "Failed to load resource";
        # failed sub-resources are caught below, by their responses.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            where = msg.page.url if msg.page else "?"
            errors.append(f"console {msg.type} on {where}: {msg.text}")

    expected: list[tuple[int, str]] = []  # (status, part of the address) a test expects: make.expect(...)

    def response(resp):
        if (
            resp.status >= 400
            and resp.request.resource_type != "document"
            and not any(resp.status == status and part in resp.url for status, part in expected)
        ):
            errors.append(f"{resp.status} for {resp.request.resource_type} {resp.url}")

    def make(**options):
        options.setdefault("viewport", {"width": 1024, "height": 768})
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        context.on("request", request)  # every page of the context, pop-ups too
        new_page = context.new_page()
        new_page.on("console", console)
        new_page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        new_page.on("response", response)
        new_page.set_default_timeout(10_000)
        return new_page

    make.expect = lambda status, part: expected.append((status, part))  # type: ignore[attr-defined]
    yield make
    for context in contexts:
        context.close()
    assert errors == [], "\n".join(errors)


@pytest.fixture
def page(make_page):
    return make_page()


#: axe's options for every page. ``preload: false``: axe would otherwise fetch and parse every stylesheet of
#: the page again on each run (about half of each run's time) for one rule, css-orientation-lock. Every page
#: has the same one stylesheet and no other styles (the Content-Security-Policy refuses inline ones), so that
#: rule is checked once, with the stylesheet loaded, by test_accessibility_sweep's
#: test_the_stylesheet_does_not_lock_the_orientation. ``selectors: false``: the report below shows each
#: node's HTML, not its CSS selector, which axe would otherwise work out for every node it reports.
AXE_OPTIONS = (
    "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'], preload: false, selectors: false}"
)


def assert_accessible(page, context: str = "") -> None:
    """Run axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on the page and fail on any violation."""
    # A click that navigates returns before the new page has a document to add a script to.
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/build/axe.min.js")
    result = page.evaluate(f"tags => axe.run(document, {AXE_OPTIONS})", AXE_TAGS)
    violations = [
        v | {"nodes": [n for n in v["nodes"] if not _govuk_conditional_radio(v, n)]}
        for v in result["violations"]
    ]
    violations = [v for v in violations if v["nodes"]]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(n["html"][:160] for n in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url} {context}\n{report}"


def _govuk_conditional_radio(violation: dict, node: dict) -> bool:
    """GOV.UK Frontend's conditional reveal puts aria-expanded on the radio that reveals, which axe flags.
    GOV.UK keeps it on purpose (screen readers announce it) and lists it as a known issue
    (https://github.com/alphagov/govuk-frontend/issues/979): that attribute on a revealing GOV.UK radio, and
    nothing else, passes."""
    return (
        violation["id"] == "aria-allowed-attr"
        and 'class="govuk-radios__input"' in node["html"]
        and "aria-controls=" in node["html"]
        and "aria-expanded" in node.get("failureSummary", "")
        and node.get("failureSummary", "").count("aria-") == 1
    )


#: Screenshots for people to look at, written only when ENGAGE_SCREENSHOTS names a folder (for example
#: `ENGAGE_SCREENSHOTS=test-artefacts make test`): a full-page PNG costs the machine a fraction of a second
#: each, and a run that nobody looks at (CI's) keeps none. Tests never read them back.
SCREENSHOTS = os.environ.get("ENGAGE_SCREENSHOTS")


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of the page as ``name`` in the ENGAGE_SCREENSHOTS folder, when there is one.

    caret="initial": hiding the caret makes Playwright inject a <style>, which the CSP rightly blocks.
    """
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / name, full_page=full_page, caret="initial")


def assert_no_horizontal_scroll(page) -> None:
    """Reflow: the page must fit the viewport's width (WCAG 1.4.10)."""
    scroll_width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= viewport, f"{page.url} scrolls sideways: {scroll_width}px content in {viewport}px"


def sign_in_as(page, user, password: str = PASSWORD, *, totp_secret: str = TOTP_SECRET, check=None) -> None:
    """Sign in through the pages as staff do: the password, then (for an account with two-factor, as every
    administrator has) the code an app given ``totp_secret`` shows now. ``check(label)``, when given, is
    called on each page (an accessibility sweep). Ends on the page the sign-in leads to."""
    email = user if isinstance(user, str) else user.email
    page.goto("/sign-in")
    if check:
        check("sign in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    page.wait_for_load_state()
    if urlsplit(page.url).path == "/sign-in/code":
        if check:
            check("enter your code")
        page.locator("#code").fill(totp_code(totp_secret))
        page.locator("#code").press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path not in {"/sign-in", "/sign-in/code"})
