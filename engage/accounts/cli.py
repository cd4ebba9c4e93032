"""Command-line tasks for accounts: ``flask --app engage create-admin``, ``set-password`` and
``reset-two-factor``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from engage.accounts import service
from engage.accounts.models import OrganisationKind, Role, User
from engage.accounts.passwords import MIN_LENGTH
from engage.audit import service as audit
from engage.service_errors import FieldConflict

PASSWORD_HELP = f"At least {MIN_LENGTH} characters, not a common password, nor containing the email's name."


def _user(email: str) -> User:
    user = service.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the email address {email}.")
    return user


@click.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's email address.")
@click.option("--name", prompt=True, help="The administrator's full name.")
@click.option("--organisation", prompt=True, help="Their organisation; created (as a council) if it is new.")
@click.password_option(help=PASSWORD_HELP)
@with_appcontext
def create_admin(email: str, name: str, organisation: str, password: str) -> None:
    """Create an administrator who can then set up everything else in the browser.

    They set up two-factor authentication the first time they sign in."""
    if not organisation.strip():
        raise click.UsageError("An administrator must belong to an organisation.")
    org = service.get_or_create_organisation(organisation, OrganisationKind.COUNCIL)
    try:
        user = service.create_user(
            email=email, name=name, password=password, organisation=org, roles=[Role.ADMIN]
        )
    except FieldConflict as conflict:
        raise click.ClickException(conflict.message) from conflict
    click.echo(f"Created administrator {user.email} in {org.name}.")
    click.echo("They will be asked to set up two-factor authentication when they first sign in.")


@click.command("set-password")
@click.argument("email")
@click.password_option(help=PASSWORD_HELP)
@with_appcontext
def set_password(email: str, password: str) -> None:
    """Give a user a new password (for example when they have forgotten it). Signs them out everywhere."""
    user = _user(email)
    try:
        service.set_password(user, password)
    except FieldConflict as conflict:
        raise click.ClickException(conflict.message) from conflict
    audit.record("password_reset", f"user_id={user.id} ({user.email})", "set-password; their sessions ended")
    click.echo(f"Password changed for {user.email}. They are signed out everywhere.")


@click.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor(email: str) -> None:
    """Turn off a user's two-factor authentication (lost phone and recovery codes). Signs them out
    everywhere; an administrator must set it up again at their next sign-in."""
    user = _user(email)
    if not user.has_two_factor:
        click.echo(f"{user.email} does not use two-factor authentication.")
        return
    service.reset_two_factor(user)
    audit.record("two_factor_reset", f"user_id={user.id} ({user.email})", "reset-two-factor")
    click.echo(f"Two-factor authentication is off for {user.email}, and they are signed out.")
