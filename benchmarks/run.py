"""`make bench`: run every benchmark and write docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy
import scipy

from benchmarks.allocation import bench_allocation, bench_budget_requests
from benchmarks.consultation import bench_consultation
from benchmarks.floor import bench_floor, floor_table
from benchmarks.page_weight import bench_page_weight
from benchmarks.pairwise import bench_requests, bench_statistics
from benchmarks.sections import write_section
from benchmarks.slowest import bench_slowest
from benchmarks.uploads import bench_uploads
from benchmarks.weighting import bench_weighting
from benchmarks.weights import bench_weights
from benchmarks.workshop import bench_workshop

ROOT = Path(__file__).resolve().parent.parent


def table(rows: list[tuple[str, str, str, str]]) -> list[str]:
    return [
        "| what | time | peak memory | target |",
        "|---|---|---|---|",
        *[f"| {what} | {t} | {mem} | {target} |" for what, t, mem, target in rows],
    ]


def main() -> None:
    pairwise: list[tuple[str, str, str, str]] = []
    bench_statistics(pairwise)
    bench_requests(pairwise)
    allocation: list[tuple[str, str, str, str]] = []
    bench_allocation(allocation)
    bench_budget_requests(allocation)
    weighting: list[tuple[str, str, str, str]] = []
    bench_weighting(weighting)
    weights: list[tuple[str, str, str, str]] = []
    bench_weights(weights)
    workshop: list[tuple[str, str, str, str]] = []
    bench_workshop(workshop)
    consultation: list[tuple[str, str, str, str]] = []
    bench_consultation(consultation)
    uploads: list[tuple[str, str, str, str]] = []
    bench_uploads(uploads)
    weight: list[tuple[str, str, str, str]] = []
    bench_page_weight(weight)
    floor: list[tuple[str, ...]] = []
    bench_floor(floor)
    slowest = bench_slowest()  # the figure of the run before it is kept as "before"
    lines = [
        "Written by `make bench` (benchmarks/). Figures are from one run on the machine named below; targets",
        "come from the issues. Memory is the peak traced by tracemalloc during one run (NumPy included).",
        "This is a shared 2-core machine: repeated runs differ by up to about a third.",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"NumPy {numpy.__version__}, SciPy {scipy.__version__}. "
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "## Pairwise",
        "",
        *table(pairwise),
        "",
        "## Budget allocation and ranking",
        "",
        *table(allocation),
        "",
        "## Population weighting",
        "",
        *table(weighting),
        "",
        "## Weights and the API",
        "",
        *table(weights),
        "",
        "## Workshops",
        "",
        *table(workshop),
        "",
        "## Consultations",
        "",
        *table(consultation),
        "",
        "## Hostile uploads",
        "",
        *table(uploads),
        "",
        "## Page weight (bytes received by Chromium with an empty cache, gunicorn.conf.py)",
        "",
        *table(weight),
        "",
    ]
    out = ROOT / "docs" / "benchmarks.md"
    if not out.exists():
        out.write_text("# Benchmarks\n", encoding="utf-8")
    write_section(out, "bench", lines)
    write_section(out, "floor", floor_table(floor))
    write_section(out, "slowest", slowest)
    sys.stdout.write("\n".join(lines) + f"\nwritten to {out.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
