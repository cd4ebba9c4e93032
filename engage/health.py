"""``/healthz``: the process answers (for the load balancer's liveness check; touches nothing).
``/readyz``: it can do its work: the database answers, when one is configured Redis does, and the folder of
prepared downloads (``ENGAGE_JOB_FILES_DIR``: shared storage when there are several hosts, docs/deploy.md)
takes a file. A 503 with what failed, so the load balancer stops sending residents to a host that would only
show errors."""

from __future__ import annotations

import tempfile
from contextlib import suppress

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from engage.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def alive():
    return jsonify(status="ok")


def _database() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:
        with suppress(Exception):  # the connection may already be gone: then there is nothing to undo
            db.session.rollback()  # leave nothing broken for the request's end
        return type(error).__name__
    return None


def _redis() -> str | None:
    url = current_app.config.get("ENGAGE_REDIS_URL")
    if not url:
        return None
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except Exception as error:
        return type(error).__name__
    return None


def _job_files() -> str | None:
    """A file can be written to and removed from the prepared downloads' folder."""
    from engage.jobs.running import files_dir

    try:
        with tempfile.NamedTemporaryFile(dir=files_dir(), prefix=".readyz-"):
            pass
    except OSError as error:
        return type(error).__name__
    return None


@bp.get("/readyz")
@limiter.exempt
def ready():
    checks = {"database": _database(), "redis": _redis(), "job_files": _job_files()}
    failed = {name: problem for name, problem in checks.items() if problem}
    body = {"status": "unavailable" if failed else "ok", "failed": failed}
    return jsonify(body), 503 if failed else 200
