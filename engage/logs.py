"""Logs a council's IT team can use: one JSON object per line on standard output, each with the request id.

Every request gets an id: the one a trusted proxy sent in ``X-Request-ID`` (only when ``ENGAGE_PROXY_HOPS``
says a proxy is in front, and only if it looks like an id), else a new random one. It is on every log line
written while the request runs and in the response's ``X-Request-ID`` header, so a resident's "it went
wrong at 10:42" can be matched to the server's lines, and nginx's access log to the app's.

gunicorn's own lines (its access log included) go through the same formatter: see gunicorn.conf.py.
``ENGAGE_LOG_LEVEL`` sets the level (INFO by default); ``ENGAGE_LOG_FORMAT=text`` gives plain lines for a
developer's terminal (the default outside production).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import random
import re
import sys
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

#: What an incoming request id may look like: letters, digits, dots, dashes, underscores; at most 64.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: The attributes every LogRecord has; anything else was passed in ``extra=`` and goes into the line.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
HANDLER_NAME = "engage"


def request_id() -> str | None:
    return g.get("engage_request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Put the current request's id (or nothing, outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id, any extras."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


def handler(fmt: str) -> logging.Handler:
    """A standard-output handler in the chosen shape, with the request-id filter."""
    out = logging.StreamHandler(sys.stdout)
    out.set_name(HANDLER_NAME)
    out.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    out.addFilter(RequestIdFilter())
    return out


def configure(level: str, fmt: str) -> None:
    """Send the ``engage`` loggers (and anything propagating to the root) to standard output, once.

    Under gunicorn the root logger already has gunicorn.conf.py's JSON handler: it is used as it is."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(handler(fmt))
    root.setLevel(level)


#: Makes request ids: 128 random bits, one generator per process, reseeded in each forked worker. An id
#: only has to be unique, not unguessable (it is shown on the error page to quote). ``uuid.uuid4`` read the
#: system's randomness, and the system call let another thread take the interpreter: 3.5% of a served
#: vote's samples, for 0.3 microseconds of work here.
_IDS = random.Random()
os.register_at_fork(after_in_child=_IDS.seed)


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    trusted = request.environ.get("engage.behind_proxy", False)
    g.engage_request_id = (
        incoming if trusted and _SAFE_ID.match(incoming) else f"{_IDS.getrandbits(128):032x}"
    )


def _send_request_id(response: Response) -> Response:
    if rid := g.get("engage_request_id"):
        response.headers["X-Request-ID"] = rid
    return response


def init_app(app: Flask) -> None:
    # Tests keep pytest's log capture: nothing is added to the root logger there.
    if not app.testing:
        configure(app.config["ENGAGE_LOG_LEVEL"], app.config["ENGAGE_LOG_FORMAT"])
    app.before_request(_assign_request_id)
    app.after_request(_send_request_id)


def network_of(address: str | None) -> str | None:
    """An address as the access logs keep it: its network, not the address (IPv4 to 256 addresses, x.y.z.0;
    IPv6 to its first 48 bits). Enough to see trouble from one place; not enough, with a logged request's
    time, to tie a resident's answer to their household (docs/privacy.md). nginx's log keeps the same
    (deploy/nginx/engage.conf). Anything that is not an address comes back as it was (a socket's path)."""
    if not address:
        return address
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped  # an IPv4 client on a dual-stack socket
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False).network_address)


class AccessFormatter(JsonFormatter):
    """gunicorn's access log in the app's shape; gunicorn passes the request's "atoms" as the args."""

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args if isinstance(record.args, dict) else {}
        record.msg, record.args = "request", ()
        record.request_id = atoms.get("{x-request-id}o") or None
        record.client = network_of(atoms.get("h"))
        record.method = atoms.get("m")
        record.path = atoms.get("U")
        record.status = atoms.get("s")
        record.bytes = atoms.get("B")
        record.duration_ms = int(atoms.get("M") or 0)
        record.user_agent = atoms.get("a")
        return super().format(record)
