"""Pairwise benchmarks: `make bench` runs this and writes docs/benchmarks.md.

Measures, on the machine it runs on:
- from 1,000,000 votes on 500 items to scores: the win matrix (from vote arrays, and from the stored pair
  counts), the Bradley-Terry fit against choix.ilsr_pairwise_dense on the same matrix, and end to end;
- 95% intervals for the same votes from 20,000 respondents (bootstrap over respondents);
- recording a vote and rendering the next pair through the Flask test client, with 1,000,000 votes stored
  in SQLite;
- peak memory (tracemalloc, which sees NumPy's allocations) of each.
"""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

N_ITEMS = 500
N_VOTES = 1_000_000
N_RESPONDENTS = 20_000
REQUESTS = 300
ROOT = Path(__file__).resolve().parent.parent


def synthetic_votes(rng: np.random.Generator):
    from engage.stats.pairwise import simulate_votes

    return simulate_votes(rng.normal(0, 1, N_ITEMS), N_VOTES, N_RESPONDENTS, rng)


def measure(fn: Callable[[], object], repeat: int = 5) -> tuple[float, float, object]:
    """Median seconds over ``repeat`` runs, peak MiB of one run, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20, result


def bench_statistics(rows: list[tuple[str, str, str, str]]) -> None:
    import choix

    from engage.stats.pairwise import (
        beat_random_scores,
        bootstrap_scores,
        fit_bradley_terry,
        sandwich_scores,
        win_matrix,
    )

    rng = np.random.default_rng(2026)
    winners, losers, respondents = synthetic_votes(rng)
    t, mem, wins = measure(lambda: win_matrix(winners, losers, N_ITEMS))
    rows.append(
        ("Win matrix from 1,000,000 votes (500 items)", f"{t * 1000:.1f} ms", f"{mem:.0f} MiB", "< 50 ms")
    )
    t_fit, mem, _ = measure(lambda: fit_bradley_terry(wins))
    t_ml, _, _ = measure(lambda: fit_bradley_terry(wins, alpha=0))
    t_choix, _, _ = measure(lambda: choix.ilsr_pairwise_dense(wins, alpha=0.0, tol=1e-8))
    rows.append(("Bradley-Terry fit, MAP (alpha 0.1)", f"{t_fit * 1000:.1f} ms", f"{mem:.0f} MiB", ""))
    rows.append(
        (
            "Bradley-Terry fit, ML, vs choix.ilsr_pairwise_dense",
            f"{t_ml * 1000:.1f} ms vs {t_choix * 1000:.1f} ms (ratio {t_ml / t_choix:.2f})",
            "",
            "ratio <= 1",
        )
    )
    t, mem, _ = measure(lambda: beat_random_scores(fit_bradley_terry(win_matrix(winners, losers, N_ITEMS))))
    rows.append(("Votes to scores, end to end (arrays)", f"{t * 1000:.0f} ms", f"{mem:.0f} MiB", "< 0.5 s"))
    t, mem, result = measure(lambda: sandwich_scores(winners, losers, respondents, N_ITEMS), repeat=3)
    width = float(np.mean(result.score_high - result.score_low))
    rows.append(
        (
            f"95% intervals, cluster-robust (sandwich), {N_RESPONDENTS:,} respondents "
            "(used above 100,000 votes)",
            f"{t:.2f} s (mean width {width:.2f} points)",
            f"{mem:.0f} MiB",
            "< 3 s",
        )
    )
    t, mem, result = measure(
        lambda: bootstrap_scores(winners, losers, respondents, N_ITEMS, n_resamples=50), repeat=1
    )
    width = float(np.mean(result.score_high - result.score_low))
    rows.append(
        (
            f"95% intervals, bootstrap over {N_RESPONDENTS:,} respondents, 50 resamples (for comparison)",
            f"{t:.2f} s, {t / 50 * 1000:.0f} ms a resample (mean width {width:.2f} points)",
            f"{mem:.0f} MiB",
            "",
        )
    )


def _bulk_load(app, winners, losers, respondents) -> int:
    from sqlalchemy import insert

    from engage.accounts.models import Organisation, OrganisationKind
    from engage.boards.models import Board, BoardKind, Priority
    from engage.channels import Channel
    from engage.extensions import db
    from engage.prioritise import service
    from engage.prioritise.models import ExerciseStatus, Outcome, PairwiseVote, Respondent
    from engage.prioritise.pairwise.counts import rebuild_counts

    with app.app_context():
        org = Organisation(name="Bench Council", kind=OrganisationKind.COUNCIL)
        board = Board(
            name="Bench", slug="bench", short_code="B", remit="", kind=BoardKind.PARTNERSHIP, members=[org]
        )
        db.session.add_all([org, board])
        db.session.add_all(Priority(board=board, code=f"P{i}", title=f"Priority {i}") for i in range(N_ITEMS))
        db.session.commit()
        exercise = service.save_exercise(
            None,
            board=board,
            organisation_id=org.id,
            user=None,
            title="Bench",
            question="Which?",
            introduction="",
            priorities=board.priorities,
            opens_at=None,
            closes_at=None,
            allow_suggestions=False,
            results_public=False,
            max_votes_per_respondent=100_000,
        )
        service.set_status(exercise, ExerciseStatus.OPEN)
        ids = np.array([item.id for item in exercise.items])
        db.session.execute(
            insert(Respondent),
            [
                {"exercise_id": exercise.id, "token_hash": secrets.token_hex(32), "channel": Channel.ONLINE}
                for _ in range(N_RESPONDENTS)
            ],
        )
        first_respondent = db.session.scalar(db.select(db.func.min(Respondent.id)))
        batch = 100_000
        for start in range(0, N_VOTES, batch):
            stop = min(start + batch, N_VOTES)
            db.session.execute(
                insert(PairwiseVote),
                [
                    {
                        "exercise_id": exercise.id,
                        "respondent_id": int(first_respondent + respondents[k]),
                        "left_item_id": int(ids[winners[k]]),
                        "right_item_id": int(ids[losers[k]]),
                        "outcome": Outcome.LEFT,
                        "channel": Channel.ONLINE,
                        "locale": "en",
                        "idempotency_key": f"bench-{k}",
                    }
                    for k in range(start, stop)
                ],
            )
            db.session.commit()
        rebuild_counts(exercise)
        return exercise.id


def bench_requests(rows: list[tuple[str, str, str, str]]) -> None:
    import re

    from engage import create_app
    from engage.extensions import db
    from engage.prioritise.models import Exercise
    from engage.prioritise.pairwise.results import counts_matrix
    from engage.stats.pairwise import beat_random_scores, fit_bradley_terry

    rng = np.random.default_rng(7)
    winners, losers, respondents = synthetic_votes(rng)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        started = time.perf_counter()
        exercise_id = _bulk_load(app, winners, losers, respondents)
        load_seconds = time.perf_counter() - started
        with app.app_context():
            exercise = db.session.get(Exercise, exercise_id)
            index = {item.id: k for k, item in enumerate(exercise.items)}
            t, mem, _ = measure(lambda: counts_matrix(exercise, index))
            rows.append(
                (
                    "Win matrix from the stored pair counts (SQLite, 1,000,000 votes)",
                    f"{t * 1000:.0f} ms",
                    f"{mem:.0f} MiB",
                    "",
                )
            )
            t, mem, _ = measure(
                lambda: beat_random_scores(fit_bradley_terry(counts_matrix(exercise, index))), repeat=3
            )
            rows.append(
                (
                    "Stored votes to scores, end to end (SQLite)",
                    f"{t * 1000:.0f} ms",
                    f"{mem:.0f} MiB",
                    "< 0.5 s",
                )
            )
        client = app.test_client()
        url = f"/exercises/{exercise_id}/vote"
        html = client.get(url).get_data(as_text=True)
        latencies = []

        def vote() -> float:
            nonlocal html
            fields = ("left", "right", "key")
            form = {name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1) for name in fields}
            start = time.perf_counter()
            response = client.post(url, data={**form, "choice": "left"}, headers={"HX-Request": "true"})
            elapsed = time.perf_counter() - start
            html = response.get_data(as_text=True)
            return elapsed

        for _ in range(REQUESTS):
            latencies.append(vote())
        # Memory separately: tracemalloc slows every allocation, so it stays out of the timed requests.
        tracemalloc.start()
        for _ in range(20):
            vote()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        latencies.sort()
        p50 = latencies[len(latencies) // 2] * 1000
        p95 = latencies[int(len(latencies) * 0.95)] * 1000
        rows.append(
            (
                "Record a vote and render the next pair "
                f"(test client, SQLite, 1,000,000 stored; {REQUESTS} requests)",
                f"median {p50:.1f} ms, p95 {p95:.1f} ms",
                f"{peak / 2**20:.1f} MiB",
                "p95 < 20 ms",
            )
        )
        rows.append(
            ("(set-up: bulk-loading 1,000,000 votes and rebuilding counts)", f"{load_seconds:.0f} s", "", "")
        )
