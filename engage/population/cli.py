"""``flask --app engage import-population FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from engage.population.service import PopulationFileProblem, import_population
from engage.uploads import UploadLimits


@click.command("import-population")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_population_command(path: Path) -> None:
    """Load the area's population margins (columns: dimension, category, population) for weighting."""
    limits = UploadLimits.current()
    if path.stat().st_size > limits.max_bytes:
        raise click.ClickException(f"Nothing was imported.\n{limits.too_big()}")
    try:
        report = import_population(path.read_text(encoding="utf-8-sig"))
    except PopulationFileProblem as problem:
        raise click.ClickException("Nothing was imported.\n" + "\n".join(problem.problems)) from problem
    for dimension, (categories, total) in report.dimensions.items():
        click.echo(f"{dimension}: {categories} categories, {total:,} people")
