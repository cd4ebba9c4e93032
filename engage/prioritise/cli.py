"""``flask --app engage rebuild-counts``: rebuild the derived pair counts from the vote rows."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from engage.commands import one_or_all
from engage.prioritise.models import Exercise
from engage.prioritise.pairwise.counts import rebuild_counts


@click.command("rebuild-counts")
@click.option("--exercise", "exercise_id", type=int, help="Only this exercise (default: all).")
@with_appcontext
def rebuild_counts_command(exercise_id: int | None) -> None:
    """Recompute pair counts from the votes and report any pair whose stored totals differed."""
    differing = 0
    for exercise in one_or_all(Exercise, exercise_id, "exercise"):
        report = rebuild_counts(exercise)
        differing += len(report.differences)
        click.echo(f"Exercise {exercise.id}: {report.pairs} pairs, {len(report.differences)} differed.")
        for low, high, stored, fresh in report.differences:
            click.echo(
                f"  items {low} and {high}: stored {stored}, from votes {fresh} (low wins, high wins, skips)"
            )
    click.echo("All counts matched the votes." if not differing else f"Fixed {differing} pair count(s).")
