"""The database unavailable: residents get a clear "try again shortly" page with a 503, not a stack trace, and
the same running app serves again as soon as the database is back."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import bindparam, create_engine, exc, select, text
from sqlalchemy.pool import NullPool

import engage.database
from engage.extensions import db
from tests.conftest import make_test_app


def test_postgresql_down_gives_a_503_page_and_json_for_the_api(tmp_path):
    # Nothing listens on port 1: the same error as a stopped PostgreSQL.
    app = make_test_app("postgresql+psycopg://postgres@127.0.0.1:1/test", tmp_path)
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    html = page.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in html
    assert "Try again in a minute or two." in html
    assert "Traceback" not in html and "psycopg" not in html
    api = client.get("/api/v1/boards", headers={"Authorization": "Bearer engage_x"})
    assert api.status_code == 503
    assert api.get_json()["error"]["status"] == 503
    with app.app_context():
        db.engine.dispose()


def test_the_page_is_in_the_residents_language(tmp_path):
    app = make_test_app("postgresql+psycopg://postgres@127.0.0.1:1/test", tmp_path)
    html = app.test_client().get("/?lang=cy").get_data(as_text=True)
    assert '<html lang="cy"' in html and "Sorry, the service is unavailable" not in html


def test_the_app_recovers_without_a_restart_when_the_database_returns(tmp_path):
    missing = tmp_path / "not-mounted-yet"
    app = make_test_app(f"sqlite:///{missing / 'engage.sqlite'}", tmp_path)
    client = app.test_client()
    assert client.get("/").status_code == 503  # the disk holding the database is not there
    missing.mkdir()
    with app.app_context():
        upgrade()  # the database is back (restored, migrated)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_a_bug_in_a_query_is_still_a_500_not_a_503(app_factory):
    app = app_factory(fresh=True, ENGAGE_RENDER_500_IN_TESTS=True)  # it adds a route
    client = app.test_client()

    @app.get("/broken-query")
    def broken():
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    assert client.get("/broken-query").status_code == 500


class _Clock:
    """Stands in for the clock that says how long a pooled connection has lain idle."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    stand_in = _Clock()
    monkeypatch.setattr(engage.database, "_idle_clock", stand_in)
    return stand_in


def _pings(app, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every connection test the app's pool makes from now on."""
    with app.app_context():
        dialect = db.engine.dialect
    made: list[int] = []
    real = dialect.do_ping

    def counted(dbapi_connection) -> bool:
        made.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return made


@pytest.mark.real_commits
def test_a_pooled_connection_is_tested_only_after_lying_idle(app_factory, clock, monkeypatch):
    app = app_factory(fresh=True, ENGAGE_DATABASE_PING_AFTER_IDLE=2)
    pings = _pings(app, monkeypatch)
    client = app.test_client()
    for _ in range(3):  # a busy worker: each request takes the connection the one before gave back
        assert client.get("/readyz").status_code == 200
        clock.now += 1.5
    assert pings == []
    clock.now += 1  # 2.5 s idle
    assert client.get("/readyz").status_code == 200
    assert pings == [1]


@pytest.mark.real_commits
def test_no_idle_time_means_a_test_before_every_use(app_factory, clock, monkeypatch):
    app = app_factory(fresh=True, ENGAGE_DATABASE_PING_AFTER_IDLE=0)
    pings = _pings(app, monkeypatch)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/readyz").status_code == 200
    assert pings == [1, 1]  # the first request made its connection: nothing to test


def _pooled_driver_connections(app, count: int = 1) -> list:
    """Check out ``count`` connections at once and give them back: the driver's connections the app's pool
    then holds (a fresh app's pool holds only what it was asked for at once)."""
    with app.app_context():
        held = [db.engine.raw_connection() for _ in range(count)]
        drivers = [each.dbapi_connection for each in held]
        for each in held:
            each.close()
    return drivers


def _drop(drivers: list, database_url: str) -> None:
    """End these connections as a database restart would (on SQLite, close them)."""
    if not database_url.startswith("postgresql"):
        for driver in drivers:
            driver.close()
        return
    other = create_engine(database_url, poolclass=NullPool)
    with other.begin() as connection:
        for driver in drivers:
            # With a timeout, pg_terminate_backend waits until the server process has gone.
            ended = text("SELECT pg_terminate_backend(:pid, 5000)")
            assert connection.execute(ended, {"pid": driver.info.backend_pid}).scalar()
    other.dispose()


@pytest.mark.real_commits
def test_a_restart_found_by_testing_an_idle_connection_renews_every_pooled_connection(
    app_factory, database_url, clock, monkeypatch
):
    app = app_factory(fresh=True, ENGAGE_DATABASE_PING_AFTER_IDLE=2)
    client = app.test_client()
    assert client.get("/").status_code == 200
    dropped = _pooled_driver_connections(app, 2)
    _drop(dropped, database_url)
    pings = _pings(app, monkeypatch)
    clock.now += 30  # both lay idle
    page = client.get("/")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    again = _pooled_driver_connections(app, 2)
    assert not {id(driver) for driver in again} & {id(driver) for driver in dropped}
    # One test found the restart; the other connection was renewed with it, not tested in turn.
    assert pings == [1]


@pytest.mark.real_commits
def test_a_connection_dropped_in_a_busy_moment_fails_one_request_then_the_pool_is_renewed(
    app_factory, database_url, clock
):
    """What testing only idle connections gives up: a connection used again within the idle time of a
    database restart fails its request (the "try again" page, nothing written); the next is served."""
    app = app_factory(fresh=True, ENGAGE_DATABASE_PING_AFTER_IDLE=2)
    client = app.test_client()
    assert client.get("/").status_code == 200
    dropped = _pooled_driver_connections(app, 2)
    _drop(dropped, database_url)
    clock.now += 0.5
    failed = client.get("/")
    assert failed.status_code == 503
    assert "Sorry, the service is unavailable" in failed.get_data(as_text=True)
    assert client.get("/").status_code == 200
    again = _pooled_driver_connections(app, 2)
    assert not {id(driver) for driver in again} & {id(driver) for driver in dropped}


@pytest.mark.real_commits
def test_a_statement_sent_straight_to_the_driver_on_a_dropped_connection_renews_the_pool(
    app_factory, database_url, clock
):
    from engage import driver_sql
    from engage.database import table_of
    from engage.prioritise.models import Respondent

    people = table_of(Respondent)
    find = select(people.c.id).where(people.c.id == bindparam("id"))
    app = app_factory(fresh=True, ENGAGE_DATABASE_PING_AFTER_IDLE=2)
    dropped = _pooled_driver_connections(app, 2)
    _drop(dropped, database_url)
    clock.now += 0.5  # not idle: not tested before use
    with app.app_context():
        with pytest.raises(exc.DBAPIError) as raised:
            driver_sql.run(db.session.connection(), find, {"id": 1})
        assert raised.value.connection_invalidated
        db.session.rollback()
        db.session.remove()
    # The other pooled connection, gone too, is renewed at its next use rather than failing a request.
    again = _pooled_driver_connections(app, 2)
    assert not {id(driver) for driver in again} & {id(driver) for driver in dropped}
    with app.app_context():
        assert driver_sql.run(db.session.connection(), find, {"id": -1}).one_or_none() is None
        db.session.remove()
