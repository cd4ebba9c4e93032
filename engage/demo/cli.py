"""``flask --app engage demo``: load the demo partnership into an empty database."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from engage.accounts import service as accounts
from engage.accounts.models import Organisation, User
from engage.boards import service as boards
from engage.demo.data import BOARDS, EXERCISES, INTRODUCTION, ORGANISATIONS, USERS
from engage.demo.votes import add_synthetic_votes
from engage.extensions import db
from engage.population.service import import_population
from engage.prioritise import service as exercises
from engage.prioritise.models import ExerciseStatus

#: The demo area's population (a copy of the sample partners' systems produce), for weighting results.
POPULATION = Path(__file__).resolve().parent.parent / "demo_data" / "population.csv"


def database_is_empty() -> bool:
    """True when there are no organisations, users or boards yet."""
    from engage.boards.models import Board

    return all(
        db.session.scalar(select(func.count()).select_from(m)) == 0 for m in (Organisation, User, Board)
    )


def load_demo() -> dict[str, str]:
    """Create the demo partnership. Returns each demo user's email and generated password."""
    orgs = {name: accounts.save_organisation(None, name=name, kind=kind) for name, kind in ORGANISATIONS}
    for name, slug, code, kind, remit, members, priorities in BOARDS:
        board = boards.save_board(
            None,
            name=name,
            slug=slug,
            short_code=code,
            remit=remit,
            kind=kind,
            members=[orgs[m] for m in members],
        )
        for p_code, title, description in priorities:
            boards.save_priority(board, None, code=p_code, title=title, description=description)
    passwords = {}
    users = {}
    for email, name, org, roles in USERS:
        password = secrets.token_urlsafe(12)
        users[email] = accounts.create_user(
            email=email, name=name, password=password, organisation=orgs[org], roles=roles
        )
        passwords[email] = password
    import_population(POPULATION.read_text(encoding="utf-8"))
    _load_exercises(orgs, users)
    return passwords


def _load_exercises(orgs: dict, users: dict) -> None:
    """An open pairwise exercise and a closed one with public results, each with synthetic votes."""
    officer = users["officer@aldermoor.example"]
    for slug, title, question, status in EXERCISES:
        board = boards.get_board(slug)
        exercise = exercises.save_exercise(
            None,
            board=board,
            organisation_id=officer.organisation_id,
            user=officer,
            title=title,
            question=question,
            introduction=INTRODUCTION,
            priorities=board.active_priorities,
            opens_at=None,
            closes_at=None,
            allow_suggestions=True,
            results_public=True,
        )
        exercises.set_status(exercise, ExerciseStatus.OPEN)
        add_synthetic_votes(exercise, respondents=250 if status is ExerciseStatus.OPEN else 120)
        if status is ExerciseStatus.CLOSED:
            exercises.set_status(exercise, ExerciseStatus.CLOSED)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo partnership: partners, four themed boards, their priorities and a user per role."""
    if not database_is_empty():
        message = "The database already has data, so the demo was not loaded."
        if if_empty:
            click.echo(message)
            return
        raise click.ClickException(message + " Use an empty database.")
    passwords = load_demo()
    click.echo("Loaded the demo partnership. Sign in with one of these (shown once; they are stored hashed):")
    width = max(len(email) for email in passwords)
    for email, password in passwords.items():
        click.echo(f"  {email.ljust(width)}  {password}")
    click.echo("Forgotten one? flask --app engage set-password EMAIL")
