"""What `make deploy-check` proves through nginx, one function a check. Each returns what it measured (a
line for the report) or raises ``Failed`` saying what it saw instead."""

from __future__ import annotations

import gzip
import re
import subprocess
import time
from collections import Counter

import requests

from scripts.deploy_check.stack import RECIPE_ROOT, ROOT, Stack, client_max_body_size, unit_command

HSTS = "max-age=31536000; includeSubDomains"
#: A workshop code no workshop has (the alphabet has no B, I, L, O, S or Z): each try counts against the
#: address's allowance of wrong codes.
WRONG_CODE = "BBBBBB"


class Failed(AssertionError):
    """A check saw something other than what the recipe promises."""


class Skipped(Exception):
    """A check this machine cannot make (a tool is missing); said in the report, never counted as passed."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def _upstreams(stack: Stack, path: str, since: int, clients: set[str] | None = None) -> Counter[str]:
    """Which app host answered each request for ``path`` logged by nginx after line ``since`` (empty
    string: nginx answered itself)."""
    return Counter(
        line["upstream"]
        for line in stack.nginx_log()[since:]
        if line["path"] == path and (clients is None or line["client"] in clients)
    )


def ready(stack: Stack) -> str:
    """/readyz through nginx on every host: 200, the database and Redis reachable. Each of nginx's worker
    processes keeps its own round-robin place, and nginx writes a request's log line after answering it, so
    ask until every host has answered (at most 20 times) and read the log again until its lines are in."""
    since = len(stack.nginx_log())
    hosts: Counter[str] = Counter()
    for sent in range(1, 21):
        response = stack.client().get(f"{stack.base}/readyz")
        expect(response.status_code == 200, f"/readyz answered {response.status_code}: {response.text[:200]}")
        expect(response.json() == {"status": "ok", "failed": {}}, f"/readyz said {response.json()}")
        for _wait in range(20):
            hosts = _upstreams(stack, "/readyz", since)
            if sum(hosts.values()) >= sent:  # this request's line is in the log
                break
            time.sleep(0.05)
        if len(hosts) >= len(stack.upstreams):
            break
    expect(len(hosts) == len(stack.upstreams), f"/readyz was answered by {dict(hosts)}, not every host")
    return f"200 from {len(hosts)} host(s): database and Redis reachable"


def https_only(stack: Stack) -> str:
    response = stack.client().get(f"http://127.0.0.1:{stack.http_port}/join?code=X", allow_redirects=False)
    location = response.headers.get("Location", "")
    expect(response.status_code == 301, f"plain HTTP answered {response.status_code}, not 301")
    expect(location.startswith("https://") and location.endswith("/join?code=X"), f"redirected to {location}")
    return f"plain HTTP: 301 to {location}"


def _wire(response: requests.Response) -> tuple[int, bytes]:
    """The bytes sent over the wire, and the body once decompressed."""
    sent = response.raw.read(decode_content=False)
    if response.headers.get("Content-Encoding") == "gzip":
        return len(sent), gzip.decompress(sent)
    return len(sent), sent


def compression_and_caching(stack: Stack, *, nginx_serves_static: bool) -> str:
    """Pages and static files are compressed; built assets are cached for a year; HSTS on both; static
    files come from nginx or from the app (WhiteNoise), as the site says."""
    http = stack.client()
    since = len(stack.nginx_log())
    page = http.get(f"{stack.base}/", headers={"Accept-Encoding": "gzip"}, stream=True)
    expect(page.status_code == 200, f"the home page answered {page.status_code}")
    expect(page.headers.get("Content-Encoding") == "gzip", "the home page was not compressed")
    expect(page.headers.get("Strict-Transport-Security") == HSTS, f"page HSTS: {page.headers}")
    page_sent, html = _wire(page)
    css = re.search(r'href="(/static/build/engage\.css\?v=[0-9a-f]+)"', html.decode())
    expect(css is not None, "the home page links no versioned engage.css")
    asset = http.get(f"{stack.base}{css.group(1)}", headers={"Accept-Encoding": "gzip"}, stream=True)
    expect(asset.status_code == 200, f"engage.css answered {asset.status_code}")
    expect(asset.headers.get("Content-Encoding") == "gzip", "engage.css was not compressed")
    cache = asset.headers.get("Cache-Control", "")
    expect("max-age=31536000" in cache and "immutable" in cache, f"engage.css cached as {cache!r}")
    expect(asset.headers.get("Strict-Transport-Security") == HSTS, "engage.css has no (single) HSTS header")
    css_sent, css = _wire(asset)
    served = _upstreams(stack, "/static/build/engage.css", since)
    by_nginx = set(served) == {""}
    expect(by_nginx == nginx_serves_static, f"engage.css was served by {dict(served)}")
    return (
        f"home page {len(html) / 1024:.0f} KB sent as {page_sent / 1024:.0f} KB; engage.css "
        f"{len(css) / 1024:.0f} KB as {css_sent / 1024:.0f} KB by {'nginx' if by_nginx else 'the app'}, "
        f"{cache}; HSTS on both"
    )


def request_ids(stack: Stack) -> str:
    """nginx's request id reaches the app: the same id in the response, nginx's log and the app's log."""
    response = stack.client().get(f"{stack.base}/join")
    rid = response.headers.get("X-Request-ID", "")
    expect(re.fullmatch(r"[0-9a-f]{32}", rid) is not None, f"X-Request-ID was {rid!r}")
    time.sleep(0.3)  # the access log line is written after the response
    expect(any(line["request_id"] == rid for line in stack.nginx_log()), "the id is not in nginx's log")
    app_lines = [line for line in stack.app_log() if line.get("request_id") == rid]
    expect(app_lines, "the id is not in the app's log")
    return f"X-Request-ID {rid[:8]}... in the response, nginx's log and {len(app_lines)} app log line(s)"


def _wrong_codes(stack: Stack, address: str, tries: int, **headers: str) -> list[int]:
    http = stack.client(address)
    return [http.get(f"{stack.base}/join/{WRONG_CODE}", headers=headers).status_code for _ in range(tries)]


def rate_limits_per_client(stack: Stack) -> str:
    """Two clients (127.0.0.2 and .3) have their own allowance of wrong workshop codes (5 a minute here),
    and a client cannot pick another's address with its own X-Forwarded-For."""
    first = _wrong_codes(stack, "127.0.0.2", 6)
    expect(first == [404] * 5 + [429], f"127.0.0.2's six wrong codes were answered {first}")
    forged = _wrong_codes(stack, "127.0.0.2", 1, **{"X-Forwarded-For": "203.0.113.9"})
    expect(forged == [429], f"127.0.0.2 claiming to be 203.0.113.9 was answered {forged}")
    other = _wrong_codes(stack, "127.0.0.3", 1)
    expect(other == [404], f"127.0.0.3, a different client, was answered {other}")
    return "127.0.0.2: 404 x5 then 429 (a forged X-Forwarded-For changes nothing); 127.0.0.3: its own 404"


def rate_limits_shared(stack: Stack) -> str:
    """One client's wrong codes are counted once across every app host (the limits live in Redis)."""
    since = len(stack.nginx_log())
    answers = _wrong_codes(stack, "127.0.0.4", 6)
    expect(answers == [404] * 5 + [429], f"127.0.0.4's six wrong codes were answered {answers}")
    # nginx logs the client's network, not its address (127.0.0.0 for 127.0.0.4): no other client asks for
    # this path meanwhile.
    hosts = _upstreams(stack, f"/join/{WRONG_CODE}", since, {"127.0.0.0"})
    expect(len(hosts) == len(stack.upstreams), f"the tries reached {dict(hosts)}, not every host")
    logged = {line["client"] for line in stack.nginx_log()[since:]}
    expect("127.0.0.4" not in logged, f"nginx's log kept the client's whole address: {sorted(logged)}")
    return f"127.0.0.4: 404 x5 then 429, the tries answered by {len(hosts)} hosts ({sorted(hosts.values())})"


def links_use_base_url(stack: Stack, http: requests.Session, session_id: int, code: str) -> str:
    """The facilitator's join link and the QR code say ENGAGE_BASE_URL, not the address the request came
    to (127.0.0.1), even when a request claims to be for another host."""
    import io

    import segno

    expected = f"{stack.base_url}/join/{code}"
    page = http.get(f"{stack.base}/manage/workshops/{session_id}").text
    expect(expected in page, f"the control page does not give {expected}")
    expect(
        f"127.0.0.1:{stack.https_port}/join" not in page,
        "the control page gives a link built from the request",
    )
    svg = stack.client().get(f"{stack.base}/workshops/{code}/qr.svg", headers={"Host": "evil.example.org"})
    expect(svg.headers.get("Content-Type", "").startswith("image/svg+xml"), "the QR code is not an SVG")
    out = io.BytesIO()
    segno.make(expected, error="m").save(out, kind="svg", scale=8, dark="#0b0c0c", light="#ffffff")
    drawn = re.compile(r'<path [^>]*d="([^"]+)"')
    served, made = drawn.search(svg.text), drawn.search(out.getvalue().decode())
    expect(
        served is not None and made is not None and served.group(1) == made.group(1),
        f"the QR code does not encode {expected}",
    )
    return f"join link and QR code (asked for as evil.example.org): {expected}"


def oversized_upload(stack: Stack, http: requests.Session) -> str:
    """nginx's upload limit equals the app's; a file over the app's upload limit gets the app's message, a
    request over nginx's limit gets deploy/nginx/errors/413.html, never nginx's bare page."""
    from engage.config import load_config

    config = load_config(str(ROOT / "instance"), env=stack.app_env())
    nginx_limit = client_max_body_size()
    expect(
        nginx_limit == config["MAX_CONTENT_LENGTH"],
        f"nginx takes {nginx_limit} bytes, the app {config['MAX_CONTENT_LENGTH']}",
    )
    form_page = http.get(f"{stack.base}/manage/indicators").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', form_page).group(1)

    def send(size: int) -> requests.Response:
        body = b"area,value\n" + b"x" * (size - 11)
        return http.post(
            f"{stack.base}/manage/indicators",
            data={"csrf_token": token},
            files={"file": ("big.csv", body, "text/csv")},
        )

    over_app = send(config["ENGAGE_UPLOAD_MAX_BYTES"] + 1024)
    expect(over_app.status_code == 400, f"a file over the upload limit answered {over_app.status_code}")
    expect("The file is larger than" in over_app.text, "the upload page does not say the file is too large")
    over_nginx = send(nginx_limit + 1024)
    expect(over_nginx.status_code == 413, f"a request over nginx's limit answered {over_nginx.status_code}")
    expect("The file is too large" in over_nginx.text, f"413 page: {over_nginx.text[:200]!r}")
    expect(over_nginx.headers.get("Strict-Transport-Security") == HSTS, "nginx's 413 page has no HSTS")
    kilobytes = config["ENGAGE_UPLOAD_MAX_BYTES"] // 1024 + 1
    return (
        f"limit {nginx_limit // (1024 * 1024)} MB in nginx and the app; a {kilobytes:,} KB file: the upload "
        "page's message (400); over the limit: the 413 page"
    )


def units_verify(stack: Stack) -> str:
    """systemd's own check of every unit (syntax, settings, the commands exist), with the recipe's
    paths pointing at this checkout."""
    import shutil

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        raise Skipped("systemd-analyze is not installed (Debian's systemd package has it)")
    units = stack.work / "units"
    units.mkdir()
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        (units / unit.name).write_text(unit.read_text().replace(RECIPE_ROOT, str(ROOT)))
    names = sorted(str(path) for path in units.iterdir())
    done = subprocess.run([analyze, "verify", "--man=no", *names], capture_output=True, text=True)  # noqa: S603
    expect(done.returncode == 0 and not done.stderr.strip(), f"systemd-analyze verify: {done.stderr[-800:]}")
    return f"systemd-analyze verify: {len(names)} units, no complaints"


def start_schedule_commands(stack: Stack) -> list[tuple[str, subprocess.Popen]]:
    """Start, by hand, what the jobs worker runs every night (its schedule is the only one: the recipe has no
    timers): retention, and the backup into ``ENGAGE_BACKUP_DIR``, each with the worker unit's command but
    for its last words (side by side, while the other checks go on: each loads the app)."""
    flask = unit_command("engage-worker.service")[:-2]  # .../flask --app engage
    return [
        (
            " ".join(words),
            subprocess.Popen(  # noqa: S603 - the recipe's own command
                [*flask, *words],
                env=stack.app_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            ),
        )
        for words in (["retention"], ["jobs", "backup"])
    ]


def schedule_commands(stack: Stack, started: list[tuple[str, subprocess.Popen]]) -> str:
    """They finished without error, the backup is a file of pg_dump's, and every worker holds the nightly
    schedule (huey lists its periodic tasks when it starts)."""
    for command, process in started:
        output, _ = process.communicate(timeout=120)
        expect(process.returncode == 0, f"{command} failed: {output[-800:]}")
    written = list((stack.work / "backups").glob("engage-*.backup"))
    expect(len(written) == 1 and written[0].read_bytes()[:5] == b"PGDMP", f"the backup wrote {written}")
    for name, worker in stack.workers.items():
        log = worker.log.read_text(errors="replace")
        expect(
            "scheduled_retention" in log and "scheduled_backup" in log,
            f"{name} does not list the nightly jobs: {worker.tail(10)}",
        )
    size = written[0].stat().st_size
    return (
        f"retention ran; backup wrote {written[0].name} ({size:,} bytes, pg_dump's format); "
        f"{len(stack.workers)} workers hold the nightly schedule"
    )
