"""The floor section's tables, apart from `make bench`'s runs (and their HTTP client): processor time per
request by process, read from /proc, and the rows a partial run keeps from the section as it was."""

from __future__ import annotations

import contextlib
import os
import re
import statistics
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: What a row's request is called in the table, by kind.
LABELS = {
    "vote": "pairwise vote, htmx, next pair rendered",
    "budget": "budget sent from check your answers",
    "consultation": "10-question consultation sent from check your answers",
}
#: What the processes on this machine are counted as, by their program's name (PostgreSQL's backends and its
#: background writers all show "postgres: ...").
_PROCESS_KINDS = (("postgres", "database"), ("redis-server", "Redis"))


def cpu_seconds(server_pid: int | None) -> dict[str, float]:
    """Processor seconds used so far by the server's process group (``server_pid`` and its children), and by
    the database's and Redis's processes (read from /proc: Linux only; nothing elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used: dict[str, float] = {}
    server = set()
    if server_pid is not None:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
        with contextlib.suppress(OSError):
            server = {server_pid, *(int(pid) for pid in children.read_text().split())}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
        except (OSError, IndexError):
            continue
        pid = int(entry.name)
        kind = "server" if pid in server else None
        program = Path(command.split(" ", 1)[0]).name  # "postgres:" for a backend or a writer
        kind = kind or next((name for start, name in _PROCESS_KINDS if program.startswith(start)), None)
        if kind is not None:
            used[kind] = used.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return used


#: What the floor's runs are called in the processor-time table.
FLOOR_LABEL = "bare INSERT + commit (the floor)"
#: (database, request) -> each run's processor milliseconds per request, by process (``Run.cpu_ms``).
CPU: dict[tuple[str, str], list[dict[str, float]]] = {}


def cpu_table(kept: Sequence[tuple[str, ...]] = ()) -> list[str]:
    """Processor time per request: the median over a row's runs, by the process that spent it (and the
    ``kept`` rows of an earlier run, as they were)."""
    if not CPU and not kept:
        return []
    rows = ["| " + " | ".join(row) + " |" for row in kept]
    for (database, label), runs in CPU.items():
        cells = [
            statistics.median(run.get(part, 0.0) for run in runs) for part in ("server", "database", "Redis")
        ]
        rows.append(
            f"| {database} | {label} | " + " | ".join(f"{ms:.2f}" for ms in cells) + f" | {sum(cells):.2f} |"
        )
    return [
        "Processor time per request during the same runs (from /proc: the median of a row's runs): the",
        "server (gunicorn's master and workers, with SQLite inside them), PostgreSQL's processes and",
        "Redis's. The load generator's own time is not counted; it shares the two cores too.",
        "",
        "| database | request | server ms | database ms | Redis ms | all ms |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def earlier_rows(kinds: set[str]) -> tuple[str, list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The rows of ``kinds`` in the floor section now in docs/benchmarks.md: (the run they came from, the
    ratio table's rows, the processor-time table's rows). Both tables have six columns: a ratio row's
    fourth cell is a percentage."""
    text = (HERE.parent / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    section = text.split("<!-- begin floor -->", 1)[-1].split("<!-- end floor -->", 1)[0]
    run = re.search(r"^Run (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", section, re.M)
    wanted = {LABELS[kind] for kind in kinds}
    ratios, cpu = [], []
    for line in section.splitlines():
        cells = tuple(cell.strip() for cell in line.strip().strip("|").split("|"))
        if len(cells) == 6 and cells[1] in wanted:
            (ratios if "%" in cells[3] else cpu).append(cells)
    return (run.group(1) if run else "an earlier run"), ratios, cpu
