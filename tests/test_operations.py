"""Running it for real: the proxy's headers believed only when configured, request ids on every log line and
response, JSON logs, the health checks, and gunicorn started from gunicorn.conf.py."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import request, url_for

from benchmarks.workshop import _free_port
from engage.config import ConfigError, load_config
from engage.logs import AccessFormatter, JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent


def _where_am_i(app):
    @app.get("/test-only/where")
    def where():
        logging.getLogger("engage.test").info("seen", extra={"ward": "North"})
        return {"address": request.remote_addr, "link": url_for("health.alive", _external=True)}

    return app.test_client()


def test_without_a_proxy_forwarded_headers_are_ignored(app_factory):
    client = _where_am_i(app_factory(fresh=True))
    headers = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
    }
    body = client.get("/test-only/where", headers=headers).get_json()
    assert body["address"] == "127.0.0.1"  # anyone can send the header: no proxy is configured
    assert body["link"].startswith("http://localhost/")


def test_behind_one_proxy_the_client_and_scheme_come_from_it(app_factory):
    client = _where_am_i(app_factory(fresh=True, ENGAGE_PROXY_HOPS=1))
    headers = {
        # A client's own forged entry first, then what nginx appended: only the last hop is believed.
        "X-Forwarded-For": "198.51.100.1, 203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "engage.council.example",
    }
    body = client.get("/test-only/where", headers=headers).get_json()
    assert body["address"] == "203.0.113.9"
    assert body["link"] == "https://engage.council.example/healthz"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("ENGAGE_PROXY_HOPS", "nginx", "number of proxies"),
        ("ENGAGE_PROXY_HOPS", "-1", "number of proxies"),
        ("ENGAGE_PROXY_HOPS", "12", "0 to 5"),
        ("ENGAGE_LOG_LEVEL", "LOUD", "ENGAGE_LOG_LEVEL must be one of"),
        ("ENGAGE_LOG_FORMAT", "xml", "json or text"),
    ],
)
def test_wrong_settings_are_refused_at_start_with_a_clear_message(tmp_path, name, value, says):
    env = {"ENGAGE_ENV": "production", "ENGAGE_SECRET_KEY": "x" * 40, name: value}
    env["ENGAGE_BASE_URL"] = "https://engage.council.example"
    with pytest.raises(ConfigError, match=says):
        load_config(str(tmp_path), env=env)


def test_production_logs_json_by_default_and_development_text(tmp_path):
    env = {"ENGAGE_SECRET_KEY": "x" * 40, "ENGAGE_BASE_URL": "https://engage.council.example"}
    assert load_config(str(tmp_path), env={**env, "ENGAGE_ENV": "production"})["ENGAGE_LOG_FORMAT"] == "json"
    assert load_config(str(tmp_path), env={**env, "ENGAGE_ENV": "development"})["ENGAGE_LOG_FORMAT"] == "text"
    assert load_config(str(tmp_path), env={**env, "ENGAGE_LOG_LEVEL": "debug"})["ENGAGE_LOG_LEVEL"] == "DEBUG"


def test_every_response_and_log_line_carries_the_request_id(app_factory, caplog):
    client = _where_am_i(app_factory(fresh=True))
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="engage.test"):
        first = client.get("/test-only/where")
        second = client.get("/test-only/where", headers={"X-Request-ID": "chosen-by-the-client"})
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(len(i) == 32 for i in ids) and ids[0] != ids[1]  # a client cannot choose it without a proxy
    assert [r.request_id for r in caplog.records if r.name == "engage.test"] == ids
    line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert line["request_id"] == ids[1] and line["message"] == "seen" and line["ward"] == "North"
    assert line["level"] == "INFO" and line["logger"] == "engage.test" and line["time"].endswith("+00:00")


def test_a_trusted_proxy_passes_its_request_id_through_if_it_looks_like_one(app_factory):
    client = _where_am_i(app_factory(fresh=True, ENGAGE_PROXY_HOPS=1))
    kept = client.get("/test-only/where", headers={"X-Request-ID": "nginx-7f3a.2"})
    assert kept.headers["X-Request-ID"] == "nginx-7f3a.2"
    for strange in ("a b", "x" * 65, "<script>", "id\u00e9"):
        replaced = client.get("/test-only/where", headers={"X-Request-ID": strange}).headers["X-Request-ID"]
        assert replaced != strange and len(replaced) == 32


def test_the_error_page_gives_the_request_id_to_quote(app_factory):
    app = app_factory(fresh=True, ENGAGE_RENDER_500_IN_TESTS=True, PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-only/broken")
    def broken():
        raise RuntimeError("a bug")

    response = app.test_client().get("/test-only/broken")
    assert response.status_code == 500
    assert f"quote this reference: {response.headers['X-Request-ID']}" in response.get_data(as_text=True)


def test_gunicorns_access_line_is_json_in_the_same_shape():
    record = logging.makeLogRecord({"name": "gunicorn.access", "levelno": logging.INFO, "levelname": "INFO"})
    record.msg = "%(h)s"
    record.args = {"h": "127.0.0.1", "m": "GET", "U": "/readyz", "s": "200", "B": "31", "M": 4, "a": "curl"}
    record.args["{x-request-id}o"] = "abc123"
    line = json.loads(AccessFormatter().format(record))
    assert line["request_id"] == "abc123" and line["path"] == "/readyz" and line["status"] == "200"
    assert line["duration_ms"] == 4 and line["message"] == "request"


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
        ("::ffff:203.0.113.77", "203.0.113.0"),
        ("unix:/run/engage.sock", "unix:/run/engage.sock"),
        (None, None),
    ],
)
def test_access_logs_keep_a_network_not_an_address(address, kept):
    """A resident's send is a logged request with its time: the log keeps which network it came from, not the
    household's address (docs/privacy.md)."""
    record = logging.makeLogRecord({"name": "gunicorn.access", "levelno": logging.INFO, "levelname": "INFO"})
    record.msg, record.args = "%(h)s", {"h": address, "m": "POST", "U": "/consultations/1/check", "s": "302"}
    assert json.loads(AccessFormatter().format(record))["client"] == kept


def test_health_checks(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ok", "failed": {}}


def test_not_ready_when_redis_cannot_be_reached(app_factory):
    app = app_factory(fresh=True, ENGAGE_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "failed": {"redis": "ConnectionError"}}


def test_not_ready_when_the_database_fails(client, monkeypatch):
    from sqlalchemy import text

    monkeypatch.setattr("engage.health.text", lambda _sql: text("SELECT * FROM no_such_table"))
    response = client.get("/readyz")
    assert response.status_code == 503 and "database" in response.get_json()["failed"]
    monkeypatch.undo()
    assert client.get("/readyz").status_code == 200  # nothing was left broken


@pytest.mark.real_commits
def test_gunicorn_runs_from_its_config_with_json_access_logs(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "ENGAGE_ENV": "production",
        "ENGAGE_SECRET_KEY": "gunicorn-test-secret-key-0123456789abcdef",
        "ENGAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'engage.sqlite'}",
        "ENGAGE_BIND": f"127.0.0.1:{port}",
        "ENGAGE_WORKERS": "1",
        "ENGAGE_PROXY_HOPS": "1",
        "ENGAGE_BASE_URL": "https://engage.council.example",
    }
    env.pop("ENGAGE_REDIS_URL", None)
    access = (tmp_path / "access.log").open("w")
    # Its error log goes to a file, not a pipe: nothing read from a pipe can block the test, and a chatty
    # server can never stall on a full pipe.
    errors = (tmp_path / "error.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=access,
        stderr=errors,
    )
    try:
        asked = urllib.request.Request(
            f"http://127.0.0.1:{port}/readyz", headers={"X-Request-ID": "from-nginx-1"}
        )
        deadline = time.monotonic() + 90  # a busy 2-core machine can take a while to import the app
        while True:
            try:
                with urllib.request.urlopen(asked, timeout=5) as response:  # noqa: S310
                    assert response.status == 200
                    assert response.headers["X-Request-ID"] == "from-nginx-1"
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    errors.flush()
                    said = (tmp_path / "error.log").read_text()[-2000:]
                    pytest.fail(f"gunicorn did not start (exit {server.poll()}): {said!r}")
                time.sleep(0.2)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        errors.close()
        access.close()
    lines = [json.loads(line) for line in (tmp_path / "access.log").read_text().splitlines() if line.strip()]
    requests = [line for line in lines if line.get("message") == "request"]
    assert requests and requests[-1]["path"] == "/readyz" and requests[-1]["request_id"] == "from-nginx-1"
    assert requests[-1]["status"] == "200"


def test_not_ready_when_the_job_files_folder_cannot_be_written(app_factory, tmp_path):
    """A host whose prepared-downloads folder (shared storage on several hosts) is missing or read-only."""
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    app = app_factory(fresh=True, ENGAGE_JOB_FILES_DIR=str(blocked / "jobs"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == {"job_files": "NotADirectoryError"}
