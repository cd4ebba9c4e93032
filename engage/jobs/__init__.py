"""Background jobs: long work (exports of any size, emails, results recomputation, retention and backups)
done by a worker process, never while a request waits; and the staff "Downloads and jobs" page.

The queue is Huey (engage/jobs/queue.py): SQLite in the instance folder on one machine, Redis when
``ENGAGE_REDIS_URL`` is set, and run in the caller's own process in tests. The database's ``jobs`` table says
what each person's job is doing, so the page, a retry and a worker that restarts all read one record.
"""

import logging

from flask import Blueprint

bp = Blueprint("jobs", __name__)
logger = logging.getLogger(__name__)
