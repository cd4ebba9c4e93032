"""One vote under the microscope: SQL statements per vote (an SQLAlchemy cursor event counts them) and a
pyinstrument profile of many votes, through the test client on a seeded database (the demo partnership).

`python -m benchmarks.vote_profile [sqlite|postgresql]` prints both; `make bench` puts the counts in its
table (benchmarks.floor).
"""

from __future__ import annotations

import logging
import sys
import tempfile
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


def vote_statements(url: str, residents: int = 20, votes_each: int = 5, profile: bool = False):
    """Statements per vote (htmx POST with the next pair rendered), averaged over every vote, and the
    profile's text when asked. The residents vote in turn, each with their own cookies."""
    from benchmarks.load import SERVER_ENV, _csrf, _seed
    from engage import create_app
    from engage.extensions import db

    logging.getLogger("alembic").setLevel(logging.WARNING)
    target = _seed(url)
    app = create_app(
        {
            "ENGAGE_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SERVER_ENV["ENGAGE_SECRET_KEY"],
            "ENGAGE_VOTE_LIMIT": "100000 per minute",
            "ENGAGE_VOTE_ADDRESS_LIMIT": "1000000 per minute",
            "ENGAGE_PAIR_STATE_SECONDS": 2.0,  # as deployed (tests read the counts every time)
        }
    )
    path = f"/exercises/{target.pairwise}/vote"
    clients = [app.test_client() for _ in range(residents)]
    pages = [client.get(path).get_data(as_text=True) for client in clients]
    tokens = [_csrf(page) for page in pages]
    total: Counter[str] = Counter()
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    with app.app_context():
        engine = db.engine
    made = 0
    with counting(engine) as counts:
        if profiler:
            profiler.start()
        try:
            for _ in range(votes_each):
                for n, client in enumerate(clients):
                    counts.last.clear()  # type: ignore[attr-defined]
                    form = _fields(pages[n]) | {"choice": "left", "csrf_token": tokens[n]}
                    response = client.post(path, data=form, headers={"HX-Request": "true"})
                    assert response.status_code == 200, response.status_code
                    pages[n] = response.get_data(as_text=True)
                    made += 1
        finally:
            if profiler:
                profiler.stop()
        total.update(counts)
    with app.app_context():
        db.engine.dispose()
    per_vote = {kind: n / made for kind, n in sorted(total.items())}
    text = profiler.output_text(unicode=False, color=False, show_all=False) if profiler else ""
    text += "\nThe last vote's statements:\n" + "\n".join(counts.last)  # type: ignore[attr-defined]
    return per_vote, text


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    if kind == "postgresql":
        from benchmarks.load import PG_URL, _reset_postgres

        _reset_postgres()
        per_vote, text = vote_statements(PG_URL, profile=True)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            per_vote, text = vote_statements(f"sqlite:///{tmp}/profile.sqlite", profile=True)
    print(text)
    print("statements per vote:", f"{sum(per_vote.values()):.1f}", per_vote)


if __name__ == "__main__":
    main()
