"""The slowest request on the benchmark data (issue 19: no request of any kind over 2 s).

One database holds the demo, a budget exercise of 100,000 allocations x 20 items and a 20-question
consultation of 50,000 responses (benchmarks/consultation.py's). A board officer and a resident then ask for
every page and download of the two that reads all their answers, through the test client, with a real queue
(an SQLite file) and no worker: first with nothing kept (cold), then after the refresh job has run as a
worker would (warm). A streamed download is timed to its first bytes (what a proxy's timeout waits for).

Run alone with ``python -m benchmarks.slowest``: it writes the "slowest" section of docs/benchmarks.md and
keeps the figure of the run before it (with its commit) as "before". ``ENGAGE_BENCH_DATA`` names a folder
where the bulk-loaded database is kept between runs (it takes a minute or more to build).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.allocation import ITEMS, STORED, _bulk_submissions
from benchmarks.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
OFFICER = "officer@aldermoor.example"
#: What "the benchmark data" is; the kept database is rebuilt when this changes.
DATA_VERSION = "1"
LIMIT_SECONDS = 2.0
#: A request still running after this many seconds is stopped (and counted as taking that long).
CUT_OFF = float(os.environ.get("ENGAGE_BENCH_CUT_OFF", "120"))


@dataclass(frozen=True)
class Timed:
    what: str
    url: str
    status: int
    wall: float
    cpu: float


def _settings(path: Path, folder: Path) -> dict:
    return {
        "ENGAGE_ENV": "testing",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "ENGAGE_JOB_FILES_DIR": str(folder / "jobs"),
    }


def _budget_exercise(officer) -> int:
    """A budget exercise of 20 items on a board of the officer's organisation, open, results public."""
    from engage.boards.models import Board, BoardKind, Priority
    from engage.extensions import db
    from engage.prioritise import service
    from engage.prioritise.models import BudgetMode, BudgetUnit, ExerciseKind, ExerciseStatus

    board = Board(
        name="Bench budget", slug="bench-budget", short_code="BB", remit="", kind=BoardKind.PARTNERSHIP
    )
    board.members = [officer.organisation]
    db.session.add(board)
    db.session.add_all(Priority(board=board, code=f"BB{i}", title=f"Priority {i}") for i in range(ITEMS))
    db.session.flush()
    exercise = service.save_exercise(
        None,
        board=board,
        organisation_id=officer.organisation_id,
        user=None,
        title="Bench budget",
        question="How would you share 100 points?",
        introduction="",
        priorities=board.priorities,
        opens_at=None,
        closes_at=None,
        allow_suggestions=False,
        results_public=True,
        kind=ExerciseKind.BUDGET,
        budget_mode=BudgetMode.SHARE,
        unit=BudgetUnit.POINTS,
        budget_total=100,
        require_full=True,
    )
    service.set_status(exercise, ExerciseStatus.OPEN)
    db.session.commit()
    return exercise.id


def _build(path: Path, folder: Path) -> tuple[dict[str, str], int, int]:
    """The benchmark data in a new SQLite file: demo passwords, the budget exercise's and the
    consultation's ids."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from benchmarks.consultation import _build as build_consultation
    from benchmarks.consultation import _fill
    from engage import create_app
    from engage.accounts.models import User
    from engage.boards.models import Board
    from engage.demo.cli import load_demo
    from engage.extensions import db
    from engage.prioritise.models import Exercise
    from engage.surveys import counts

    app = create_app(_settings(path, folder))
    with app.app_context():
        upgrade()
        passwords, _two_factor = load_demo()
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        board = db.session.scalar(select(Board).where(Board.short_code == "HWB"))
        consultation = build_consultation(officer, board)
        db.session.commit()
        consultation_id = consultation.id
        _fill(consultation, np.random.default_rng(5))
        counts.rebuild(consultation)
        db.session.commit()
        exercise_id = _budget_exercise(officer)
        item_ids = [item.id for item in db.session.get(Exercise, exercise_id).items]
    rng = np.random.default_rng(11)
    stored = rng.multinomial(100, rng.dirichlet(np.ones(ITEMS)), size=STORED).astype(np.float64)
    _bulk_submissions(app, exercise_id, stored, item_ids)
    return passwords, exercise_id, consultation_id


def _data(folder: Path) -> tuple[Path, dict[str, str], int, int]:
    """A copy of the benchmark database for this run (built, or copied from ``ENGAGE_BENCH_DATA``)."""
    import json

    kept_in = os.environ.get("ENGAGE_BENCH_DATA")
    path = folder / "bench.sqlite"
    if kept_in:
        kept = Path(kept_in)
        facts = kept / f"slowest-{DATA_VERSION}.json"
        if facts.exists():
            shutil.copy(kept / f"slowest-{DATA_VERSION}.sqlite", path)
            known = json.loads(facts.read_text())
            return path, known["passwords"], known["exercise"], known["consultation"]
    passwords, exercise_id, consultation_id = _build(path, folder)
    if kept_in:
        kept.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, kept / f"slowest-{DATA_VERSION}.sqlite")
        facts.write_text(
            json.dumps({"passwords": passwords, "exercise": exercise_id, "consultation": consultation_id})
        )
    return path, passwords, exercise_id, consultation_id


class CutOff(Exception):
    """A request stopped after ``CUT_OFF`` seconds (recorded as that, and stopped, so a run ends)."""


@contextmanager
def _cut_off(seconds: float) -> Iterator[None]:
    def stop(_signal: int, _frame: object) -> None:
        raise CutOff

    before = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


def _timed(what: str, url: str, out: list[Timed], request: Callable[[], Any]) -> Any:
    """Make the request (stopped after ``CUT_OFF`` seconds, recorded with status 0) and record its times."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with _cut_off(CUT_OFF):
            status, body = request()
    except CutOff:
        status, body = 0, ""
    out.append(Timed(what, url, status, time.perf_counter() - started, time.process_time() - cpu))
    return body


def _get(client, what: str, url: str, out: list[Timed]) -> str:
    """GET ``url``; a streamed body is timed to its first bytes."""

    def request() -> tuple[int, str]:
        response = client.get(url, buffered=False)
        try:
            body = next(iter(response.response), b"") if response.is_streamed else response.get_data()
        finally:
            response.close()
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        return response.status_code, text

    return _timed(what, url, out, request)


def _officer_pages(client, exercise_id: int, consultation_id: int, out: list[Timed], when: str) -> None:
    exercise, consultation = f"/manage/exercises/{exercise_id}", f"/manage/consultations/{consultation_id}"
    organisation_report = _organisation_report_url(client)
    for what, url in [
        ("budget results page (officers)", f"{exercise}/results"),
        ("budget results page (public)", f"/exercises/{exercise_id}/results"),
        ("budget results.csv", f"{exercise}/results.csv"),
        ("budget results.xlsx", f"{exercise}/results.xlsx"),
        ("budget responses.csv (streamed)", f"{exercise}/responses.csv"),
        ("budget unusual activity", f"{exercise}/activity"),
        ("consultation results page", f"{consultation}/results"),
        ("consultation unusual activity", f"{consultation}/activity"),
        ("consultation responses.csv (streamed)", f"{consultation}/responses.csv"),
        ("organisation report, printable page", organisation_report),
    ]:
        _get(client, f"{what}, {when}", url, out)


def _organisation_report_url(client) -> str:
    page = client.get("/manage/reports").get_data(as_text=True)
    found = re.search(r'href="(/manage/reports/organisations/\d+)"', page)
    assert found, page[:500]
    return found.group(1) + "?start=2024-04-01&end=2030-03-31"


def _resident(client, exercise_id: int, item_ids: list[int], out: list[Timed]) -> None:
    """A resident shares out 100 points, sends it, and reads how their answer compares."""
    amounts = [5] * len(item_ids)
    form = {f"item-{item_id}": str(a) for item_id, a in zip(item_ids, amounts, strict=True)}
    client.post(f"/exercises/{exercise_id}/allocate", data=form)
    html = client.get(f"/exercises/{exercise_id}/check").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
    url = f"/exercises/{exercise_id}/check"
    _timed(
        "resident sends an allocation",
        url,
        out,
        lambda: (client.post(url, data={"key": key}).status_code, ""),
    )
    _get(client, "resident's answer and how it compares", f"/exercises/{exercise_id}/your-answer", out)


def measure_requests(folder: Path) -> tuple[list[Timed], list[Timed]]:
    """Every heavy request on the benchmark data, cold then warm, and the jobs the cold ones queued."""
    from engage import create_app
    from engage.extensions import db
    from engage.jobs import queue
    from engage.jobs.tasks import refresh_results
    from engage.prioritise import service
    from engage.prioritise.models import Exercise, ExerciseStatus

    path, passwords, exercise_id, consultation_id = _data(folder)
    app = create_app(
        _settings(path, folder)
        | {"ENGAGE_JOBS_IMMEDIATE": False, "ENGAGE_JOBS_SQLITE": str(folder / "queue.sqlite")}
    )
    queue.configure(app)
    out: list[Timed] = []
    try:
        with app.app_context():
            item_ids = [item.id for item in db.session.get(Exercise, exercise_id).active_items]
        _resident(app.test_client(), exercise_id, item_ids, out)
        with app.app_context():
            service.set_status(db.session.get(Exercise, exercise_id), ExerciseStatus.CLOSED)
            db.session.commit()
        officer = app.test_client()
        signed = officer.post("/sign-in", data={"email": OFFICER, "password": passwords[OFFICER]})
        assert signed.status_code == 302, signed.status_code
        _officer_pages(officer, exercise_id, consultation_id, out, "nothing kept")
        with app.app_context():
            jobs = _run_queued_jobs()
            refresh_results.call_local("exercise", exercise_id)  # anything the queue did not hold
            refresh_results.call_local("consultation", consultation_id)
        _officer_pages(officer, exercise_id, consultation_id, out, "kept results")
    finally:
        app.config["ENGAGE_JOBS_IMMEDIATE"] = True
        queue.configure(app)
    return out, jobs


def _run_queued_jobs() -> list[Timed]:
    """Run every job the cold pages queued, one after another, as a worker would (one queued to run a
    little later runs now), each timed."""
    from engage.jobs import queue

    jobs = []
    while (task := queue.huey.dequeue()) is not None:
        what = f"{task.name}{tuple(task.args)}"
        started, cpu = time.perf_counter(), time.process_time()
        queue.huey.execute(task, timestamp=task.eta)
        jobs.append(Timed(what, "", 1, time.perf_counter() - started, time.process_time() - cpu))
    return jobs


def _commit() -> str:
    if os.environ.get("ENGAGE_BENCH_COMMIT"):  # a copy of the code outside git (a "before" run)
        return os.environ["ENGAGE_BENCH_COMMIT"]
    try:
        return subprocess.run(  # noqa: S603 (git, with fixed arguments)
            [shutil.which("git") or "git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _last_run(out: Path) -> str | None:
    """The previous run's summary line, kept as "before"."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    found = re.search(r"<!-- begin slowest -->.*?^Slowest request: (.+?)$", text, re.S | re.M)
    return found.group(1) if found else None


def slowest_lines(timed: list[Timed], before: str | None, jobs: list[Timed]) -> list[str]:
    worst = max(timed, key=lambda t: t.wall)
    load = os.getloadavg()[0]
    summary = (
        f"{worst.what} ({worst.url}): {worst.wall:.2f} s wall{' (stopped)' if not worst.status else ''}, "
        f"{worst.cpu:.2f} s processor, "
        f"commit {_commit()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load:.1f}"
    )
    over = [t for t in timed if t.wall > LIMIT_SECONDS]
    lines = [
        "## The slowest request on the benchmark data (`python -m benchmarks.slowest`)",
        "",
        "100,000 budget allocations x 20 items and 50,000 consultation responses x 20 questions, SQLite,",
        "test client, a real queue and no worker: each page and download first with nothing kept, then after",
        "the refresh job. Streamed downloads are timed to their first bytes. Wall times depend on the shared",
        "machine's load; processor time is this process's.",
        "",
        f"Slowest request: {summary}",
        "",
        f"Before: {before or 'no earlier run recorded'}",
        "",
        f"Target: no request over {LIMIT_SECONDS:.0f} s: "
        + ("met" if not over else f"NOT met ({len(over)} over)"),
        "",
        "| request | answer | wall | processor |",
        "|---|---|---|---|",
        *[
            f"| {t.what} | {t.status or f'stopped after {CUT_OFF:.0f} s'} | {t.wall * 1000:.0f} ms "
            f"| {t.cpu * 1000:.0f} ms |"
            for t in sorted(timed, key=lambda t: -t.wall)
        ],
        "",
        "The jobs the cold pages queued, run one after another as a worker would (after the cold pass):",
        "",
        "| job | wall | processor |",
        "|---|---|---|",
        *[f"| `{t.what}` | {t.wall:.1f} s | {t.cpu:.1f} s |" for t in jobs],
    ]
    return lines


def bench_slowest() -> list[str]:
    """Measure, and return the section's lines (the previous run's figure kept as "before")."""
    out = ROOT / "docs" / "benchmarks.md"
    with tempfile.TemporaryDirectory() as tmp:
        timed, jobs = measure_requests(Path(tmp))
    return slowest_lines(timed, _last_run(out), jobs)


def main() -> None:
    out = ROOT / "docs" / "benchmarks.md"
    lines = bench_slowest()
    write_section(out, "slowest", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
