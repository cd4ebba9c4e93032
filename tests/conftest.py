"""Fixtures every test uses: the app, a client, the CLI runner, factories and a sign-in helper.

The schema is built once per run by the real migrations (so every run also tests them), on SQLite or, when
``ENGAGE_TEST_DATABASE_URL`` is set, on PostgreSQL.

Speed without cutting corners:
- **One app per set of settings** for the whole run (templates compile once); each test gets the app's
  settings back as they were and empty rate-limit counters.
- **Each test in a transaction that is rolled back**: the app's engine is swapped for one connection inside
  an outer transaction, and every session joins it with a SAVEPOINT, so a request's commit (or a factory's)
  is real to the code under test and gone after the test. Code that needs real commits (a browser test's
  server thread, backups and restores, migrations) is marked ``real_commits``; after such a test every
  table is emptied.
- Passwords are hashed with argon2's cheapest parameters (tests only: ``ENGAGE_ENV=testing``).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Connection, create_engine, text, update

from engage import create_app
from engage.accounts import two_factor
from engage.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from engage.accounts.passwords import hash_password
from engage.boards.models import Board, BoardKind, Priority, PriorityStatus
from engage.database import sqlite_begin_mode, utcnow
from engage.extensions import db, limiter
from engage.jobs import queue

# The deployment's address is the machine's setting, not the tests': a test that needs one sets it itself
# (a shell or make target exporting ENGAGE_BASE_URL once sent every test's links to that host).
os.environ.pop("ENGAGE_BASE_URL", None)

PASSWORD = "correct horse battery staple"
#: The authenticator key of every test user with two-factor (administrators have it unless a test says not).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Sessions join the test's outer transaction with a SAVEPOINT of their own (see _Rollback), so their commits
# and rollbacks stay inside the test. With an engine (``real_commits``) this changes nothing.
db.session.session_factory.kw["join_transaction_mode"] = "create_savepoint"

pytest_plugins = ["tests.factories_prioritise", "tests.factories_surveys", "tests.factories_weights"]


#: The prepared-downloads folder this run made for itself (deleted at the end).
_OWN_JOB_FILES = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_commits: the test needs commits that other connections see (tables are emptied afterwards)",
    )
    config.addinivalue_line(
        "markers",
        "production_polling: a browser test whose pages poll at the production intervals (workshops 2 s,"
        " projector 1 s, results 3 s)",
    )
    # Prepared downloads go to a folder of this run's own: CI runs the suite on SQLite and PostgreSQL side by
    # side, and tests that check "no file was left" must not see the other run's files.
    if "ENGAGE_JOB_FILES_DIR" not in os.environ:
        os.environ["ENGAGE_JOB_FILES_DIR"] = tempfile.mkdtemp(prefix="engage-test-jobs-")
        config.stash[_OWN_JOB_FILES] = os.environ["ENGAGE_JOB_FILES_DIR"]


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_OWN_JOB_FILES, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("ENGAGE_JOB_FILES_DIR", None)


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def sibling_database(url: str, suffix: str) -> str:
    """A PostgreSQL database beside the test database, named after it (runs on other databases never meet)."""
    return f"{url}_{suffix}"


def _commits_do_not_wait_for_the_disk(connection: Connection, url: str) -> None:
    """Sessions on this test database commit without waiting for the write-ahead log to reach the disk
    (``synchronous_commit = off``): only a crash of the database server could lose the last moments'
    commits, and no test crashes it. A commit that writes took 4-6 ms here (0.9 ms without the wait); the
    browser tests' server and the tests marked ``real_commits`` commit a few thousand times a run (5,395
    transactions on the test database in one run of the browser tests, not all of them writes)."""
    connection.execute(text(f'ALTER DATABASE "{database_name(url)}" SET synchronous_commit = off'))


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
        _commits_do_not_wait_for_the_disk(connection, url)
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


class _CompiledTemplates(BytecodeCache):
    """Every template compiled once per run, not once per app: the run makes a few dozen apps (one per set
    of settings, and fresh ones), and each app's Jinja environment compiled each template it rendered again
    (about 45 ms a template; 347 compilations in the accounts, boards and prioritise tests alone). Kept in
    memory, keyed by the template's name and checked against its source, as Jinja's own file cache is."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self.code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


def make_test_app(database_url: str, tmp_path: Path | None = None, **overrides: Any) -> Flask:
    """An app on the test database with CSRF off unless a test turns it on."""
    config = {
        "ENGAGE_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)

    def fresh_g() -> None:
        # Tests keep an app context open, which Flask reuses for every test-client request, and ``g`` lives
        # on it: the locale Flask-Babel cached, the user Flask-Login loaded, CSRFProtect's "token checked"
        # would all carry over to the next request. In production each request has its own context, so
        # each starts with an empty ``g``: make tests do the same, before any other hook runs.
        g._get_current_object().__dict__.clear()

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)
    app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    return app


@dataclass(frozen=True)
class Demo:
    """The demo partnership, as the ``demo`` command loaded it."""

    url: str
    #: What the command printed.
    output: str
    #: Each demo user's email and the password the command printed for them.
    passwords: dict[str, str]
    #: The demo administrator's authenticator key, as printed.
    admin_totp_secret: str

    @classmethod
    def printed(cls, url: str, output: str) -> Demo:
        lines = (line.split() for line in output.splitlines())
        passwords = {words[0]: words[1] for words in lines if len(words) == 2 and "@" in words[0]}
        key = output.split("Authenticator key:", 1)[1].split()[0]
        return cls(url, output, passwords, key)


@pytest.fixture(scope="session")
def demo_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo partnership loaded once per run, by the real ``demo`` command, into a database of its own.

    Tests that ask for ``demo`` run in a rolled-back transaction on it (about 12 s saved each).
    """
    if database_url.startswith("postgresql"):
        url = sibling_database(database_url, "demo")
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{database_name(url)}"'))
            _commits_do_not_wait_for_the_disk(connection, url)
        admin.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'engage-demo.sqlite'}"
    app = make_test_app(url)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    return Demo.printed(url, result.output)


@pytest.fixture
def demo(demo_database: Demo) -> Demo:
    """The demo partnership in this test's database: every app the test makes uses it (see app_factory).

    Ask for ``app`` as well to work in the app's context.
    """
    return demo_database


def _copy_of_demo(demo: Demo, tmp_path: Path) -> str:
    """A copy of the demo's database for one test that commits (a browser test): seconds, not a reload."""
    for app in _APPS.values():  # no pooled connection may hold the demo's database open while it is copied
        if app.config["SQLALCHEMY_DATABASE_URI"] == demo.url:
            with app.app_context():
                db.engine.dispose()
    if demo.url.startswith("postgresql"):
        copy = sibling_database(demo.url, "copy")
        admin = create_engine(demo.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database_name(copy)}" WITH (FORCE)'))
            connection.execute(
                text(f'CREATE DATABASE "{database_name(copy)}" TEMPLATE "{database_name(demo.url)}"')
            )
            _commits_do_not_wait_for_the_disk(connection, copy)  # a template's settings are not copied
        admin.dispose()
        return copy
    # One path for every copy (as on PostgreSQL, one name): the app made for it is made once and reused (its
    # templates compiled once), its engine disposed after each test. A new file each time (a new inode: a
    # connection somehow left open keeps the old one), and no write-ahead log of the last copy left beside it
    # to be replayed into this one.
    copy = Path(demo.url.removeprefix("sqlite:///")).with_name("engage-demo-copy.sqlite")
    for leftover in (copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
        leftover.unlink(missing_ok=True)
    fresh = tmp_path / copy.name
    shutil.copyfile(demo.url.removeprefix("sqlite:///"), fresh)
    fresh.replace(copy)
    return f"sqlite:///{copy}"


#: Apps made so far in this run, by their settings: made once, reused by every test with the same settings.
_APPS: dict[str, Flask] = {}


#: Every sequence back to its start, as TRUNCATE ... RESTART IDENTITY would (ids start at 1 again, as SQLite's
#: do in an emptied table): one statement, touching only the sequences used since.
_RESTART_SEQUENCES = text(
    "SELECT count(setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false))"
    " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


def _empty_all_tables() -> None:
    """Every table emptied, children first. A DELETE of the few rows a test left, not a TRUNCATE: on
    PostgreSQL truncating the 56 tables took 1.5 s a time (a new file for each table), the DELETEs 3 ms."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # The DELETEs in one round trip (psycopg sends several statements without parameters at once), then
        # the sequences: one statement at a time took about 20 ms after each test that commits, this 3 ms.
        deletes = [str(table.delete().compile(dialect=db.engine.dialect)) for table in tables]
        db.session.connection().exec_driver_sql("; ".join(deletes))
        db.session.execute(_RESTART_SEQUENCES)
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


class _Rollback:
    """One connection in an outer transaction, shared by every app a test uses; rolled back at the end."""

    def __init__(self) -> None:
        self.connection = None
        self.outer = None
        self.swapped: list[tuple[dict, Any]] = []

    def join(self, app: Flask) -> None:
        with app.app_context():
            engines = db.engines
        engine = engines[None]
        if self.connection is None:
            self.connection = engine.connect()
            self.outer = self.connection.begin()
        self.swapped.append((engines, engine))
        engines[None] = self.connection

    def end(self) -> None:
        for engines, engine in reversed(self.swapped):
            engines[None] = engine
        if self.connection is not None:
            self.outer.rollback()
            self.connection.close()


@pytest.fixture
def app_factory(database_url: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., Flask]]:
    """An app with extra settings (e.g. CSRF or rate limits on). ``fresh=True`` makes a new app (for a test
    that adds routes, or needs two apps); otherwise apps are shared by settings across the run."""
    real_commits = request.node.get_closest_marker("real_commits") is not None
    rollback = None if real_commits else _Rollback()
    copied_demo = False
    if "demo" in request.fixturenames:
        demo = request.getfixturevalue("demo_database")
        copied_demo = real_commits
        database_url = _copy_of_demo(demo, request.getfixturevalue("tmp_path")) if copied_demo else demo.url
    used: list[tuple[Flask, dict]] = []
    made: list[Flask] = []

    def factory(fresh: bool = False, **overrides: Any) -> Flask:
        key = repr((database_url, sorted(overrides.items())))
        if fresh:
            app = make_test_app(database_url, **overrides)
            made.append(app)
        else:
            if key not in _APPS:
                _APPS[key] = make_test_app(database_url, **overrides)
            app = _APPS[key]
        used.append((app, dict(app.config)))
        # The limiter is one object bound to the last app configured: bind it to this one, counters empty.
        limiter.init_app(app)
        if limiter.enabled:
            limiter.reset()
        if rollback is not None:
            rollback.join(app)
        return app

    if real_commits:
        # The test's own statements (factories, checks) each commit at once on SQLite: never a held lock
        # for a live server's thread to wait on, never an old snapshot to assert against.
        with sqlite_begin_mode(""):
            yield factory
    else:
        yield factory
    for app, config in used:
        with app.app_context():
            db.session.remove()
        app.config.clear()
        app.config.update(config)
    if rollback is not None:
        rollback.end()
    elif used and not copied_demo:  # a copy of the demo is thrown away whole
        with used[0][0].app_context():
            _empty_all_tables()
            db.session.remove()
    for app in made + [app for app, _ in used if copied_demo]:
        with app.app_context():
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


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A local port whose connections the kernel accepts and nobody ever answers: a server behind a dropped
    network (for checking that a client's timeouts hold)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        yield silent.getsockname()[1]
    finally:
        silent.close()


@pytest.fixture
def queued_app(app_factory, app, tmp_path) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """An app whose jobs go to a real queue (an SQLite file of this test's), as in production, and its
    settings (for a worker the test starts); no worker runs unless the test starts one. The in-process queue
    is put back afterwards for the other tests."""
    settings = {
        "ENGAGE_JOBS_IMMEDIATE": False,
        "ENGAGE_JOBS_SQLITE": str(tmp_path / "queue.sqlite"),
        "ENGAGE_JOB_FILES_DIR": str(tmp_path / "files"),
    }
    yield app_factory(fresh=True, **settings), settings
    queue.configure(app)


def _password_hash() -> str:
    # One hash (made with the testing app's cheap argon2 parameters) serves every test user.
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
        *roles: Role,
        organisation: Organisation | None = None,
        email: str | None = None,
        active: bool = True,
        two_factor_on: bool | None = None,
    ) -> User:
        """A user with these roles. Administrators have two-factor set up with ``TOTP_SECRET`` (they must),
        others not, unless ``two_factor_on`` says otherwise."""
        enrolled = Role.ADMIN in roles if two_factor_on is None else two_factor_on
        user = User(
            email=email or f"user{next(counter)}@partner.example",
            name="Test User",
            password_hash=_password_hash(),
            organisation=organisation or make_organisation(),
            active=active,
            role_grants=[UserRole(role=role) for role in roles],
            totp_secret=two_factor.encrypt_secret(TOTP_SECRET) if enrolled else None,
            totp_enabled_at=utcnow() if enrolled else None,
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


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app given ``secret`` shows now."""
    return pyotp.TOTP(secret).now()


def sign_in(
    client: FlaskClient, user: User | str, password: str = PASSWORD, *, totp_secret: str = TOTP_SECRET
):
    """Sign in through the real forms (CSRF is off in the default test app): the password, then, when the
    account has two-factor, the code an app given ``totp_secret`` shows now.

    A test may sign the same person in several times within one 30-second step, and a code is accepted once
    per step: the helper forgets the step last used first, as waiting for the next one would.
    """
    email = user if isinstance(user, str) else user.email
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/sign-in/code"):
        with client.application.app_context():
            forget = update(User).where(User.email == email.strip().lower()).values(totp_last_step=None)
            db.session.execute(forget)
            db.session.commit()
        response = client.post("/sign-in/code", data={"code": totp_code(totp_secret)})
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
