"""The deployment recipe in deploy/ agrees with the app (fast checks; `make deploy-check` runs it for real):
the example settings make a working production app, nginx's upload limit is the app's, the units run
commands that exist, and the site still has every value the check replaces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engage import create_app
from engage.config import load_config
from scripts.deploy_check.stack import (
    DEPLOY,
    RECIPE_ROOT,
    ROOT,
    CheckError,
    client_max_body_size,
    read_env_file,
    render_site,
    unit_command,
)

UNITS = ("engage.service", "engage-worker.service")


def _example_settings() -> dict[str, str]:
    env = read_env_file(DEPLOY / "engage.env.example")
    return env | {"ENGAGE_SECRET_KEY": "x" * 64}


def test_the_example_settings_make_a_production_app(tmp_path):
    config = load_config(str(tmp_path), env=_example_settings())
    assert config["ENGAGE_ENV"] == "production"
    assert config["ENGAGE_PROXY_HOPS"] == 1
    assert config["ENGAGE_BASE_URL"] == "https://engage.example.gov.uk"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["ENGAGE_PARTNERSHIP_NAME"] == "Aldermoor Partnership"  # a quoted value, unquoted


def test_nginx_takes_exactly_what_the_app_takes(tmp_path):
    config = load_config(str(tmp_path), env=_example_settings())
    assert client_max_body_size() == config["MAX_CONTENT_LENGTH"]


def test_nginx_waits_longer_than_gunicorn():
    site = (DEPLOY / "nginx" / "engage.conf").read_text()
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", site).group(1))
    assert read_timeout > int(read_env_file(DEPLOY / "engage.env.example")["ENGAGE_WORKER_TIMEOUT"])


@pytest.mark.parametrize("unit", UNITS)
def test_each_unit_runs_a_command_from_this_checkout(unit):
    command = unit_command(unit)
    assert Path(command[0]).parent == ROOT / ".venv" / "bin"
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "EnvironmentFile=/etc/engage/engage.env" in text
    assert RECIPE_ROOT not in " ".join(command)


def test_the_units_run_commands_the_app_has():
    """The web app, and the worker (which also runs retention and backups: the recipe has no timers)."""
    app = create_app({"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert unit_command("engage-worker.service")[-2:] == ["jobs", "worker"]
    assert "jobs" in app.cli.list_commands(None)
    assert unit_command("engage.service")[-1] == str(ROOT / "gunicorn.conf.py")
    assert sorted(path.name for path in (DEPLOY / "systemd").iterdir()) == sorted(UNITS)


def test_the_site_renders_for_the_check_with_every_value_replaced(tmp_path):
    site = render_site(
        https_port=8443,
        http_port=8080,
        upstreams=[9001, 9002],
        cert=tmp_path / "cert.pem",
        key=tmp_path / "key.pem",
        logs=tmp_path,
        static=False,
    )
    assert "server 127.0.0.1:9001 max_fails" in site and "server 127.0.0.1:9002 max_fails" in site
    assert "listen 127.0.0.1:8443 ssl http2;" in site
    assert "engage.example.gov.uk" not in site and RECIPE_ROOT not in site and "[::]" not in site
    assert "location /static/" not in site  # the app serves them
    assert f"alias {ROOT}/deploy/nginx/errors/;" in site
    assert (ROOT / "deploy" / "nginx" / "errors" / "413.html").is_file()


def test_a_site_without_a_value_the_check_replaces_is_refused(tmp_path, monkeypatch):
    changed = tmp_path / "engage.conf"
    changed.write_text(
        (DEPLOY / "nginx" / "engage.conf").read_text().replace("listen 443 ssl", "listen 8443 ssl")
    )
    monkeypatch.setattr("scripts.deploy_check.stack.SITE", changed)
    with pytest.raises(CheckError, match="listen 443 ssl"):
        render_site(
            https_port=1, http_port=2, upstreams=[3], cert=tmp_path, key=tmp_path, logs=tmp_path, static=True
        )
