"""The database unavailable: residents get a clear "try again shortly" page with a 503, not a stack trace, and
the same running app serves again as soon as the database is back."""

from __future__ import annotations

from flask_migrate import upgrade

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
    from sqlalchemy import text

    app = app_factory(fresh=True, ENGAGE_RENDER_500_IN_TESTS=True)  # it adds a route
    client = app.test_client()

    @app.get("/broken-query")
    def broken():
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    assert client.get("/broken-query").status_code == 500
