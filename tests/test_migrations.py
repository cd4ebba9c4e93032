"""The migrations build the schema the models describe, on SQLite and PostgreSQL, and can be undone."""

import os
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from engage import MIGRATIONS_DIR, create_app
from engage.extensions import db
from tests.conftest import database_name, sibling_database

#: Backups, restores and migrations use their own connections: they need real commits.
pytestmark = pytest.mark.real_commits


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []


def test_database_is_at_the_single_head_revision(app):
    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    assert len(heads) == 1, "two migration heads: merge them"
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == heads[0]


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of the same kind as the test database, for upgrade and downgrade."""
    url = os.environ.get("ENGAGE_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = database_name(sibling_database(url, "scratch"))
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield sibling_database(url, "scratch")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_from_empty_then_downgrade_to_empty_and_back(scratch_database_url):
    app = create_app({"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": scratch_database_url})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"organisations", "users", "user_roles", "boards", "board_members", "priorities"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "priorities" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_rebuilding_api_tokens_keeps_which_token_made_each_call(scratch_database_url):
    """SQLite rebuilds api_tokens (token expiry, token scope) by dropping it, which set every logged call's
    token to NULL (ON DELETE SET NULL): the calls keep their token through upgrade and downgrade."""
    from flask_migrate import downgrade

    from engage.extensions import db

    app = create_app({"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": scratch_database_url})
    with app.app_context():
        upgrade(revision="da4be255583b")  # before tokens expire
        now = datetime(2026, 11, 1, 10, 0)
        with db.engine.begin() as c:
            c.execute(text("INSERT INTO organisations VALUES (1, 'Police', 'police', :now)"), {"now": now})
            c.execute(
                text(
                    "INSERT INTO api_tokens (id, organisation_id, name, token_hash, prefix, created_at) "
                    "VALUES (7, 1, 'Performance system', :hash, 'eng_abcd', :now)"
                ),
                {"hash": "a" * 64, "now": now},
            )
            c.execute(
                text(
                    "INSERT INTO api_calls (id, token_id, method, path, status, at) "
                    "VALUES (1, 7, 'GET', '/api/v1/boards', 200, :now)"
                ),
                {"now": now},
            )

        def token_of_the_call() -> int | None:
            with db.engine.connect() as c:
                return c.execute(text("SELECT token_id FROM api_calls WHERE id = 1")).scalar()

        upgrade()
        assert token_of_the_call() == 7
        downgrade(revision="da4be255583b")
        assert token_of_the_call() == 7
        db.engine.dispose()


def test_consultation_translations_move_to_content_translations_and_back(scratch_database_url):
    """content_translations takes over consultation_translations: a consultation's translations survive the
    upgrade and the downgrade."""
    from engage.extensions import db

    app = create_app({"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": scratch_database_url})
    with app.app_context():
        upgrade(revision="7c3e91d4a2b6")  # before content_translations
        now = datetime(2026, 11, 1, 10, 0)
        with db.engine.begin() as c:
            c.execute(text("INSERT INTO organisations VALUES (1, 'Council', 'council', :now)"), {"now": now})
            _insert(c, "consultations", {"id": 5, "organisation_id": 1, "status": "draft"})
            c.execute(
                text(
                    "INSERT INTO consultation_translations (consultation_id, locale, key, text) "
                    "VALUES (5, 'cy', 'consultation:5:title', 'Eich gwasanaethau')"
                )
            )

        def rows(table: str) -> list:
            with db.engine.connect() as c:
                query = f"SELECT consultation_id, locale, key, text FROM {table}"  # noqa: S608 (our two tables)
                return c.execute(text(query)).all()

        upgrade()
        assert rows("content_translations") == [(5, "cy", "consultation:5:title", "Eich gwasanaethau")]
        downgrade(revision="7c3e91d4a2b6")
        assert rows("consultation_translations") == [(5, "cy", "consultation:5:title", "Eich gwasanaethau")]
        db.engine.dispose()


def _insert(connection, table: str, given: dict) -> None:
    """A row of ``table`` with ``given`` and a plain value in every other column that needs one."""
    now = datetime(2026, 11, 1, 10, 0)
    values = dict(given)
    for column in inspect(connection).get_columns(table):
        if column["name"] in values or column["nullable"] or column.get("default") is not None:
            continue
        kind = str(column["type"]).upper()
        plain = (
            now
            if "DATE" in kind or "TIME" in kind
            else False
            if "BOOL" in kind
            else 0
            if "INT" in kind
            else "x"
        )
        values[column["name"]] = plain
    names = ", ".join(values)
    placeholders = ", ".join(":" + name for name in values)
    connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({placeholders})"), values)  # noqa: S608


def test_a_table_rebuilt_by_a_migration_keeps_the_rows_that_point_at_it(scratch_database_url):
    """SQLite rebuilds a table in batch mode (copy, drop, rename); with foreign keys on, the drop emptied
    every reference to it (ON DELETE SET NULL) and deleted the rows that cascade from it. The two-factor
    migration rebuilds users: going down past it keeps who made a consultation and each person's roles."""
    app = create_app({"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": scratch_database_url})
    with app.app_context():
        upgrade(revision="da4be255583b")
        with db.engine.begin() as c:
            _insert(c, "organisations", {"id": 1, "name": "Council", "kind": "council"})
            _insert(c, "users", {"id": 3, "email": "officer@example.org", "organisation_id": 1})
            _insert(c, "user_roles", {"user_id": 3, "role": "board_officer"})
            _insert(
                c, "consultations", {"id": 5, "organisation_id": 1, "status": "draft", "created_by_id": 3}
            )

        def kept() -> tuple:
            with db.engine.connect() as c:
                made_by = c.execute(text("SELECT created_by_id FROM consultations WHERE id = 5")).scalar()
                roles = c.execute(text("SELECT count(*) FROM user_roles WHERE user_id = 3")).scalar()
                return made_by, roles

        downgrade(revision="034516ac0930")
        assert kept() == (3, 1)
        upgrade()
        assert kept() == (3, 1)
        db.engine.dispose()
