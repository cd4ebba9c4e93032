"""`make deploy-check`: the deployment recipe in deploy/ proved on this machine (docs/deploy.md).

One app host, then two: gunicorn (deploy/systemd/engage.service's command, deploy/engage.env.example's
settings) on loopback, on PostgreSQL and Redis, behind nginx (deploy/nginx/engage.conf) with a self-signed
certificate on a high port; every check goes through nginx. It uses its own PostgreSQL database and Redis
database number (dropped and emptied at the end):

    ENGAGE_DEPLOY_CHECK_DATABASE_URL  default postgresql+psycopg://postgres@127.0.0.1:5432/engage_deploy_check
    ENGAGE_DEPLOY_CHECK_REDIS_URL     default redis://127.0.0.1:6379/13

Exits 1 if any check fails. Needs nginx (`make deploy-check` installs Debian's when it is missing and it
runs as root) and openssl.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.deploy_check import checks
from scripts.deploy_check.export import export_completes_as_job
from scripts.deploy_check.room import workshop_room
from scripts.deploy_check.stack import SECRET_KEY, CheckError, Stack

DATABASE_URL = os.environ.get(
    "ENGAGE_DEPLOY_CHECK_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/engage_deploy_check"
)
REDIS_URL = os.environ.get("ENGAGE_DEPLOY_CHECK_REDIS_URL", "redis://127.0.0.1:6379/13")


@dataclass
class Outcome:
    name: str
    passed: bool | None  # None: not yet built
    detail: str
    seconds: float


class Report:
    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []

    def run(self, name: str, check, *args, **kwargs) -> None:
        started = time.perf_counter()
        try:
            detail = check(*args, **kwargs)
        except checks.Skipped as reason:
            outcome = Outcome(name, None, f"skipped: {reason}", 0)
        except Exception as problem:  # a check that breaks is a failed check, with what broke
            outcome = Outcome(name, False, f"{type(problem).__name__}: {problem}", 0)
        else:
            passed = None if detail is None else True
            outcome = Outcome(name, passed, detail or "not yet: " + (check.__doc__ or "").split("\n")[0], 0)
        outcome.seconds = time.perf_counter() - started
        self.outcomes.append(outcome)
        mark = {
            True: "ok  ",
            False: "FAIL",
            None: "SKIP" if outcome.detail.startswith("skipped") else "NOT YET",
        }[outcome.passed]
        print(f"  {mark} {name} ({outcome.seconds:.1f} s): {outcome.detail}", flush=True)

    @property
    def failed(self) -> bool:
        return any(o.passed is False for o in self.outcomes)


def _migrate():
    """The check's database migrated, as `flask --app engage db upgrade` does; an app to read it with."""
    from flask_migrate import upgrade

    from engage import create_app

    app = create_app(
        {"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET_KEY}
    )
    with app.app_context():
        upgrade()
    return app


def _seed(stack: Stack, app):
    """A workshop run by a facilitator who may also upload indicators, signed in through nginx."""
    import requests

    from benchmarks.workshop import setup_room, sign_in
    from engage.accounts.models import Role

    session_id, code, exercise_id = setup_room(app, started=False, roles=[Role.ANALYST])
    facilitator: requests.Session = stack.client()
    sign_in(facilitator, stack.base)
    return facilitator, session_id, code, exercise_id


def _show_logs(stack: Stack) -> None:
    """After a failure: the app's errors (with their tracebacks) and the last lines of every log."""
    for line in stack.app_log():
        if line.get("level") in {"ERROR", "CRITICAL"}:
            print(f"---- app error: {line.get('message')}\n{line.get('exception', '')}", flush=True)
    errors = stack.logs / "engage.error.log"
    if errors.exists():
        print("---- nginx's error log:\n" + "\n".join(errors.read_text().splitlines()[-15:]), flush=True)
    for process in [stack.nginx, *stack.hosts.values(), *stack.workers.values()]:
        if process is not None:
            print(f"---- {process.name}, last lines:\n{process.tail(10)}", flush=True)


def _checks(stack: Stack, report: Report) -> None:
    print("deploy-check: certificate, database, one app host behind nginx", flush=True)
    stack.make_certificate()
    stack.make_database()
    stack.start_hosts(2)  # both load the app while the schema is made; the second waits for part two
    app = _migrate()
    stack.start_workers(2)  # one beside each app host, started once the schema is there
    stack.wait_for_hosts()
    stack.start_nginx(static=True, hosts=1)
    facilitator, session_id, code, exercise_id = _seed(stack, app)
    scheduled = checks.start_schedule_commands(stack)  # beside everything else; collected last
    report.run("ready", checks.ready, stack)
    report.run("HTTPS only", checks.https_only, stack)
    report.run("compression, caching, HSTS", checks.compression_and_caching, stack, nginx_serves_static=True)
    report.run("request ids", checks.request_ids, stack)
    report.run("rate limits per client", checks.rate_limits_per_client, stack)
    report.run("links use ENGAGE_BASE_URL", checks.links_use_base_url, stack, facilitator, session_id, code)
    report.run("oversized upload", checks.oversized_upload, stack, facilitator)
    report.run("systemd units", checks.units_verify, stack)

    print("deploy-check: two app hosts behind nginx's upstream, static files from the app", flush=True)
    stack.start_nginx(static=False, hosts=2)
    report.run("ready on both hosts", checks.ready, stack)
    report.run("static files from the app", checks.compression_and_caching, stack, nginx_serves_static=False)
    report.run("rate limits shared", checks.rate_limits_shared, stack)
    room = (stack, app, facilitator, session_id, code, exercise_id)
    report.run("workshop room of 60 phones", workshop_room, *room)
    report.run("50,000-response export as a job", export_completes_as_job, stack, app, exercise_id)
    report.run("retention and backup (the worker's schedule)", checks.schedule_commands, stack, scheduled)


def main() -> int:
    report = Report()
    began = time.perf_counter()
    # A stop (Ctrl-C, CI's time-out) still cleans up: SIGTERM becomes an exception like SIGINT.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="engage-deploy-check-") as work:
        stack = Stack(Path(work), DATABASE_URL, REDIS_URL)
        try:
            _checks(stack, report)
        except (CheckError, OSError) as problem:
            report.outcomes.append(Outcome("start the stack", False, str(problem), 0))
            print(f"  FAIL start the stack: {problem}", flush=True)
        finally:
            if report.failed:
                _show_logs(stack)
            stack.close()
    passed = sum(o.passed is True for o in report.outcomes)
    failed = sum(o.passed is False for o in report.outcomes)
    not_yet = sum(o.passed is None for o in report.outcomes)
    print(
        f"deploy-check: {passed} passed, {failed} failed, {not_yet} not yet built or skipped "
        f"({time.perf_counter() - began:.0f} s)",
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
