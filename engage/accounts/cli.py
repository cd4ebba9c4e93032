"""Command-line tasks for accounts: ``flask --app engage create-admin`` and ``set-password``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from engage.accounts import service
from engage.accounts.models import OrganisationKind, Role
from engage.accounts.passwords import MIN_LENGTH
from engage.service_errors import FieldConflict


def _check_password(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if len(value) < MIN_LENGTH:
        raise click.BadParameter(f"use at least {MIN_LENGTH} characters")
    return value


@click.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's email address.")
@click.option("--name", prompt=True, help="The administrator's full name.")
@click.option("--organisation", prompt=True, help="Their organisation; created (as a council) if it is new.")
@click.password_option(callback=_check_password, help=f"At least {MIN_LENGTH} characters.")
@with_appcontext
def create_admin(email: str, name: str, organisation: str, password: str) -> None:
    """Create an administrator who can then set up everything else in the browser."""
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


@click.command("set-password")
@click.argument("email")
@click.password_option(callback=_check_password, help=f"At least {MIN_LENGTH} characters.")
@with_appcontext
def set_password(email: str, password: str) -> None:
    """Give a user a new password (for example when they have forgotten it)."""
    user = service.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the email address {email}.")
    service.set_password(user, password)
    click.echo(f"Password changed for {user.email}.")
