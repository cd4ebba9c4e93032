"""``flask --app engage import-indicators PATH``: import an indicator export from a scheduled job."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from engage.indicators.models import IndicatorImport
from engage.indicators.reading import FileProblem
from engage.indicators.service import import_rows, preview_rows
from engage.service_errors import StateError
from engage.uploads import UploadLimits


@click.command("import-indicators")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Import nothing (and fail) if any row has a problem.")
@with_appcontext
def import_indicators_command(path: Path, strict: bool) -> None:
    """Import a CSV or XLSX indicator export; columns are matched by their headers. Prints every row's
    problems. Without --strict the valid rows are imported and the others reported."""
    limits = UploadLimits.current()
    if path.stat().st_size > limits.max_bytes:
        raise click.ClickException(str(limits.too_big()))
    raw = path.read_bytes()
    try:
        preview = preview_rows(raw, None, None)
    except FileProblem as problem:
        raise click.ClickException(str(problem)) from problem
    for message in preview.mapping_problems:
        click.echo(f"Columns: {message}", err=True)
    for row in preview.bad_rows:
        click.echo(f"Line {row.line}: " + "; ".join(row.problems), err=True)
    if preview.kept_targets:
        click.echo(
            f"{preview.kept_targets} rows have no target: the target already held for their period is kept."
        )
    try:
        record = import_rows(IndicatorImport(filename=path.name), preview, strict=strict)
    except StateError as problem:
        raise click.ClickException(problem.message) from problem
    click.echo(
        f"Imported {path.name}: {record.rows_added} added, {record.rows_updated} updated, "
        f"{record.rows_rejected} rejected of {record.rows_total} rows."
    )
