"""Weight sets: how long the preview (every source's bootstrap, the blend, the sensitivity view) and the API
take on the demo partnership."""

from __future__ import annotations

import tempfile
import time
import tracemalloc


def bench_weights(rows: list[tuple[str, str, str, str]]) -> None:
    from sqlalchemy import select

    from engage import create_app
    from engage.accounts.models import User
    from engage.api.tokens import issue_token
    from engage.boards.models import Board
    from engage.demo.cli import load_demo
    from engage.extensions import db
    from engage.weights import service
    from engage.weights.preview import compute_preview

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite"}
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            load_demo()
            board = db.session.scalar(select(Board).where(Board.short_code == "HWB"))
            analyst = db.session.scalar(select(User).where(User.email == "analyst@aldermoor.example"))
            keys = [c.key for c in service.candidate_sources(board) if c.responses > 0]
            draft = service.save_draft(board, analyst, {keys[0]: 60.0, keys[1]: 40.0}, ["online"], True)
            times = []
            for _ in range(3):
                started = time.perf_counter()
                compute_preview(draft)
                times.append(time.perf_counter() - started)
            tracemalloc.start()
            compute_preview(draft)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rows.append(
                (
                    "Preview a weight set: pairwise (250 residents, 200 bootstrap refits) + importance "
                    "grid (1,000 responses), population weighted, with the sensitivity view (SQLite, demo)",
                    f"{min(times) * 1000:.0f} ms",
                    f"{peak / 2**20:.0f} MiB",
                    "",
                )
            )
            token = issue_token(board.members[0], "bench", analyst)[1]
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        url = "/api/v1/boards/health-and-wellbeing/weights/latest"
        latencies = []
        for _ in range(200):
            started = time.perf_counter()
            client.get(url, headers=headers)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        rows.append(
            (
                "API: latest weights of a board (token check, call logged, ETag; test client, 200 requests)",
                f"median {latencies[100] * 1000:.1f} ms, p95 {latencies[190] * 1000:.1f} ms",
                "",
                "",
            )
        )
