"""A resident's whole journey in `make load`, request by request: SQL statements and the app's processor time
per kind of request, through the test client with the settings `make bench` serves (production, rate limits
on, Redis for them on PostgreSQL).

Each resident opens the pairwise exercise and makes 20 choices (htmx), shares out the budget (the page, the
post, check your answers, send), and answers the 10-question consultation (two pages, each shown and posted,
check your answers, send, the confirmation): what `benchmarks.load` asks of the server, in the same order.
`make load`'s latency comes from the processor time these requests take together (the load generator shares
the same 2 cores), so this says where it goes.

`python -m benchmarks.journey_profile [sqlite|postgresql] [residents]` prints a table; with ``--profile`` a
pyinstrument profile of the whole journey too.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from collections import Counter, defaultdict

VOTES = 20


def journeys(url: str, residents: int, extra_env: dict[str, str], profile: bool = False):
    """{request kind: (requests, statements each, processor ms each)}, and the profile's text."""
    from benchmarks.load import SERVER_ENV, _csrf, _field, _inputs, _seed, section_answers
    from benchmarks.vote_profile import _served_app, counting
    from engage.extensions import db

    logging.getLogger("alembic").setLevel(logging.WARNING)
    target = _seed(url)
    app = _served_app(url, extra_env)
    logging.getLogger().setLevel(logging.WARNING)
    base = SERVER_ENV["ENGAGE_BASE_URL"]
    with app.app_context():
        engine = db.engine
    spent: dict[str, float] = defaultdict(float)
    asked: Counter[str] = Counter()
    statements: Counter[str] = Counter()
    serve = app.wsgi_app
    current = [""]

    def timed(environ, start_response):
        started = time.thread_time()
        try:
            return list(serve(environ, start_response))
        finally:
            spent[current[0]] += time.thread_time() - started

    app.wsgi_app = timed  # type: ignore[method-assign]

    def call(client, counts, name: str, method: str, path: str, expect: int, **kwargs) -> str:
        current[0] = name
        before = sum(counts.values())
        response = client.open(path, method=method, base_url=base, **kwargs)
        statements[name] += sum(counts.values()) - before
        asked[name] += 1
        assert response.status_code == expect, (
            name,
            response.status_code,
            response.get_data(as_text=True)[:500],
        )
        return response.get_data(as_text=True) if expect == 200 else response.headers.get("Location", "")

    def one(counts) -> None:
        client = app.test_client()
        vote = f"/exercises/{target.pairwise}/vote"
        page = call(client, counts, "pair page (GET)", "GET", vote, 200)
        token = _csrf(page)
        for _ in range(VOTES):
            form = {name: _field(page, name) for name in ("left", "right", "key")}
            form |= {"csrf_token": token, "choice": "left"}
            page = call(
                client,
                counts,
                "vote (htmx POST)",
                "POST",
                vote,
                200,
                data=form,
                headers={"HX-Request": "true"},
            )
        allocate = f"/exercises/{target.budget}/allocate"
        page = call(client, counts, "budget page (GET)", "GET", allocate, 200)
        form = {"csrf_token": _csrf(page)}
        for attrs in _inputs(page):
            if attrs.get("name", "").startswith("item-"):
                form[attrs["name"]] = attrs.get("value", "0")
        call(client, counts, "budget page (POST)", "POST", allocate, 302, data=form)
        check = f"/exercises/{target.budget}/check"
        page = call(client, counts, "budget check (GET)", "GET", check, 200)
        form = {"csrf_token": _csrf(page), "key": _field(page, "key")}
        call(client, counts, "budget send (POST)", "POST", check, 302, data=form)
        for number in range(1, target.sections + 1):
            path = f"/consultations/{target.consultation}/sections/{number}"
            page = call(client, counts, "consultation page (GET)", "GET", path, 200)
            call(client, counts, "consultation page (POST)", "POST", path, 302, data=section_answers(page))
        check = f"/consultations/{target.consultation}/check"
        page = call(client, counts, "consultation check (GET)", "GET", check, 200)
        form = {"csrf_token": _csrf(page), "key": _field(page, "key")}
        done = call(client, counts, "consultation send (POST)", "POST", check, 302, data=form)
        call(client, counts, "confirmation (GET)", "GET", done, 200)

    with counting(engine) as counts:
        for _ in range(residents):
            one(counts)
    table = {
        name: (asked[name], statements[name] / asked[name], 1000 * spent[name] / asked[name])
        for name in asked
    }
    text = ""
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with counting(engine) as counts, profiler:
            for _ in range(residents):
                one(counts)
        text = profiler.output_text(unicode=False, color=False, show_all=False)
    app.wsgi_app = serve  # type: ignore[method-assign]
    with app.app_context():
        db.engine.dispose()
    return table, text


def main() -> None:
    words = [word for word in sys.argv[1:] if not word.startswith("--")]
    kind = words[0] if words else "sqlite"
    residents = int(words[1]) if len(words) > 1 else 20
    profile = "--profile" in sys.argv
    if kind == "postgresql":
        from benchmarks.load import PG_URL, REDIS_URL
        from benchmarks.postgres import reset_postgres

        reset_postgres(PG_URL, REDIS_URL)
        table, text = journeys(PG_URL, residents, {"ENGAGE_REDIS_URL": REDIS_URL}, profile)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            table, text = journeys(f"sqlite:///{tmp}/journey.sqlite", residents, {}, profile)
    print(text)
    total_requests = sum(n for n, _, _ in table.values())
    total_ms = sum(n * ms for n, _, ms in table.values())
    print("| request | per resident | statements each | processor ms each | share of the journey's time |")
    print("|---|---|---|---|---|")
    for name, (n, per, ms) in table.items():
        print(f"| {name} | {n / residents:g} | {per:.1f} | {ms:.1f} | {n * ms / total_ms:.0%} |")
    print(f"| all | {total_requests / residents:g} | | {total_ms / total_requests:.1f} (mean) | 100% |")


if __name__ == "__main__":
    main()
