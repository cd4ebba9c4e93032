"""``flask --app engage export-weights BOARD_SLUG``: a board's published weights for scheduled jobs."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from engage.boards.models import Board
from engage.extensions import db
from engage.weights.exports import WRITERS
from engage.weights.versions import current_weight_set, weight_set_version


@click.command("export-weights")
@click.argument("board_slug")
@click.option("--format", "fmt", type=click.Choice(sorted(WRITERS)), default="csv", show_default=True)
@click.option("--version", type=int, help="A version number (default: the current published version).")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@with_appcontext
def export_weights_command(board_slug: str, fmt: str, version: int | None, output: Path | None) -> None:
    """Write a board's published weights as CSV, JSON or XLSX (the same files as the downloads)."""
    board = db.session.scalar(select(Board).where(Board.slug == board_slug))
    if board is None:
        raise click.ClickException(f"There is no board '{board_slug}'.")
    weight_set = current_weight_set(board) if version is None else weight_set_version(board, version)
    if weight_set is None:
        which = "any current weights" if version is None else f"a version {version}"
        raise click.ClickException(f"The board '{board_slug}' has not published {which}.")
    content = WRITERS[fmt](weight_set)
    if output is not None:
        output.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        click.echo(f"Wrote version {weight_set.version} of {board.name} to {output}.", err=True)
    elif isinstance(content, bytes):
        raise click.ClickException("XLSX is a binary file: give --output PATH.")
    else:
        click.echo(content, nl=False)
