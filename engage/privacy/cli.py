"""Data-protection commands: ``retention`` (run it daily), ``export-response`` and ``delete-response``."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from engage.audit import service as audit
from engage.privacy.requests import delete_by_reference, find_response, response_record
from engage.privacy.retention import apply_retention
from engage.surveys.responses import as_reference


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, and delete nothing.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Delete personal data past its retention period (docs/privacy.md). Safe to run every day."""
    report = apply_retention(dry_run=dry_run)
    if not dry_run and report.total:
        audit.record("retention", detail=repr(report))
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb}: {report.workshop_names} workshop participants' names, "
        f"{report.exercise_equality_answers} equality answers given with exercises, "
        f"{report.consultation_equality_answers} equality answers given with consultations past their "
        f"retention date, {report.consultation_drafts} unsent consultation drafts, "
        f"{report.respondent_addresses} respondents' address hashes, "
        f"{report.consultation_free_text} written consultation answers (blanked), "
        f"{report.consultation_references} response references, {report.exercise_comments} exercise "
        f"comments, {report.exercise_suggestions} moderated suggestions' text, "
        f"{report.undone_vote_keys} keys of votes taken back."
    )


@click.command("export-response")
@click.argument("reference")
@with_appcontext
def export_response_command(reference: str) -> None:
    """Print everything stored with a consultation response, as JSON (a subject access request)."""
    response = find_response(reference)
    if response is None:
        raise click.ClickException(f"No response has the reference {as_reference(reference)}.")
    audit.record("response_exported", response.reference)
    click.echo(json.dumps(response_record(response), ensure_ascii=False, indent=2))


@click.command("delete-response")
@click.argument("reference")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def delete_response_command(reference: str, yes: bool) -> None:
    """Delete a consultation response and its equality answers by its reference (an erasure request)."""
    if find_response(reference) is None:
        raise click.ClickException(f"No response has the reference {as_reference(reference)}.")
    if not yes:
        click.confirm(f"Delete response {as_reference(reference)} and everything stored with it?", abort=True)
    delete_by_reference(reference)
    click.echo(f"Deleted response {as_reference(reference)}.")
