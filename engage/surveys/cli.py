"""``flask --app engage rebuild-answer-counts``: rebuild consultations' derived counts from the rows."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from engage.commands import one_or_all
from engage.surveys.counts import rebuild
from engage.surveys.models import Consultation


@click.command("rebuild-answer-counts")
@click.option("--consultation", "consultation_id", type=int, help="Only this consultation (default: all).")
@with_appcontext
def rebuild_answer_counts_command(consultation_id: int | None) -> None:
    """Recount consultations' responses and answers and report any count that differed from the rows."""
    differing = 0
    for consultation in one_or_all(Consultation, consultation_id, "consultation"):
        report = rebuild(consultation)
        differing += report.differences
        click.echo(
            f"Consultation {consultation.id}: {report.responses} responses, "
            f"{report.differences} counts differed."
        )
    click.echo("All counts matched the rows." if not differing else f"Fixed {differing} count(s).")
