"""Reports made as background jobs (issue 19): an organisation's report or a board pack for a period, as a
PDF or an XLSX, built by a worker and offered on the asker's "Downloads and jobs" page.

The job keeps what the report is (subject, key, period, format) in its params; access is checked by the
view that asks for it (engage/reports/access.py) and again when the job runs (access taken away meanwhile:
the job fails, no file), and only the job's owner can save the file
(engage/jobs/views.py). The file is written whole once it is built: a build that fails leaves no file and
the job marked failed (engage/jobs/running.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from engage.accounts.models import Organisation, User
from engage.boards.models import Board
from engage.extensions import db
from engage.i18n import format_date
from engage.jobs import queue
from engage.jobs.models import Job
from engage.jobs.running import JobFailed, Progress
from engage.jobs.service import start_job
from engage.reports.access import may_pull
from engage.reports.builders import build_report
from engage.reports.data import Period

KIND = "report"
FORMAT_NAMES = {"pdf": "PDF", "xlsx": "Excel"}


def describe(subject: Organisation | Board, period: Period, fmt: str) -> str:
    """The job's title on Downloads and jobs."""
    what = _("Board pack") if isinstance(subject, Board) else _("Organisation report")
    return _(
        "%(what)s for %(name)s, %(start)s to %(end)s (%(format)s)",
        what=what,
        name=subject.name,
        start=format_date(period.start, "long"),
        end=format_date(period.end, "long"),
        format=FORMAT_NAMES[fmt],
    )


def start_report(user: User, subject: Organisation | Board, period: Period, fmt: str) -> Job:
    """Ask for a report as a job (part of the request's unit of work; queued once it commits). The caller has
    checked that ``user`` may pull it."""
    kind, key = ("board", subject.slug) if isinstance(subject, Board) else ("organisation", subject.id)
    params = {
        "subject": kind,
        "key": key,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "fmt": fmt,
    }
    return start_job(user, KIND, params, describe(subject, period, fmt))


def _subject(subject: str, key: Any) -> Organisation | Board | None:
    if subject == "organisation":
        return db.session.get(Organisation, int(key))
    return db.session.scalar(db.select(Board).where(Board.slug == str(key)))


def may_have(user: User, job: Job) -> bool:
    """Whether ``user`` may still have this report's file (asked again when it is downloaded)."""
    subject = _subject(job.params["subject"], job.params["key"])
    return subject is not None and may_pull(user, subject)


def write(job: Job, progress: Progress, path: Path) -> str:
    """Build the report and write its file at ``path``; return the name it is saved as. The asker's access
    is checked again first: it may have been taken away since they asked."""
    params = job.params
    subject = _subject(params["subject"], params["key"])
    if subject is None:
        raise JobFailed(_("What this report was for has been deleted."))
    if not may_pull(job.user, subject):
        raise JobFailed(
            _("You can no longer pull this report: your access was changed after you asked for it.")
        )
    progress.expect(1)
    name, body = build_report(
        params["subject"],
        params["key"],
        date.fromisoformat(params["start"]),
        date.fromisoformat(params["end"]),
        params["fmt"],
    )
    if not queue.immediate():
        db.session.commit()  # counts the report rebuilt on the way are kept (its own unit of work)
    path.write_bytes(body)
    progress.step()
    return name
