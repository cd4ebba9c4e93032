"""Background jobs a member of staff started (exports), and results kept so that a view need not recompute
them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.database import UTCDateTime, enum_column, utcnow
from engage.extensions import Model


class JobStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Model):
    """One piece of long work a person asked for: what it is, how far it has got, and the file it made."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Only this person sees the job and its file.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the job does, a key of engage.jobs.exports.EXPORTS ("consultation_responses").
    kind: Mapped[str] = mapped_column(String(40))
    #: What it works on and how: {"target": 12, "fmt": "xlsx"}.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The page's description of it, fixed when it was asked for ("Responses to Park survey (Excel)").
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"), default=JobStatus.QUEUED)
    #: Rows written so far, out of ``total`` (None until known).
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    #: How many times a worker has started it (a worker that stopped mid-way leaves it to be started again).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The name the browser saves the file as, and where it is kept under the instance folder's jobs/.
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(String(200))
    file_bytes: Mapped[int | None] = mapped_column(Integer)
    #: What went wrong, in words for the page (the traceback goes to the log).
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Written with each progress report: a running job whose heartbeat stops was left by a worker that
    #: stopped, and is started again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        if self.status is JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}


class CachedResult(Model):
    """An exercise's or consultation's computed results, kept for the data they were computed from.

    ``version`` is a digest of what the results read (answer counts and last ids, exclusions, equality
    answers, population figures, the items); a view recomputes whenever the data's version differs, so a
    kept result is used only while it is still right.
    """

    __tablename__ = "cached_results"
    __table_args__ = (UniqueConstraint("subject", "subject_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "exercise" or "consultation", its id, and which results ("budget", "pairwise", ...).
    subject: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(64))
    #: The results, pickled with their rows replaced by (model, id) and signed with the app's key.
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: How long computing took, in seconds (what the cache saves).
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
