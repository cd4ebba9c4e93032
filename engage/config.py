"""Settings: defaults, then ``ENGAGE_*`` environment variables, then a mapping passed to ``create_app``.

This is the only module that reads the environment.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SUPPORTED_LOCALES = ("en", "cy", "ur", "pl")
SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


class ConfigError(RuntimeError):
    """Raised at start-up when the settings cannot make a working, safe app."""


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _proxy_hops(value: str) -> int:
    """How many proxies are in front (0-5); anything else is refused rather than guessed."""
    if not value.strip().isdigit() or int(value) > 5:
        raise ConfigError(
            f"ENGAGE_PROXY_HOPS must be the number of proxies in front of Engage (0 to 5), not {value!r}. "
            "nginx alone in front: 1. See docs/deploy.md."
        )
    return int(value)


def _log_settings(env: Mapping[str, str], environment: str) -> dict[str, str]:
    level = env.get("ENGAGE_LOG_LEVEL", "INFO").strip().upper()
    fmt = env.get("ENGAGE_LOG_FORMAT", "json" if environment == "production" else "text").strip().lower()
    if level not in LOG_LEVELS:
        raise ConfigError(f"ENGAGE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}.")
    if fmt not in {"json", "text"}:
        raise ConfigError(f"ENGAGE_LOG_FORMAT must be json or text, not {fmt!r}.")
    return {"ENGAGE_LOG_LEVEL": level, "ENGAGE_LOG_FORMAT": fmt}


def ping_after_idle_seconds(env: Mapping[str, str]) -> float:
    """ENGAGE_DATABASE_PING_AFTER_IDLE: seconds a pooled connection may lie idle before it is tested (2). The
    benchmarks' bare endpoint reads it here too, so that the floor's pool is always Engage's."""
    return float(env.get("ENGAGE_DATABASE_PING_AFTER_IDLE", "2"))


def _flag(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(env: Mapping[str, str], instance_path: Path, environment: str) -> str:
    """Return the signing key: the environment, else the instance file ``make run`` writes."""
    if env.get("ENGAGE_SECRET_KEY"):
        return env["ENGAGE_SECRET_KEY"]
    key_file = instance_path / SECRET_KEY_FILE
    if key_file.is_file():
        key = key_file.read_text(encoding="utf-8").strip()
        if key:
            return key
    if environment == "development":
        # A throwaway key: sessions do not survive a restart, which is fine on a developer's laptop.
        return secrets.token_hex(32)
    raise ConfigError(
        "ENGAGE_SECRET_KEY is not set. Set it to a long random string (for example the output of "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`), or put one in "
        f"{key_file}. `make run` creates that file for you."
    )


def _base_url(env: Mapping[str, str], environment: str) -> str | None:
    """The address residents reach the service at, for every link given out (emails, join links, QR codes).
    Never taken from a request's Host header, which the sender chooses. Required in production."""
    value = (env.get("ENGAGE_BASE_URL") or "").strip().rstrip("/")
    if not value:
        if environment == "production":
            raise ConfigError(
                "ENGAGE_BASE_URL is not set. Set it to the address residents use, for example "
                "https://engage.example.gov.uk: links in emails, workshop join links and QR codes are built "
                "from it (never from the address a request claims). `make run` sets it to the local address."
            )
        return None  # development and tests: links follow the request
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"ENGAGE_BASE_URL must look like https://engage.example.gov.uk, not {value!r}.")
    return value


def load_config(
    instance_path: str, overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Build the Flask config mapping for an app whose instance folder is ``instance_path``."""
    env = os.environ if env is None else env
    overrides = dict(overrides or {})
    instance = Path(instance_path)
    environment = overrides.pop("ENGAGE_ENV", env.get("ENGAGE_ENV", "production"))
    if environment not in {"production", "development", "testing"}:
        raise ConfigError(f"ENGAGE_ENV must be production, development or testing, not {environment!r}.")

    database_url = env.get("ENGAGE_DATABASE_URL") or f"sqlite:///{instance / 'engage.sqlite'}"
    redis_url = env.get("ENGAGE_REDIS_URL") or None
    production = environment == "production"
    secure_cookies = _flag(env.get("ENGAGE_SECURE_COOKIES"), False)
    upload_bytes = int(env.get("ENGAGE_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))

    config: dict[str, Any] = {
        "ENGAGE_ENV": environment,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A pooled connection is tested before use only when it has lain idle (engage.database.
        # ping_after_idle): SQLAlchemy's pool_pre_ping tested it on every checkout, a round trip and about
        # 0.1 ms of processor time of every request.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        #: Seconds a pooled connection may lie idle before it is tested with a round trip before use
        #: (0: test on every use, as SQLAlchemy's pool_pre_ping does).
        "ENGAGE_DATABASE_PING_AFTER_IDLE": ping_after_idle_seconds(env),
        "ENGAGE_REDIS_URL": redis_url,
        # Rate limits are shared between workers only through Redis; memory is per process.
        "RATELIMIT_STORAGE_URI": redis_url or "engage-memory://",  # engage.extensions.SweptMemoryStorage
        "RATELIMIT_ENABLED": _flag(env.get("ENGAGE_RATELIMIT_ENABLED"), True),
        # A Redis that stops answering (a dropped network, not a refused connection) fails a limited request
        # in seconds instead of holding its thread for ever: redis-py has no timeouts unless given them. The
        # in-process storage ignores these.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        # No X-RateLimit-* headers on every answer: working them out reads the limit's window again (two
        # more Redis round trips per limited request); a refusal (429) still says when to try again
        # (Retry-After, engage/errors.py).
        "RATELIMIT_HEADERS_ENABLED": False,
        #: Proxies in front whose X-Forwarded-* headers are believed (engage/proxy.py). 0: none.
        "ENGAGE_PROXY_HOPS": _proxy_hops(env.get("ENGAGE_PROXY_HOPS", "0")),
        **_log_settings(env, environment),
        #: Votes per respondent, and per address (a workshop room or a library shares one): generous for
        #: people, a brake on scripts.
        "ENGAGE_VOTE_LIMIT": env.get("ENGAGE_VOTE_LIMIT", "60 per minute"),
        "ENGAGE_VOTE_ADDRESS_LIMIT": env.get("ENGAGE_VOTE_ADDRESS_LIMIT", "600 per minute"),
        #: How old (seconds) each worker lets its copy of an exercise's items and pair counts get before the
        #: pair chooser reads them again (engage/prioritise/pairwise/chooser.py); 0 reads them every time.
        "ENGAGE_PAIR_STATE_SECONDS": float(
            env.get("ENGAGE_PAIR_STATE_SECONDS", "0" if environment == "testing" else "2")
        ),
        #: API calls per token, and per address (every call, with a token or not).
        "ENGAGE_API_LIMIT": env.get("ENGAGE_API_LIMIT", "60 per minute;1000 per hour"),
        "ENGAGE_API_ADDRESS_LIMIT": env.get("ENGAGE_API_ADDRESS_LIMIT", "300 per minute"),
        "ENGAGE_SIGN_IN_LIMIT": env.get("ENGAGE_SIGN_IN_LIMIT", "10 per minute;50 per hour"),
        #: Failed sign-ins per account (from any address) before that account's sign-in is refused for the
        #: rest of the window. A browser that has signed in to the account before keeps its own allowance,
        #: so strangers guessing cannot lock the owner out (docs/security.md).
        "ENGAGE_SIGN_IN_ACCOUNT_LIMIT": env.get("ENGAGE_SIGN_IN_ACCOUNT_LIMIT", "5 per 15 minutes"),
        #: Wrong two-factor codes per account (the password was right) before code entry is refused.
        "ENGAGE_SIGN_IN_CODE_LIMIT": env.get("ENGAGE_SIGN_IN_CODE_LIMIT", "5 per 15 minutes;20 per day"),
        #: A staff session ends after this long without a request (and PERMANENT_SESSION_LIFETIME after
        #: it began), whatever the cookie says.
        "ENGAGE_STAFF_IDLE_MINUTES": int(env.get("ENGAGE_STAFF_IDLE_MINUTES", "30")),
        #: Two-factor authentication is required for administrators; set this to require it of all staff.
        "ENGAGE_TWO_FACTOR_FOR_ALL_STAFF": _flag(env.get("ENGAGE_TWO_FACTOR_FOR_ALL_STAFF"), False),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "ENGAGE_LOCALES": SUPPORTED_LOCALES,
        "ENGAGE_SERVICE_NAME": env.get("ENGAGE_SERVICE_NAME", "Engage"),
        "ENGAGE_PARTNERSHIP_NAME": env.get("ENGAGE_PARTNERSHIP_NAME", "Aldermoor Partnership"),
        #: The area's wards, for the equality question and population weighting (comma-separated).
        #: Set it empty to ask postcode districts instead.
        "ENGAGE_WARDS": [
            w.strip()
            for w in env.get("ENGAGE_WARDS", "Central,North,South,East,West").split(",")
            if w.strip()
        ],
        #: The area's postcode districts (the first part of a postcode, comma-separated, e.g. "AL1,AL2"):
        #: when set, residents are asked theirs; one outside these is kept as "elsewhere". Empty: not asked.
        "ENGAGE_POSTCODE_DISTRICTS": [
            d.strip().upper() for d in env.get("ENGAGE_POSTCODE_DISTRICTS", "").split(",") if d.strip()
        ],
        #: Priority weights: a source's answers about a priority count only when at least this many of its
        #: respondents said something about it (docs/weights.md, "The minimum evidence rule").
        "ENGAGE_WEIGHTS_MIN_RESPONDENTS": int(env.get("ENGAGE_WEIGHTS_MIN_RESPONDENTS", "30")),
        #: Published figures hide any count below this, so a small group's answers cannot be singled out.
        "ENGAGE_SMALL_CELL": int(env.get("ENGAGE_SMALL_CELL", "5")),
        #: Retention in days (docs/privacy.md): participants' names after a workshop, equality answers after
        #: taking part in an exercise, an unsent consultation draft after its last change.
        "ENGAGE_WORKSHOP_NAME_DAYS": int(env.get("ENGAGE_WORKSHOP_NAME_DAYS", "30")),
        "ENGAGE_EQUALITY_ANSWER_DAYS": int(env.get("ENGAGE_EQUALITY_ANSWER_DAYS", "730")),
        "ENGAGE_DRAFT_DAYS": int(env.get("ENGAGE_DRAFT_DAYS", "30")),
        #: Unsent consultation drafts: new ones per network address (a library or a community event shares
        #: one), and at most this many unsent at once per consultation (docs/security.md).
        "ENGAGE_DRAFT_ADDRESS_LIMIT": env.get("ENGAGE_DRAFT_ADDRESS_LIMIT", "60 per hour;300 per day"),
        "ENGAGE_DRAFT_LIMIT": int(env.get("ENGAGE_DRAFT_LIMIT", "20000")),
        "ENGAGE_ADDRESS_DAYS": int(env.get("ENGAGE_ADDRESS_DAYS", "90")),
        #: What residents wrote (written answers, "Other" answers, exercise comments, moderated suggestions)
        #: and response references: kept until a consultation's retention date, or this many days when it
        #: has none (and for exercises), then blanked.
        "ENGAGE_FREE_TEXT_DAYS": int(env.get("ENGAGE_FREE_TEXT_DAYS", "730")),
        #: Ballot-stuffing signal: this many new respondents from one address within this many minutes.
        "ENGAGE_SAME_ADDRESS_THRESHOLD": int(env.get("ENGAGE_SAME_ADDRESS_THRESHOLD", "10")),
        "ENGAGE_SAME_ADDRESS_MINUTES": int(env.get("ENGAGE_SAME_ADDRESS_MINUTES", "10")),
        #: Coordinated respondents: this many new ones within this many minutes with answers this close.
        "ENGAGE_COORDINATED_THRESHOLD": int(env.get("ENGAGE_COORDINATED_THRESHOLD", "20")),
        "ENGAGE_COORDINATED_MINUTES": int(env.get("ENGAGE_COORDINATED_MINUTES", "60")),
        "ENGAGE_COORDINATED_DISTANCE": float(env.get("ENGAGE_COORDINATED_DISTANCE", "0.05")),
        #: How long a pair shown to a respondent can be voted on (seconds), and wrong workshop codes per
        #: address.
        "ENGAGE_PAIR_OFFER_MAX_AGE": int(env.get("ENGAGE_PAIR_OFFER_MAX_AGE", str(12 * 60 * 60))),
        #: How often (milliseconds) a workshop's pages ask the server what changed: participants' phones,
        #: the facilitator's control page and its wall, and the projector (which follows the room more
        #: closely). Each poll is a request per open page: a room of 60 phones at 2 s is 30 requests a second.
        "ENGAGE_WORKSHOP_POLL_MS": int(env.get("ENGAGE_WORKSHOP_POLL_MS", "2000")),
        "ENGAGE_PROJECTOR_POLL_MS": int(env.get("ENGAGE_PROJECTOR_POLL_MS", "1000")),
        #: How often (milliseconds) a page waiting for results being worked out (results, "Unusual
        #: activity") asks whether they are ready.
        "ENGAGE_RESULTS_POLL_MS": int(env.get("ENGAGE_RESULTS_POLL_MS", "3000")),
        "ENGAGE_JOIN_CODE_LIMIT": env.get("ENGAGE_JOIN_CODE_LIMIT", "10 per minute;30 per hour"),
        #: Outgoing email (a resident's "come back later" link). Blank host: email is not offered.
        "ENGAGE_SMTP_HOST": env.get("ENGAGE_SMTP_HOST", ""),
        "ENGAGE_SMTP_PORT": int(env.get("ENGAGE_SMTP_PORT", "587")),
        "ENGAGE_SMTP_USER": env.get("ENGAGE_SMTP_USER", ""),
        "ENGAGE_SMTP_PASSWORD": env.get("ENGAGE_SMTP_PASSWORD", ""),
        "ENGAGE_SMTP_STARTTLS": _flag(env.get("ENGAGE_SMTP_STARTTLS"), True),
        "ENGAGE_MAIL_FROM": env.get("ENGAGE_MAIL_FROM", "engage@localhost"),
        #: "Come back later" emails: per browser (the resident's token), per recipient (a hash of the
        #: address), per sender's address and per consultation, so new cookies do not make a mail cannon.
        "ENGAGE_MAIL_BROWSER_LIMIT": env.get("ENGAGE_MAIL_BROWSER_LIMIT", "5 per hour"),
        "ENGAGE_MAIL_RECIPIENT_LIMIT": env.get("ENGAGE_MAIL_RECIPIENT_LIMIT", "3 per hour;10 per day"),
        "ENGAGE_MAIL_ADDRESS_LIMIT": env.get("ENGAGE_MAIL_ADDRESS_LIMIT", "10 per hour;30 per day"),
        "ENGAGE_MAIL_CONSULTATION_LIMIT": env.get("ENGAGE_MAIL_CONSULTATION_LIMIT", "200 per hour"),
        #: Where residents reach the service (https://engage.example.gov.uk): every link given out is built
        #: from it. Required in production; in development and tests links follow the request.
        "ENGAGE_BASE_URL": None,  # set below, after the secret key (checked first)
        "WTF_CSRF_TIME_LIMIT": 3600 * 8,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        #: Behind HTTPS the cookie's name carries the __Host- prefix: browsers then accept it only when
        #: Secure, for this host alone and the whole site, so a sibling subdomain cannot plant one.
        "SESSION_COOKIE_NAME": "__Host-session" if secure_cookies else "session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 3600 * 8,
        #: Any request's body: room for the largest upload allowed and its form (10 MB at least).
        "MAX_CONTENT_LENGTH": max(10 * 1024 * 1024, upload_bytes + 1024 * 1024),
        #: Uploaded tables (indicator exports, population figures; engage/uploads.py): bytes per file, rows
        #: after the header, columns, characters per cell, and an XLSX workbook's size once unpacked. A file
        #: past any of them is refused whole, with a message saying which.
        "ENGAGE_UPLOAD_MAX_BYTES": upload_bytes,
        "ENGAGE_UPLOAD_MAX_ROWS": int(env.get("ENGAGE_UPLOAD_MAX_ROWS", "20000")),
        "ENGAGE_UPLOAD_MAX_COLUMNS": int(env.get("ENGAGE_UPLOAD_MAX_COLUMNS", "200")),
        "ENGAGE_UPLOAD_MAX_CELL": int(env.get("ENGAGE_UPLOAD_MAX_CELL", "1000")),
        "ENGAGE_UPLOAD_MAX_UNZIPPED_BYTES": int(
            env.get("ENGAGE_UPLOAD_MAX_UNZIPPED_BYTES", str(50 * 1024 * 1024))
        ),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        #: Background jobs (engage/jobs/): run in the asking process when queued, with no worker (tests'
        #: default; also for a laptop with no worker running). Otherwise a worker takes them from the queue:
        #: Redis when ENGAGE_REDIS_URL is set, else instance/jobs.sqlite.
        "ENGAGE_JOBS_IMMEDIATE": _flag(env.get("ENGAGE_JOBS_IMMEDIATE"), environment == "testing"),
        #: The queue's Redis connections (with ENGAGE_REDIS_URL): a Redis that stops answering fails the call
        #: in seconds, never holding a request's thread (queueing a job, claiming a recomputation) for ever;
        #: the process then queues no results refresh for a while (queue.PAUSE_AFTER_UNREACHABLE). The read
        #: timeout must outlast the worker's blocking wait for a job (huey's read_timeout, 1 s).
        "ENGAGE_JOBS_REDIS_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        #: The queue's SQLite file when there is no Redis (every web process and the worker share it).
        "ENGAGE_JOBS_SQLITE": env.get("ENGAGE_JOBS_SQLITE") or str(instance / "jobs.sqlite"),
        #: Where prepared downloads are kept (tests: a folder of their own under the system's temporary
        #: folder), and after how many days they (and their jobs) are deleted.
        "ENGAGE_JOB_FILES_DIR": env.get("ENGAGE_JOB_FILES_DIR")
        or str(
            Path(tempfile.gettempdir()) / "engage-test-jobs"
            if environment == "testing"
            else instance / "jobs"
        ),
        "ENGAGE_JOB_FILE_DAYS": int(env.get("ENGAGE_JOB_FILE_DAYS", "7")),
        #: The worker's nightly backup: where (a folder), and how many to keep.
        "ENGAGE_BACKUP_DIR": env.get("ENGAGE_BACKUP_DIR") or str(instance / "backups"),
        "ENGAGE_BACKUP_KEEP": int(env.get("ENGAGE_BACKUP_KEEP", "14")),
    }
    if environment == "testing":
        config.update({"TESTING": True, "RATELIMIT_ENABLED": False, "SECRET_KEY": "testing-only-secret"})
    else:
        config["SECRET_KEY"] = _secret_key(env, instance, environment)
    if "ENGAGE_BASE_URL" not in overrides:
        config["ENGAGE_BASE_URL"] = _base_url(env, environment)
    config.update(overrides)
    return config
