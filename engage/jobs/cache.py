"""Results kept per exercise, so a view need not recompute them (issue 19 item 5).

A view asks :func:`exercise_results` for, say, an exercise's budget results: when a kept copy was computed
from the data as it is now (the same *version*), it is used; otherwise the results are computed, kept and
returned. So a cold view computes and stores, and a kept copy is never used once the data has moved on.

The version is a digest of what the results read, each from an indexed aggregate: the votes' or
submissions' count and last id, the excluded respondents (count, id sum, latest exclusion), the equality
answers (count, last id), the population figures, every column of the exercise and its items, and the
small-cell setting. What changes rows in place or removes the newest row (an undone vote, a corrected paper
sheet, a changed equality answer) also drops the kept copy (:func:`forget`), because on SQLite a removed
newest id can be given again and leave the count and last id as they were.

When answers arrive a job computes the results again a little later (:func:`results_changed`), so the
officers' next view finds them ready. Every request goes through :func:`shown_results` (results pages, results
downloads, the comparison after answering, the pairwise finish page, the reports page): a large exercise
(past ``IN_REQUEST_ANSWERS``, or whose last computation was slow) is never computed in the request; the
request queues the job and shows the last kept copy with its time, or "being worked out"
(engage/prioritise/results_waiting.py), or a download is prepared as a job. Jobs and commands use
:func:`exercise_results`, which computes whatever it takes.

Kept results are pickled with every database row in them replaced by its model and id (loaded again, from
the session, when read) and signed with the app's secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import pickle
import time
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, TypeVar

from flask import current_app
from sqlalchemy import delete, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from engage.channels import Channel
from engage.database import upsert_insert, utcnow
from engage.extensions import db
from engage.jobs import queue
from engage.jobs.models import CachedResult
from engage.population.models import PopulationMargin
from engage.prioritise.models import (
    Exercise,
    ExerciseKind,
    PairwiseVote,
    Respondent,
    RespondentProfile,
    Submission,
)
from engage.redis_errors import unreachable
from engage.surveys.models import Consultation, ConsultationResponse

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Bump when the results' classes change shape, so copies pickled by older code are not read.
FORMAT = "1"
#: Answers arriving within this many seconds share one recomputation.
REFRESH_DELAY = 20


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        state = inspect(obj, raiseerr=False) if hasattr(obj, "_sa_instance_state") else None
        if state is not None and state.identity is not None:
            return (type(obj).__name__, state.identity)
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        name, identity = pid
        model = _models()[name]
        row = db.session.get(model, identity)
        if row is None:
            raise LookupError(f"{name} {identity} is gone")
        return row


def _models() -> dict[str, type]:
    registry = db.Model.registry  # type: ignore[attr-defined]
    return {mapper.class_.__name__: mapper.class_ for mapper in registry.mappers}


def _sign(data: bytes) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), data, hashlib.sha256).digest()


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    data = buffer.getvalue()
    return _sign(data) + data


def loads(payload: bytes) -> Any:
    """The kept value, or None when its signature does not match (another key) or a row in it is gone."""
    signature, data = payload[:32], payload[32:]
    if not hmac.compare_digest(signature, _sign(data)):
        return None
    try:
        return _Unpickler(io.BytesIO(data)).load()
    except (LookupError, pickle.UnpicklingError, AttributeError, ImportError):
        return None


def _columns(row: Any) -> tuple:
    return tuple(getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs)


def exercise_version(exercise: Exercise) -> str:
    """A digest of everything an exercise's results are computed from (see the module's docstring)."""
    return _version_and_answers(exercise)[0]


def _version_and_answers(exercise: Exercise) -> tuple[str, int]:
    """The exercise's data version, and how many answers (votes or submissions) it has."""
    answers = PairwiseVote if exercise.kind is ExerciseKind.PAIRWISE else Submission
    excluded = Respondent.excluded_at.is_not(None)
    count_and_last = db.session.execute(
        select(func.count(), func.max(answers.id)).where(answers.exercise_id == exercise.id)
    ).one()
    parts: list[Any] = [
        FORMAT,
        current_app.config["ENGAGE_SMALL_CELL"],
        _columns(exercise),
        [_columns(item) for item in exercise.items],
        tuple(count_and_last),
        db.session.execute(
            select(func.count(), func.sum(Respondent.id), func.max(Respondent.excluded_at)).where(
                Respondent.exercise_id == exercise.id, excluded
            )
        ).one(),
        db.session.execute(
            select(func.count(), func.max(RespondentProfile.id))
            .join(Respondent, Respondent.id == RespondentProfile.respondent_id)
            .where(Respondent.exercise_id == exercise.id)
        ).one(),
        db.session.execute(
            select(
                func.count(),
                func.max(PopulationMargin.id),
                func.sum(PopulationMargin.population),
                func.max(PopulationMargin.imported_at),
            )
        ).one(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest(), count_and_last[0]


def _kept(subject: str, subject_id: int, name: str) -> CachedResult | None:
    return db.session.scalar(
        select(CachedResult).where(
            CachedResult.subject == subject, CachedResult.subject_id == subject_id, CachedResult.name == name
        )
    )


def _store(subject: str, subject_id: int, name: str, version: str, value: Any, seconds: float) -> None:
    """Keep the value (insert or replace). A failure to keep it (two views storing at once on SQLite) only
    means the next view computes again: it never fails the view."""
    values = {
        "subject": subject,
        "subject_id": subject_id,
        "name": name,
        "version": version,
        "payload": dumps(value),
        "computed_at": utcnow(),
        "seconds": seconds,
    }
    statement = upsert_insert(db.session())(CachedResult).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["subject", "subject_id", "name"],
        set_={key: values[key] for key in ("version", "payload", "computed_at", "seconds")},
    )
    try:
        with db.session.begin_nested():
            db.session.execute(statement)
    except SQLAlchemyError:
        logger.warning("results for %s %s (%s) not kept", subject, subject_id, name, exc_info=True)


def _compute_and_keep(subject: str, subject_id: int, name: str, version: str, compute: Callable[[], T]) -> T:
    """Compute the results, keep them with the data version they were computed from and how long it took."""
    started = time.perf_counter()
    value = compute()
    _store(subject, subject_id, name, version, value, time.perf_counter() - started)
    return value


def _current(kept: CachedResult | None, version: str) -> Any:
    """The kept value if it was computed from this version of the data (unpickled only then), else None."""
    if kept is None or kept.version != version:
        return None
    return loads(kept.payload)


def exercise_results(exercise: Exercise, name: str, compute: Callable[[], T]) -> T:
    """The exercise's results called ``name`` (one per way of computing them, e.g. "budget-public"):
    kept ones if computed from the data as it is now, else computed by ``compute`` and kept."""
    version = exercise_version(exercise)
    value = _current(_kept("exercise", exercise.id, name), version)
    if value is not None:
        return value
    return _compute_and_keep("exercise", exercise.id, name, version, compute)


class Shown(Generic[T]):
    """What a results page shows: the results, or None while they are being worked out in the background;
    ``computed_at`` is set when they are a kept copy from older data (newer answers are being added). An
    older copy is unpickled only when ``value`` is read: a page's poll asks only whether they are current."""

    def __init__(
        self,
        value: T | None,
        computed_at: datetime | None = None,
        load: Callable[[], T | None] | None = None,
    ) -> None:
        self._value, self.computed_at, self._load = value, computed_at, load

    @cached_property
    def value(self) -> T | None:
        return self._load() if self._load is not None else self._value

    @property
    def current(self) -> bool:
        """The results of the data as it is now (no newer answers are waiting to be added)."""
        return self.computed_at is None and self.value is not None


#: A page computes results in its request only up to this many answers (votes of a pairwise exercise,
#: submissions otherwise); beyond it the refresh job computes them and the page shows the last kept copy or
#: "being worked out". Measured (docs/benchmarks.md, issue 19) in processor time: budget results about 0.55 s
#: per 20,000 allocations x 20 items, pairwise results with breakdowns and bootstrap intervals about 0.14 s
#: per 4,000 votes, so 20,000 answers stay well under 2 s even on a loaded machine (wall about 5 times that).
IN_REQUEST_ANSWERS = 20_000
#: ... and only while the last computation took less than this (seconds): wide exercises (many items,
#: breakdowns) can be slow below the answer count.
IN_REQUEST_SECONDS = 1.0
#: A claim to queue a recomputation (engage/jobs/queue.py, :func:`claim`) is taken over after this many
#: seconds: the job that held it was lost (a worker stopped mid-job). Longer than the longest job.
CLAIM_STALE_AFTER = 30 * 60


def refresh_mark(subject: str, subject_id: int, name: str = "") -> str:
    """What a queued recomputation is known by in the queue's storage while it waits or runs: ``name``
    (the results a page asked for), or empty for the one queued because answers arrived."""
    return f"refresh:{subject}:{subject_id}:{name}"


def _too_heavy_for_a_request(answers: int, kept: CachedResult | None, most: int = IN_REQUEST_ANSWERS) -> bool:
    return answers > most or (kept is not None and kept.seconds > IN_REQUEST_SECONDS)


def refresh_now(subject: str, subject_id: int, name: str = "") -> bool:
    """Queue a recomputation to start at once once this request commits (a request undone claims and queues
    nothing), unless one queued for the same results still waits or runs: however many views of however
    many processes and hosts ask at once, one job is queued (its mark is released when it ends). False when
    there is no worker to run it (immediate mode: the caller computes for itself)."""
    if queue.immediate():
        return False

    def send() -> None:
        from engage.jobs.tasks import refresh_results

        _queue_once(
            refresh_mark(subject, subject_id, name), lambda: refresh_results(subject, subject_id, name)
        )

    queue.after_commit(send)
    return True


def _queue_once(mark: str, enqueue: Callable[[], Any]) -> None:
    """Queue a task (after the commit) if this process is the first to claim ``mark``; a task that could
    not be queued gives its claim back, or, when the queue could not be reached, leaves it for this
    process's next claim to take over (``queue.abandon``). Nothing is tried while this process finds the
    queue unreachable lately (``queue.paused``)."""
    if queue.paused():
        logger.warning("%s was not queued: the job queue could not be reached just now", mark)
        return
    if not queue.claim(mark, CLAIM_STALE_AFTER):
        return  # another's claim (False), or the queue could not be reached (None: logged)
    try:
        enqueue()
    except Exception as error:
        if unreachable(error):
            queue.abandon(mark)  # taken back by this process's next claim
        else:
            queue.release(mark)
        raise


def shown_results(exercise: Exercise, name: str, compute: Callable[[], T]) -> Shown[T]:
    """What a results page shows (issue 19: no request over 2 s). Kept results of the data as it is now are
    used; a small exercise is computed in the request (and kept); a large one is left to the refresh job,
    queued now, and the page gets the last kept copy, marked with its time, or nothing yet."""
    version, answers = _version_and_answers(exercise)
    return _shown("exercise", exercise.id, name, version, (answers, IN_REQUEST_ANSWERS), compute)


#: An exercise's "Unusual activity" page compares respondents in its request only up to this many (as a
#: consultation's, below); beyond it the refresh job compares them (docs/benchmarks.md, issue 19).
IN_REQUEST_RESPONDENTS = 2_000


def _exercise_version_with(exercise: Exercise, parts: tuple) -> str:
    return hashlib.sha256(repr([exercise_version(exercise), *parts]).encode()).hexdigest()


def shown_exercise_check(exercise: Exercise, name: str, parts: tuple, compute: Callable[[], T]) -> Shown[T]:
    """What an exercise's page computed from every respondent shows (its "Unusual activity"): as
    :func:`shown_results`, with ``parts`` (the settings it reads) in the version, large past
    ``IN_REQUEST_RESPONDENTS`` respondents."""
    respondents = db.session.scalar(
        select(func.count()).select_from(Respondent).where(Respondent.exercise_id == exercise.id)
    )
    version = _exercise_version_with(exercise, parts)
    return _shown("exercise", exercise.id, name, version, (respondents or 0, IN_REQUEST_RESPONDENTS), compute)


def exercise_check(exercise: Exercise, name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """As :func:`exercise_results`, for :func:`shown_exercise_check` (the refresh job)."""
    version = _exercise_version_with(exercise, parts)
    value = _current(_kept("exercise", exercise.id, name), version)
    if value is not None:
        return value
    return _compute_and_keep("exercise", exercise.id, name, version, compute)


def is_kept(subject: str, subject_id: int, name: str) -> bool:
    """Whether results called ``name`` were ever kept for this exercise or consultation."""
    return _kept(subject, subject_id, name) is not None


def _shown(
    subject: str, subject_id: int, name: str, version: str, size: tuple[int, int], compute: Callable[[], T]
) -> Shown[T]:
    """:func:`shown_results` for any subject, told its data version and (its answers, the most computed in
    a request)."""
    kept = _kept(subject, subject_id, name)
    value = _current(kept, version)
    if value is not None:
        return Shown(value)
    answers, most = size
    if not (_too_heavy_for_a_request(answers, kept, most) and refresh_now(subject, subject_id, name)):
        return Shown(_compute_and_keep(subject, subject_id, name, version, compute))
    if kept is None:
        return Shown(None)
    payload = kept.payload
    return Shown(None, computed_at=kept.computed_at, load=lambda: loads(payload))


#: The consultation's "Unusual activity" page compares responses in its request only up to this many online
#: responses (measured, docs/benchmarks.md: about 5 s of processor time for 20,000 arriving at once, and
#: reading 50,000 responses' answers about 7 s); beyond it the refresh job compares them.
IN_REQUEST_RESPONSES = 2_000


def consultation_version(consultation: Consultation, *parts: Any) -> tuple[str, int]:
    """A digest of the consultation's online responses (count, last id, latest sent) and ``parts`` (the
    settings the computation reads), and how many online responses it has. A deleted response changes the
    count; one sent after it, even with the same id again, is later."""
    count, last, latest = db.session.execute(
        select(
            func.count(), func.max(ConsultationResponse.id), func.max(ConsultationResponse.submitted_at)
        ).where(
            ConsultationResponse.consultation_id == consultation.id,
            ConsultationResponse.channel == Channel.ONLINE,
        )
    ).one()
    digest = hashlib.sha256(repr([FORMAT, count, last, latest, *parts]).encode()).hexdigest()
    return digest, count


def shown_consultation(
    consultation: Consultation, name: str, parts: tuple, compute: Callable[[], T]
) -> Shown[T]:
    """What a consultation's page computed from every online response shows (its "Unusual activity"): as
    :func:`shown_results`, large past ``IN_REQUEST_RESPONSES`` online responses."""
    version, responses = consultation_version(consultation, *parts)
    return _shown("consultation", consultation.id, name, version, (responses, IN_REQUEST_RESPONSES), compute)


def consultation_results(consultation: Consultation, name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """As :func:`exercise_results`, for a consultation (the refresh job)."""
    version, _responses = consultation_version(consultation, *parts)
    value = _current(_kept("consultation", consultation.id, name), version)
    if value is not None:
        return value
    return _compute_and_keep("consultation", consultation.id, name, version, compute)


def forget(subject: str, subject_id: int) -> None:
    """Drop the kept results of one exercise or consultation (part of the caller's unit of work)."""
    db.session.execute(
        delete(CachedResult).where(CachedResult.subject == subject, CachedResult.subject_id == subject_id)
    )


def results_changed(subject: str, subject_id: int, committed: bool = False) -> None:
    """Answers arrived: once this transaction commits, queue a recomputation a little later, unless one
    queued so is still waiting (one per exercise across every process and host: the job releases its mark
    when it starts, so answers arriving while it runs queue the next). Nothing is queued in immediate mode:
    there a view computes for itself. ``committed``: the answers were committed already, outside the
    request's session (a vote that was a transaction by itself): queued now."""
    if queue.immediate():
        return

    def send() -> None:
        from engage.jobs.tasks import refresh_results

        mark = refresh_mark(subject, subject_id)
        if _still_waiting(mark) or queue.held_lately(mark, HELD_RECHECK):
            return
        _queue_once(mark, lambda: refresh_results.schedule(args=(subject, subject_id), delay=REFRESH_DELAY))

    queue.after_commit(send, committed=committed)


#: After finding the mark of answers arriving held by another process's refresh, this process asks the
#: queue's storage again only after this many seconds. A held mark is a refresh that has not started (it
#: releases the mark as it starts), so it will read the answers just committed; answers committed after it
#: started and within this time queue the next refresh with the next answer after it (and every results
#: page checks the data version, so none is shown as current when it is not). Without it, every vote asked
#: the storage twice (a write to the queue's SQLite file, or two Redis round trips) from the moment the
#: mark's own wait ran out until the worker started the refresh: in `make bench`, with no worker, always.
HELD_RECHECK = 1.0


#: Seconds allowed between the clocks of the host that queued a refresh and the worker that runs it.
CLOCK_MARGIN = 2.0


def _still_waiting(mark: str) -> bool:
    """Whether the refresh this process last knew queued for ``mark`` cannot have started yet, so that it
    will read the answers just committed: it was queued when the mark was claimed, to start REFRESH_DELAY
    seconds later (and only when it starts is the mark released for the next). A vote then asks nothing of
    the queue's storage (on Redis two round trips, on one machine a write to the queue's SQLite file). The
    mark of answers arriving is only ever claimed here (a page's refresh names its results)."""
    since = queue.claimed_at(mark)
    return since is not None and time.time() < since + REFRESH_DELAY - CLOCK_MARGIN


def refresh(subject: str, subject_id: int, name: str = "") -> None:
    """Compute every kind of results kept for this exercise again, if its data moved on; its unusual
    activity too when a page asked for it (``name``) or it was kept before."""
    from engage.prioritise import integrity, results_cache

    if subject == "exercise":
        exercise = db.session.get(Exercise, subject_id)
        if exercise is not None:
            results_cache.warm(exercise)
            if name == integrity.KEPT_AS or is_kept(subject, subject_id, integrity.KEPT_AS):
                integrity.warm(exercise)
    elif subject == "consultation":
        from engage.surveys import activity

        consultation = db.session.get(Consultation, subject_id)
        if consultation is not None:
            activity.warm(consultation)
