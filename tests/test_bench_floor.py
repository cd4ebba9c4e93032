"""`make bench`'s processor time per request: read from /proc for the server's process group, the
database's processes and Redis's, and tabled by the median of each row's runs."""

import os
import sys
import time

import pytest

from benchmarks import floor_tables as floor

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_the_servers_processor_time_counts_its_own_work():
    before = floor.cpu_seconds(os.getpid())["server"]
    started = time.process_time()
    while time.process_time() - started < 0.3:  # busy for 0.3 s of processor time
        sum(range(10_000))
    after = floor.cpu_seconds(os.getpid())["server"]
    assert 0.2 <= after - before <= 1.0


def test_the_database_and_redis_are_found_by_their_commands():
    """The machine's PostgreSQL and Redis (CI runs both) are counted apart from the server."""
    used = floor.cpu_seconds(None)
    assert "server" not in used
    assert {"database", "Redis"} <= set(used)


def test_the_table_gives_each_rows_median_by_process(monkeypatch):
    runs = [{"server": 2.0, "database": 0.5}, {"server": 3.0, "database": 0.7}, {"server": 9.0}]
    monkeypatch.setattr(floor, "CPU", {("PostgreSQL", "pairwise vote"): runs})
    row = next(line for line in floor.cpu_table() if line.startswith("| PostgreSQL"))
    assert row == "| PostgreSQL | pairwise vote | 3.00 | 0.50 | 0.00 | 3.50 |"


def test_a_partial_run_keeps_the_other_rows_of_each_table_apart(tmp_path, monkeypatch):
    """`python -m benchmarks.floor budget` keeps the vote's rows from the section as it was: its ratio row
    in the ratio table, its processor-time row in that table (both have six columns)."""
    vote = floor.LABELS["vote"]
    section = "\n".join(
        [
            "<!-- begin floor -->",
            "Run 2026-11-30 06:45 UTC, on the shared 2-core machine.",
            "| database | request | requests/s | of the floor | goal | failed/sent |",
            f"| SQLite | {vote} | 691 | 41% (39%-44%) | >= 50% | 0/17637 |",
            "| database | request | server ms | database ms | Redis ms | all ms |",
            f"| SQLite | {vote} | 2.51 | 0.00 | 0.00 | 2.51 |",
            "<!-- end floor -->",
        ]
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "benchmarks.md").write_text(section, encoding="utf-8")
    monkeypatch.setattr(floor, "HERE", tmp_path / "benchmarks")
    when, ratios, cpu = floor.earlier_rows({"vote"})
    assert when == "2026-11-30 06:45 UTC"
    assert ratios == [("SQLite", vote, "691", "41% (39%-44%)", ">= 50%", "0/17637")]
    assert cpu == [("SQLite", vote, "2.51", "0.00", "0.00", "2.51")]
