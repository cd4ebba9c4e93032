"""One budget submission and one consultation response under the microscope: SQL statements per submission
(counted by the cursor event benchmarks.vote_profile uses), the app's processor time per submission (its
thread's, around each WSGI call: the test client's left out) and a pyinstrument profile, through the test
client on a seeded database (the demo partnership and the load run's 10-question consultation). Only the
"send" from check your answers is measured: every resident has already shared out the budget or answered
every page and opened check your answers, as `make bench`'s floor run prepares them.

`python -m benchmarks.submission_profile [sqlite|postgresql] [budget|consultation] [--cpu]` prints both kinds
(or the one named) with their profiles; with ``--cpu``, no profiler runs (it costs time of its own), so the
processor time per send is the figure to compare between runs.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections import Counter

RESIDENTS = int(os.environ.get("ENGAGE_PROFILE_RESIDENTS", "60"))


def _app(url: str):
    from benchmarks.load import SERVER_ENV
    from engage import create_app

    return create_app(
        {
            "ENGAGE_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SERVER_ENV["ENGAGE_SECRET_KEY"],
            # The rate limits are part of the path (in memory here, Redis when deployed at scale).
            "RATELIMIT_ENABLED": True,
            "ENGAGE_DRAFT_ADDRESS_LIMIT": "1000000 per hour",
        }
    )


def _ready_budget(client, exercise_id: int) -> dict[str, str]:
    """Share out the budget as the page starts it and open check your answers; the form "send" posts."""
    from benchmarks.load import _csrf, _field, _inputs

    page = client.get(f"/exercises/{exercise_id}/allocate").get_data(as_text=True)
    form = {"csrf_token": _csrf(page)}
    for attrs in _inputs(page):
        if attrs.get("name", "").startswith("item-"):
            form[attrs["name"]] = attrs.get("value", "0")
    assert client.post(f"/exercises/{exercise_id}/allocate", data=form).status_code == 302
    check = client.get(f"/exercises/{exercise_id}/check").get_data(as_text=True)
    return {"csrf_token": _csrf(check), "key": _field(check, "key")}


def _ready_consultation(client, consultation_id: int, sections: int) -> dict[str, str]:
    """Answer every page and open check your answers; the form "send" posts."""
    from benchmarks.load import _csrf, _field, section_answers

    for number in range(1, sections + 1):
        path = f"/consultations/{consultation_id}/sections/{number}"
        page = client.get(path).get_data(as_text=True)
        assert client.post(path, data=section_answers(page)).status_code == 302
    check = client.get(f"/consultations/{consultation_id}/check").get_data(as_text=True)
    return {"csrf_token": _csrf(check), "key": _field(check, "key")}


def submission_statements(
    url: str, kinds: tuple[str, ...] = ("budget", "consultation"), profile: bool = False
) -> dict[str, tuple[dict[str, float], float, str]]:
    """{kind: (statements per submission by first word, processor ms per submission, profile text)}."""
    from benchmarks.load import _seed
    from benchmarks.vote_profile import app_time, counting
    from engage.extensions import db

    logging.getLogger("alembic").setLevel(logging.WARNING)
    target = _seed(url)
    app = _app(url)
    with app.app_context():
        engine = db.engine
    found = {}
    for kind in kinds:
        clients = [app.test_client() for _ in range(RESIDENTS)]
        if kind == "budget":
            path = f"/exercises/{target.budget}/check"
            forms = [_ready_budget(client, target.budget) for client in clients]
        else:
            path = f"/consultations/{target.consultation}/check"
            forms = [_ready_consultation(client, target.consultation, target.sections) for client in clients]
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
        with app_time(app) as spent, counting(engine) as counts:
            if profiler:
                profiler.start()
            for client, form in zip(clients, forms, strict=True):
                counts.last.clear()  # type: ignore[attr-defined]
                response = client.post(path, data=form)
                assert response.status_code == 302, (response.status_code, response.get_data(as_text=True))
            if profiler:
                profiler.stop()
            cpu = spent[0]
        total: Counter[str] = Counter(counts)
        per = {word: n / len(clients) for word, n in sorted(total.items())}
        text = profiler.output_text(unicode=False, color=False, show_all=False) if profiler else ""
        text += f"\nThe last {kind} submission's statements:\n" + "\n".join(counts.last)  # type: ignore[attr-defined]
        found[kind] = (per, 1000 * cpu / len(clients), text)
    with app.app_context():
        db.engine.dispose()
    return found


def main() -> None:
    words = [word for word in sys.argv[1:] if word != "--cpu"]
    profile = "--cpu" not in sys.argv
    database = words[0] if words else "sqlite"
    kinds = tuple(words[1:]) or ("budget", "consultation")
    if database == "postgresql":
        from benchmarks.load import PG_URL, REDIS_URL
        from benchmarks.postgres import reset_postgres

        reset_postgres(PG_URL, REDIS_URL)
        found = submission_statements(PG_URL, kinds, profile=profile)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            found = submission_statements(f"sqlite:///{tmp}/profile.sqlite", kinds, profile=profile)
    for kind, (per, cpu, text) in found.items():
        print(text)
        print(f"{kind}: statements per submission {sum(per.values()):.1f} {per}; {cpu:.1f} ms processor each")


if __name__ == "__main__":
    main()
