"""Importing population margins from a CSV file, and reading them back for weighting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from engage.extensions import db
from engage.population import logger
from engage.population.models import PopulationMargin
from engage.transactions import atomic
from engage.uploads import UploadLimits, UploadProblem, csv_rows

COLUMNS = ("dimension", "category", "population")
#: Problems listed one by one; past these, a count (a page listing 200,000 took 100 seconds to draw).
MAX_PROBLEMS = 20


class PopulationFileProblem(ValueError):
    """The file cannot be imported; ``problems`` lists every reason, and nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    #: {dimension: (number of categories, total population)}
    dimensions: dict[str, tuple[int, int]]


def _listed(problems: list[str], more: int) -> list[str]:
    if more:
        problems.append(f"{more:,} more rows have problems too: fix the ones above and load the file again.")
    return problems


def parse_population_csv(text: str, limits: UploadLimits | None = None) -> dict[str, dict[str, int]]:
    """{dimension: {category: population}} from long-format CSV text, checking every row.

    Accepts a byte-order mark, commas or semicolons, Excel-style quoting, columns in any order (matched by
    name, ignoring case and spaces) and blank rows. Each dimension must add up to the same total. Bounded
    like every upload (engage/uploads.py); at most ``MAX_PROBLEMS`` problems are listed, then a count.
    """
    limits = limits or UploadLimits.current()
    if len(text) > limits.max_bytes:
        raise PopulationFileProblem([str(limits.too_big())])
    try:
        rows = csv_rows(text.lstrip("\ufeff"), limits, delimiters=",;")
        first = next(rows, None)
        if first is None:
            raise PopulationFileProblem(["The file is empty."])
        header = [cell.lower().replace(" ", "_") for cell in first[1]]
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise PopulationFileProblem([f"The file has no column called {name!r}." for name in missing])
        where = {name: header.index(name) for name in COLUMNS}
        margins: dict[str, dict[str, int]] = {}
        problems: list[str] = []
        more = 0
        for number, (_line, row) in enumerate(rows, start=2):
            cells = {name: (row[i] if i < len(row) else "") for name, i in where.items()}
            problem = None
            if not cells["dimension"] or not cells["category"]:
                problem = f"Row {number}: the dimension and category cannot be blank."
            else:
                try:
                    population = int(cells["population"].replace(",", "").replace(" ", ""))
                except ValueError:
                    problem = f"Row {number}: {cells['population']!r} is not a whole number."
                else:
                    categories = margins.setdefault(cells["dimension"], {})
                    if population < 0:
                        problem = f"Row {number}: the population cannot be negative."
                    elif cells["category"] in categories:
                        problem = f"Row {number}: {cells['dimension']} {cells['category']!r} appears twice."
                    else:
                        categories[cells["category"]] = population
            if problem and len(problems) < MAX_PROBLEMS:
                problems.append(problem)
            elif problem:
                more += 1
    except UploadProblem as problem:
        raise PopulationFileProblem([str(problem)]) from problem
    margins = {dimension: categories for dimension, categories in margins.items() if categories}
    totals = {dimension: sum(categories.values()) for dimension, categories in margins.items()}
    if len(set(totals.values())) > 1:
        shown = list(totals.items())[:MAX_PROBLEMS]
        listed = ", ".join(f"{dimension} {total:,}" for dimension, total in shown)
        if len(totals) > len(shown):
            listed += f" and {len(totals) - len(shown):,} more"
        problems.append(f"Each dimension must add up to the same total, but they do not: {listed}.")
    if problems:
        raise PopulationFileProblem(_listed(problems, more))
    return margins


def import_population(text: str) -> ImportReport:
    """Replace the area's population margins with those in the CSV text (all or nothing: on any problem the
    old figures stay, and PopulationFileProblem says why)."""
    margins = parse_population_csv(text)
    try:
        with atomic():
            db.session.execute(delete(PopulationMargin))
            db.session.add_all(
                PopulationMargin(dimension=dimension, category=category, population=population)
                for dimension, categories in margins.items()
                for category, population in categories.items()
            )
            db.session.flush()
    except IntegrityError as clash:  # another import stored its figures between our delete and our insert
        raise PopulationFileProblem(
            [
                "Someone else loaded population figures at the same moment, so nothing was imported from "
                "this file. Check the figures below, and load it again if they are not the ones you want."
            ]
        ) from clash
    logger.info("imported population margins for %s", ", ".join(margins))
    return ImportReport({d: (len(c), sum(c.values())) for d, c in margins.items()})


def population_margins() -> dict[str, dict[str, int]]:
    """The stored margins, {dimension: {category: population}} (empty when none are loaded)."""
    margins: dict[str, dict[str, int]] = {}
    for row in db.session.scalars(select(PopulationMargin).order_by(PopulationMargin.id)):
        margins.setdefault(row.dimension, {})[row.category] = row.population
    return margins
