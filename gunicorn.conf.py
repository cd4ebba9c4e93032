"""gunicorn settings for running Engage for real: `gunicorn -c gunicorn.conf.py` (docs/deploy.md).

Each can be changed by the environment without editing this file. Threaded workers: most of a request is
spent waiting on the database, so a few threads per process serve a workshop room's bursts without a process
per phone. The app is loaded once before the workers fork (less memory, and a broken configuration stops
the start rather than every worker); create_app opens no connection, so nothing is shared across the fork.
"""

import multiprocessing
import os

wsgi_app = "engage:create_app()"
bind = os.environ.get("ENGAGE_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("ENGAGE_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("ENGAGE_THREADS", "4"))
# A request taking longer than this is a bug (long work runs as a job); nginx's proxy_read_timeout is longer.
timeout = int(os.environ.get("ENGAGE_WORKER_TIMEOUT", "60"))
# On restart (SIGHUP or a deploy), workers finish what they are serving for up to this long.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound; the jitter stops them all at once.
max_requests = 2000
max_requests_jitter = 200
preload_app = True
# nginx on the same host: trust its X-Forwarded-Proto. Engage's own ENGAGE_PROXY_HOPS does the rest.
forwarded_allow_ips = os.environ.get("ENGAGE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: JSON lines on standard output, gunicorn's, its access log and the app's alike (engage/logs.py).
# The access log's handler is the one in logconfig_dict; accesslog = "-" would add a second one.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ENGAGE_LOG_LEVEL", "info").lower()
access_log_format = '%(h)s %(m)s %(U)s %(s)s %(B)s %(M)s "%(a)s" %({x-request-id}o)s'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "engage.logs.JsonFormatter"},
        "access": {"()": "engage.logs.AccessFormatter"},
    },
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
    },
    # gunicorn merges this over its defaults one key deep, so the root logger is named here too.
    "root": {"level": loglevel.upper(), "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


def post_fork(server, worker):
    """Each worker opens its own job-queue connection (the app was loaded, and the queue opened, before the
    fork)."""
    from engage.jobs.queue import reopen_storage

    reopen_storage()
