"""Hostile uploads (issue 18, finding 5): each file that once exhausted a worker, read by today's code. The
target is a refusal (or the few real rows) in well under a second and a few MiB, whatever the file claims."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.pairwise import measure
from tests import hostile_files as hostile


def _outcome(read: Callable[[], object]) -> Callable[[], str]:
    from engage.indicators.reading import FileProblem
    from engage.population.service import PopulationFileProblem

    def run() -> str:
        try:
            result = read()
        except FileProblem as problem:
            return f"refused: {str(problem).split('.')[0]}"
        except PopulationFileProblem as problem:
            if len(problem.problems) == 1:
                return f"refused: {problem.problems[0].split('.')[0]}"
            return f"refused: {len(problem.problems) - 1} problems listed, then a count"
        return f"read {len(result.rows)} rows"  # type: ignore[attr-defined]

    return run


def bench_uploads(rows: list[tuple[str, str, str, str]]) -> None:
    from engage.indicators.reading import read_table
    from engage.population.service import parse_population_csv

    cases: list[tuple[str, bytes, Callable[[bytes], object]]] = [
        (
            "XLSX declaring every column (XFD) down to row 12,800",
            hostile.xlsx_huge_dimension(12_800),
            read_table,
        ),
        (
            "XLSX declaring every column down to row 1,048,576",
            hostile.xlsx_huge_dimension(1_048_576),
            read_table,
        ),
        ("XLSX with one row of 1,000,000 empty cells", hostile.xlsx_wide_row(1_000_000), read_table),
        ("XLSX with nested entity declarations", hostile.xlsx_entity_bomb(), read_table),
        ("CSV with 1,000,000 columns", hostile.csv_wide(1_000_000), read_table),
        (
            "CSV line of 63,000 characters that makes csv.Sniffer quadratic",
            hostile.csv_sniffer_trap(63_000),
            read_table,
        ),
        (
            "CSV with 50,000 headers (the preview listed each in ten selects)",
            hostile.csv_many_headers(50_000),
            read_table,
        ),
        (
            "Population file of 19,000 bad rows",
            hostile.population_bad_rows(19_000),
            lambda raw: parse_population_csv(raw.decode(), None),
        ),
        (
            "Population file of 200,000 bad rows",
            hostile.population_bad_rows(200_000),
            lambda raw: parse_population_csv(raw.decode(), None),
        ),
    ]
    for what, raw, read in cases:
        t, mem, outcome = measure(_outcome(lambda raw=raw, read=read: read(raw)), repeat=3)
        rows.append(
            (f"{what} ({len(raw):,} bytes): {outcome}", f"{t * 1000:.0f} ms", f"{mem:.1f} MiB", "< 1 s")
        )
