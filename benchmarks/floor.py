"""`make bench`: how close the resident's answers come to the floor, measured with `wrk` (a C load generator).

The floor is benchmarks/bare_app.py: Flask and SQLAlchemy doing one INSERT and a commit per request on the
same database, served by the same gunicorn settings. Against it, in the same run and with the same `wrk`
settings: a pairwise vote (htmx POST, next pair rendered), a budget sent from "check your answers" and a
consultation response sent from "check your answers". Every Engage request is a real form with its CSRF
token and its resident's cookies; residents are prepared beforehand over HTTP (their pages, tokens and, for
votes, pairs signed for them as the vote page signs them) and handed to wrk's Lua script in a file. Every
rule stays on: scoped keys, offered pairs, caps, idempotency, rate limits (the per-respondent limit is
raised so one resident can vote flat out, as `make load` does; it is still counted).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

import httpx

from benchmarks.floor_tables import CPU, FLOOR_LABEL, LABELS, cpu_seconds, cpu_table, earlier_rows
from benchmarks.load import (
    SERVER_ENV,
    Server,
    _csrf,
    _database,
    _field,
    _inputs,
    _seed,
    _tls,
    section_answers,
)
from benchmarks.sections import write_section

HERE = Path(__file__).resolve().parent
WORKERS, THREADS, CONNECTIONS, SECONDS = 2, 4, 16, 8
#: Runs of each request, each after its own run of the floor (floor_rows).
ROUNDS = int(os.environ.get("ENGAGE_BENCH_ROUNDS", "3"))
#: Pairs signed for every round's votes without repeating a key (36,000: three rounds of 8 s at 1,500 votes a
#: second), each resident below the load run's cap of 100 choices.
VOTERS, VOTES_EACH = 400, 30 * ROUNDS
#: Residents prepared for each kind of send, and how long a send run lasts: every send is a new one while
#: they last (three rounds of 3 s at up to 500 sends a second; preparing them takes about a minute a kind).
SUBMITTERS = int(os.environ.get("ENGAGE_BENCH_SUBMITTERS", "4500"))
SEND_SECONDS = 3
GOALS = {"vote": 0.5, "budget": 0.3, "consultation": 0.3}


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed when missing and we are root (as `make browser-deps` does)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
        return shutil.which("wrk") or "wrk"
    raise SystemExit("wrk is missing: install it with `sudo apt-get install wrk`")


def _cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def _voters(base: str, exercise_id: int) -> list[str]:
    """Lines for wrk: residents who have opened the vote page, each with VOTES_EACH pairs signed for them
    (as the page signs the pair it shows), interleaved so one resident's posts are spread out."""
    from itsdangerous import URLSafeSerializer

    from engage import create_app
    from engage.prioritise.pairwise import voting
    from engage.respondents import COOKIE_NAME

    app = create_app({"ENGAGE_ENV": "testing", "SECRET_KEY": SERVER_ENV["ENGAGE_SECRET_KEY"]})
    residents = []
    for _ in range(VOTERS):
        with httpx.Client(base_url=base, verify=_tls()) as client:
            page = client.get(f"/exercises/{exercise_id}/vote").text
            items = sorted({int(_field(page, "left")), int(_field(page, "right"))})
            residents.append((_cookie_header(client), _csrf(page), client.cookies[COOKIE_NAME], items))
    lines: list[list[str]] = [[] for _ in range(VOTES_EACH)]
    with app.app_context():
        tokens = URLSafeSerializer(app.config["SECRET_KEY"], salt="engage-respondent")
        item_ids = _item_ids(exercise_id)
        exercise = type("Offered", (), {"id": exercise_id})()
        for n, (cookie, csrf, raw, _) in enumerate(residents):
            token = tokens.loads(raw)
            for k in range(VOTES_EACH):
                left = item_ids[(n + k) % len(item_ids)]
                right = item_ids[(n + 2 * k + 1) % len(item_ids)]
                if left == right:
                    right = item_ids[(n + 2 * k + 2) % len(item_ids)]
                form = {
                    "csrf_token": csrf,
                    "left": left,
                    "right": right,
                    "key": voting.offer_pair(exercise, token, left, right),  # type: ignore[arg-type]
                    "choice": "left" if k % 3 else "right",
                }
                lines[k].append(f"{cookie}\t{urlencode(form)}")
    return [line for batch in lines for line in batch]


def _item_ids(exercise_id: int) -> list[int]:
    from sqlalchemy import create_engine, select

    from engage.prioritise.models import ExerciseItem

    engine = create_engine(os.environ["ENGAGE_DATABASE_URL"])
    with engine.connect() as connection:
        ids = list(
            connection.execute(
                select(ExerciseItem.id).where(
                    ExerciseItem.exercise_id == exercise_id, ExerciseItem.active.is_(True)
                )
            ).scalars()
        )
    engine.dispose()
    return sorted(ids)


def _prepared(prepare) -> list[str]:
    """SUBMITTERS lines made by ``prepare()`` (one resident each), eight at a time (the server's threads)."""
    with ThreadPoolExecutor(max_workers=WORKERS * THREADS) as pool:
        return list(pool.map(lambda _: prepare(), range(SUBMITTERS)))


def _budget_submitters(base: str, exercise_id: int) -> list[str]:
    """Lines for wrk: residents who have shared out the budget and opened "check your answers"."""

    def prepare() -> str:
        with httpx.Client(base_url=base, verify=_tls()) as client:
            page = client.get(f"/exercises/{exercise_id}/allocate").text
            form = {"csrf_token": _csrf(page)}
            for attrs in _inputs(page):
                if attrs.get("name", "").startswith("item-"):
                    form[attrs["name"]] = attrs.get("value", "0")
            client.post(f"/exercises/{exercise_id}/allocate", data=form)
            check = client.get(f"/exercises/{exercise_id}/check").text
            body = urlencode({"csrf_token": _csrf(check), "key": _field(check, "key")})
            return f"{_cookie_header(client)}\t{body}"

    return _prepared(prepare)


def _consultation_senders(base: str, consultation_id: int, sections: int) -> list[str]:
    """Lines for wrk: residents who have answered every page and opened "check your answers"."""

    def prepare() -> str:
        with httpx.Client(base_url=base, verify=_tls()) as client:
            for number in range(1, sections + 1):
                path = f"/consultations/{consultation_id}/sections/{number}"
                page = client.get(path).text
                form = section_answers(page)
                client.post(path, data=form)
            check = client.get(f"/consultations/{consultation_id}/check").text
            body = urlencode({"csrf_token": _csrf(check), "key": _field(check, "key")})
            return f"{_cookie_header(client)}\t{body}"

    return _prepared(prepare)


class Run(NamedTuple):
    """One wrk run."""

    rate: float  # requests per second
    sent: int
    failed: int  # answers other than 2xx/3xx, and socket errors
    next_line: int  # the first line no connection sent: where the next run starts
    #: Processor milliseconds per request spent by the server (gunicorn's master and workers), the database
    #: server (PostgreSQL's processes; SQLite runs inside the server) and Redis, during the run.
    cpu_ms: dict[str, float] = {}


def run_wrk(
    base: str,
    path: str,
    lines: list[str],
    htmx: bool = False,
    start: int = 0,
    seconds: int = SECONDS,
    server_pid: int | None = None,
) -> Run:
    """One wrk run of ``seconds`` sending the lines from ``start`` on (wrapping round to the top when they
    run out); with ``server_pid``, the processor time each request cost (``Run.cpu_ms``)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    threads = 2
    before = cpu_seconds(server_pid)
    try:
        out = subprocess.run(  # noqa: S603
            [
                ensure_wrk(),
                f"-t{threads}",
                f"-c{CONNECTIONS}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(HERE / "floor.lua"),
                base + path,
                "--",
                path,
                handle.name,
                str(threads),
                "htmx" if htmx else "plain",
                str(start % len(lines)),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(handle.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    failed += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    next_line = int(re.search(r"next line: (\d+)", out).group(1))  # type: ignore[union-attr]
    after = cpu_seconds(server_pid)
    cpu_ms = {kind: (after[kind] - before.get(kind, 0.0)) * 1000 / max(total, 1) for kind in after}
    return Run(rate, total, failed, next_line, cpu_ms)


def floor_rows(kind: str, kinds: tuple[str, ...] = tuple(GOALS)) -> list[tuple[str, ...]]:
    """One database: the floor, then vote, budget and consultation (or those of them in ``kinds``), each a row
    with its ratio.

    Each request is measured ROUNDS times, each time right after a run of the floor, and each ratio is taken
    against the floor run just before it: on this machine the floor alone moved between about 580 and 1,320
    requests per second from one run to the next, so a single floor for every row made the ratios swing
    more than any change did. A row gives the median of its rates and of its ratios, with the ratios' range.
    """
    with _database(kind) as (url, extra):
        target = _seed(url)
        os.environ["ENGAGE_DATABASE_URL"] = url
        env = {**extra, "ENGAGE_VOTE_LIMIT": "100000 per minute"}
        bare = Server(url, WORKERS, app="benchmarks.bare_app:app", threads=THREADS)
        engage = Server(url, WORKERS, extra_env=env, threads=THREADS)
        bare.start()
        engage.start()
        inserts = [f"\tkey=bench-{n}" for n in range(1000)]
        floors: list[Run] = []
        rows: list[tuple[str, ...]] = []
        try:
            prepare = {
                "vote": lambda: (
                    f"/exercises/{target.pairwise}/vote",
                    _voters(engage.base, target.pairwise),
                    True,
                ),
                "budget": lambda: (
                    f"/exercises/{target.budget}/check",
                    _budget_submitters(engage.base, target.budget),
                ),
                "consultation": lambda: (
                    f"/consultations/{target.consultation}/check",
                    _consultation_senders(engage.base, target.consultation, target.sections),
                ),
            }
            for name in (name for name in GOALS if name in kinds):
                path, lines, *htmx = prepare[name]()
                rates, ratios, total, failed, start = [], [], 0, 0, 0
                for _ in range(ROUNDS):
                    # Sends run for less time than votes (each needs a resident prepared beforehand); the
                    # floor before each runs as long, so that both are measured alike.
                    seconds = SECONDS if name == "vote" else SEND_SECONDS
                    floors.append(
                        run_wrk(bare.base, "/insert", inserts, seconds=seconds, server_pid=bare.pid)
                    )
                    # Each round from where the last stopped: a round sends new votes and answers, not
                    # the last round's again (which would only be found stored).
                    run = run_wrk(
                        engage.base,
                        path,
                        lines,
                        bool(htmx),
                        start=start,
                        seconds=seconds,
                        server_pid=engage.pid,
                    )
                    CPU.setdefault((kind, LABELS[name]), []).append(run.cpu_ms)
                    rates.append(run.rate)
                    ratios.append(run.rate / floors[-1].rate)
                    total, failed, start = total + run.sent, failed + run.failed, run.next_line
                new = min(start, len(lines))  # sent for the first time: the rest were resent
                note = f"{failed}/{total}" + (f" ({new} new, the rest resent)" if start > len(lines) else "")
                rows.append(
                    (
                        kind,
                        LABELS[name],
                        f"{statistics.median(rates):.0f}",
                        f"{statistics.median(ratios):.0%} ({min(ratios):.0%}-{max(ratios):.0%})",
                        f">= {GOALS[name]:.0%}",
                        note,
                    )
                )
        finally:
            engage.stop()
            bare.stop()
        CPU[(kind, FLOOR_LABEL)] = [run.cpu_ms for run in floors]
        floor = statistics.median(run.rate for run in floors)
        spread = f"{min(run.rate for run in floors):.0f}-{max(run.rate for run in floors):.0f}"
        total, failed = sum(run.sent for run in floors), sum(run.failed for run in floors)
        return [
            (
                kind,
                f"bare INSERT + commit (the floor; {spread})",
                f"{floor:.0f}",
                "100%",
                "",
                f"{failed}/{total}",
            )
        ] + rows


#: One vote in process, per database (benchmarks.vote_profile): statements and the app's processor time.
VOTE_PROFILE: list[tuple[str, str, str]] = []


def _vote_profile(kind: str) -> tuple[str, str, str]:
    from benchmarks.vote_profile import vote_statements

    with _database(kind) as (url, extra):
        per_vote, cpu_ms, _ = vote_statements(url, extra_env=extra)
    statements = ", ".join(f"{word} {n:.1f}" for word, n in per_vote.items())
    return kind, f"{sum(per_vote.values()):.1f} ({statements})", f"{cpu_ms:.1f}"


def bench_floor(rows: list[tuple[str, ...]], kinds: tuple[str, ...] = tuple(GOALS)) -> None:
    for kind in os.environ.get("ENGAGE_BENCH_DATABASES", "SQLite,PostgreSQL").split(","):
        started = time.perf_counter()
        rows += floor_rows(kind, kinds)
        if "vote" in kinds:
            VOTE_PROFILE.append(_vote_profile(kind))
        print(f"{kind}: floor runs took {time.perf_counter() - started:.0f} s", flush=True)


def floor_table(
    rows: list[tuple[str, ...]], note: str = "", kept_cpu: Sequence[tuple[str, ...]] = ()
) -> list[str]:
    """The "floor" section of docs/benchmarks.md."""
    return [
        "## The floor: answers against a bare INSERT (`make bench`, wrk)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, on the shared 2-core machine.",
        f"`wrk`, {CONNECTIONS} connections for {SECONDS} s a run ({SEND_SECONDS} s for sends and the floor",
        "run before each); gunicorn (gunicorn.conf.py) with",
        f"{WORKERS} workers x {THREADS} threads; PostgreSQL runs use Redis for the rate limits. Each",
        f"request is run {ROUNDS} times, each right after a run of the floor, its ratio taken against that",
        "floor: the median of the rates and of the ratios, with the ratios' range in brackets (the floor",
        "row: the median of every floor run, their range in brackets). Each run starts where the last",
        "stopped, so every vote is new; when the prepared residents run out they are sent again from the",
        'top ("N new, the rest resent"): a resent key is answered but stores nothing. "failed" counts',
        "answers other than 2xx/3xx and socket errors.",
        "",
        "| database | request | requests/s | of the floor | goal | failed/sent |",
        "|---|---|---|---|---|---|",
        *["| " + " | ".join(row) + " |" for row in rows],
        "",
        *([note, ""] if note else []),
        *cpu_table(kept_cpu),
        *_profile_table(),
    ]


def _profile_table() -> list[str]:
    if not VOTE_PROFILE:
        return []
    return [
        "One vote in process (`python -m benchmarks.vote_profile`: the served settings, test client, 20",
        "residents x 5 votes): SQL statements per vote (not counted: COMMIT, and SQLite's BEGIN IMMEDIATE,",
        "which the connection sends itself after taking the writer lock) and the app's processor time per",
        "vote (the test client's own left out).",
        "",
        "| database | statements per vote | processor ms per vote |",
        "|---|---|---|",
        *["| " + " | ".join(row) + " |" for row in VOTE_PROFILE],
        "",
    ]


if __name__ == "__main__":
    # `python -m benchmarks.floor [vote] [budget] [consultation]`: the floor and the rows named (all when none
    # is), written to docs/benchmarks.md with the other rows kept from the section as it was.
    asked = tuple(sys.argv[1:]) or tuple(GOALS)
    if unknown := set(asked) - set(GOALS):
        raise SystemExit(f"unknown rows {sorted(unknown)}: choose from {list(GOALS)}")
    found: list[tuple[str, ...]] = []
    bench_floor(found, asked)
    lines = floor_table(found)
    if missing := set(GOALS) - set(asked):
        # The rows not measured now are kept from the section as it was, and said to be.
        when, kept, kept_cpu = earlier_rows(missing)
        # A row already kept from an earlier run keeps the date it was measured on.
        kept, kept_cpu = (
            [(*row[:5], row[5] if "(from " in row[5] else f"{row[5]} (from {when})") for row in table]
            for table in (kept, kept_cpu)
        )
        databases = [row[0] for row in found]
        every = sorted(found + kept, key=lambda row: databases.index(row[0]) if row[0] in databases else 99)
        note = "Rows marked 'from' a date were measured then, not in this run."
        lines = floor_table(every, note, kept_cpu)
    write_section(HERE.parent / "docs" / "benchmarks.md", "floor", lines)
    print("\n".join(lines))
