"""One vote under the microscope: SQL statements per vote (an SQLAlchemy cursor event counts them), the
processor time per vote, and a pyinstrument profile of many votes, through the test client on a seeded
database (the demo partnership), with the settings `make bench` serves (production, rate limits on, Redis
for them on PostgreSQL).

`python -m benchmarks.vote_profile [sqlite|postgresql]` prints all three.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager


def _fields(html: str) -> dict[str, str]:
    from benchmarks.load import _field

    return {name: _field(html, name) for name in ("left", "right", "key")}


@contextmanager
def counting(engine):
    """Count the statements sent on ``engine`` inside the block, by their first word (SELECT, INSERT...)."""
    from sqlalchemy import event

    counts: Counter[str] = Counter()

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        counts[statement.split(None, 1)[0].upper()] += 1
        counts.last.append(" ".join(statement.split())[:110])  # type: ignore[attr-defined]

    counts.last = []  # type: ignore[attr-defined]

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", note)


@contextmanager
def app_time(app):
    """The app's own processor time inside the block, in seconds (``spent[0]``): its thread's time around
    each WSGI call, the test client's left out."""
    spent = [0.0]
    serve = app.wsgi_app

    def timed(environ, start_response):
        started = time.thread_time()
        try:
            return list(serve(environ, start_response))
        finally:
            spent[0] += time.thread_time() - started

    app.wsgi_app = timed
    try:
        yield spent
    finally:
        app.wsgi_app = serve


def _served_app(url: str, extra_env: dict[str, str]):
    """The app as gunicorn serves it in `make bench` (production settings from the environment)."""
    from benchmarks.load import SERVER_ENV
    from engage import create_app

    env = {**SERVER_ENV, "ENGAGE_DATABASE_URL": url, "ENGAGE_VOTE_LIMIT": "100000 per minute", **extra_env}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        return create_app()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def vote_statements(
    url: str,
    residents: int = 20,
    votes_each: int = 5,
    profile: bool = False,
    extra_env: dict[str, str] | None = None,
):
    """Statements per vote (htmx POST with the next pair rendered), averaged over every vote, processor
    milliseconds per vote (a pass without the profiler), and the profile's text when asked. The residents
    vote in turn, each with their own cookies."""
    from benchmarks.load import SERVER_ENV, _csrf, _seed
    from engage.extensions import db

    logging.getLogger("alembic").setLevel(logging.WARNING)
    target = _seed(url)
    app = _served_app(url, extra_env or {})
    logging.getLogger().setLevel(logging.WARNING)  # as gunicorn's --log-level warning in make bench
    path = f"/exercises/{target.pairwise}/vote"
    clients = [app.test_client() for _ in range(residents)]
    base = SERVER_ENV["ENGAGE_BASE_URL"]  # plain HTTP, as gunicorn is reached in make bench
    pages = [client.get(path, base_url=base).get_data(as_text=True) for client in clients]
    tokens = [_csrf(page) for page in pages]
    with app.app_context():
        engine = db.engine

    def votes(counts) -> int:
        made = 0
        for _ in range(votes_each):
            for n, client in enumerate(clients):
                counts.last.clear()
                form = _fields(pages[n]) | {"choice": "left", "csrf_token": tokens[n]}
                response = client.post(path, base_url=base, data=form, headers={"HX-Request": "true"})
                assert response.status_code == 200, (
                    response.status_code,
                    response.get_data(as_text=True)[:3000],
                )
                pages[n] = response.get_data(as_text=True)
                made += 1
        return made

    with app_time(app) as spent, counting(engine) as counts:
        made = votes(counts)
        cpu_ms = spent[0] * 1000 / made
        total: Counter[str] = Counter(counts)
    text = ""
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with counting(engine) as counts, profiler:
            votes(counts)
        text = profiler.output_text(unicode=False, color=False, show_all=False)
    with app.app_context():
        db.engine.dispose()
    per_vote = {kind: n / made for kind, n in sorted(total.items())}
    text += "\nThe last vote's statements:\n" + "\n".join(counts.last)  # type: ignore[attr-defined]
    return per_vote, cpu_ms, text


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    if kind == "postgresql":
        from benchmarks.load import PG_URL, REDIS_URL
        from benchmarks.postgres import reset_postgres

        reset_postgres(PG_URL, REDIS_URL)
        per_vote, cpu_ms, text = vote_statements(
            PG_URL, profile=True, extra_env={"ENGAGE_REDIS_URL": REDIS_URL}
        )
    else:
        with tempfile.TemporaryDirectory() as tmp:
            per_vote, cpu_ms, text = vote_statements(f"sqlite:///{tmp}/profile.sqlite", profile=True)
    print(text)
    print("statements per vote:", f"{sum(per_vote.values()):.1f}", per_vote)
    print(f"processor time per vote: {cpu_ms:.2f} ms (the app, not the test client)")


if __name__ == "__main__":
    main()
