"""Importing population margins from a CSV file, and reading them back for weighting."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from engage.extensions import db
from engage.population import logger
from engage.population.models import PopulationMargin
from engage.transactions import atomic

COLUMNS = ("dimension", "category", "population")


class PopulationFileProblem(ValueError):
    """The file cannot be imported; ``problems`` lists every reason, and nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    #: {dimension: (number of categories, total population)}
    dimensions: dict[str, tuple[int, int]]


def parse_population_csv(text: str) -> dict[str, dict[str, int]]:
    """{dimension: {category: population}} from long-format CSV text, checking every row.

    Accepts a byte-order mark, commas or semicolons, Excel-style quoting, columns in any order (matched by
    name, ignoring case and spaces) and blank rows. Each dimension must add up to the same total.
    """
    text = text.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip().strip(",;")]
    if not lines:
        raise PopulationFileProblem(["The file is empty."])
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = [cell.strip().lower().replace(" ", "_") for cell in next(reader)]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise PopulationFileProblem([f"The file has no column called {name!r}." for name in missing])
    where = {name: header.index(name) for name in COLUMNS}
    margins: dict[str, dict[str, int]] = {}
    problems = []
    for number, row in enumerate(reader, start=2):
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in where.items()}
        if not cells["dimension"] or not cells["category"]:
            problems.append(f"Row {number}: the dimension and category cannot be blank.")
            continue
        try:
            population = int(cells["population"].replace(",", "").replace(" ", ""))
        except ValueError:
            problems.append(f"Row {number}: {cells['population']!r} is not a whole number.")
            continue
        if population < 0:
            problems.append(f"Row {number}: the population cannot be negative.")
            continue
        categories = margins.setdefault(cells["dimension"], {})
        if cells["category"] in categories:
            problems.append(f"Row {number}: {cells['dimension']} {cells['category']!r} appears twice.")
            continue
        categories[cells["category"]] = population
    totals = {dimension: sum(categories.values()) for dimension, categories in margins.items()}
    if len(set(totals.values())) > 1:
        listed = ", ".join(f"{dimension} {total:,}" for dimension, total in totals.items())
        problems.append(f"Each dimension must add up to the same total, but they do not: {listed}.")
    if problems:
        raise PopulationFileProblem(problems)
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
