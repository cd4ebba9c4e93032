"""Fixtures every test uses: the app, a client, the CLI runner, factories and a sign-in helper.

The schema is built once per run by the real migrations (so every run also tests them), on SQLite or, when
``ENGAGE_TEST_DATABASE_URL`` is set, on PostgreSQL. After each test every table is emptied, which keeps
tests independent even when the code under test commits or a browser test's server thread writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask_babel
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from engage import create_app
from engage.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from engage.accounts.passwords import hash_password
from engage.boards.models import Board, BoardKind, Priority, PriorityStatus
from engage.extensions import db

PASSWORD = "correct horse battery staple"

pytest_plugins = ["tests.factories_prioritise", "tests.factories_surveys", "tests.factories_weights"]


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated from empty to head, once per test run."""
    url = os.environ.get("ENGAGE_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'engage-test.sqlite'}"
    app = create_app({"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def make_test_app(database_url: str, tmp_path: Path, **overrides: Any) -> Flask:
    """An app on the test database with CSRF off unless a test turns it on."""
    config = {
        "ENGAGE_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)

    @app.before_request
    def _forget_cached_locale() -> None:
        # Tests keep an app context open, which Flask reuses for every test-client request, and Flask-Babel
        # caches the locale on it. In production each request has its own context; make tests do the same.
        flask_babel.refresh()

    return app


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Make an app with extra settings (e.g. CSRF or rate limits on); tables are emptied afterwards."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = make_test_app(database_url, tmp_path, **overrides)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if made:
        with made[0].app_context():
            _empty_all_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Iterator[Flask]:
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


_PASSWORD_HASH: dict[str, str] = {}


def _password_hash() -> str:
    # Hashing with argon2's real cost takes tens of milliseconds; one hash serves every test user.
    if "hash" not in _PASSWORD_HASH:
        _PASSWORD_HASH["hash"] = hash_password(PASSWORD)
    return _PASSWORD_HASH["hash"]


@pytest.fixture
def make_organisation(app: Flask) -> Callable[..., Organisation]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, kind: OrganisationKind = OrganisationKind.COUNCIL) -> Organisation:
        organisation = Organisation(name=name or f"Partner {next(counter)}", kind=kind)
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return make


@pytest.fixture
def make_user(app: Flask, make_organisation) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        *roles: Role, organisation: Organisation | None = None, email: str | None = None, active: bool = True
    ) -> User:
        user = User(
            email=email or f"user{next(counter)}@partner.example",
            name="Test User",
            password_hash=_password_hash(),
            organisation=organisation or make_organisation(),
            active=active,
            role_grants=[UserRole(role=role) for role in roles],
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_board(app: Flask) -> Callable[..., Board]:
    counter = iter(range(1, 10_000))

    def make(
        name: str | None = None,
        *,
        members: list[Organisation] = (),
        kind: BoardKind = BoardKind.PARTNERSHIP,
        short_code: str | None = None,
        remit: str = "What the board does.",
    ) -> Board:
        n = next(counter)
        name = name or f"Board {n}"
        board = Board(
            name=name,
            slug=name.lower().replace(" ", "-"),
            short_code=short_code or f"B{n}",
            remit=remit,
            kind=kind,
            members=list(members),
        )
        db.session.add(board)
        db.session.commit()
        return board

    return make


@pytest.fixture
def make_priority(app: Flask) -> Callable[..., Priority]:
    counter = iter(range(1, 10_000))

    def make(
        board: Board,
        code: str | None = None,
        title: str | None = None,
        *,
        status: PriorityStatus = PriorityStatus.ACTIVE,
        description: str = "A plain-English description.",
    ) -> Priority:
        n = next(counter)
        priority = Priority(
            board=board,
            code=code or f"P-{n}",
            title=title or f"Priority {n}",
            description=description,
            status=status,
        )
        db.session.add(priority)
        db.session.commit()
        return priority

    return make


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD):
    """Sign in through the real form (CSRF is off in the default test app)."""
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def signed_in(client: FlaskClient, make_user) -> Callable[..., User]:
    """Create a user with the given roles and sign them in on ``client``."""

    def signed_in_as(*roles: Role, organisation: Organisation | None = None) -> User:
        user = make_user(*roles, organisation=organisation)
        sign_in(client, user)
        return user

    return signed_in_as
