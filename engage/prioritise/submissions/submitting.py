"""Recording a budget allocation or a ranking: one submission per person, checked, stored once.

Called by the resident views and, for workshops and paper, by other packages: the checks live here, so
no channel can store an allocation over budget or a ranking with two items in one place.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import BigInteger, Integer, func, insert, select, true
from sqlalchemy.dialects import postgresql

from engage.channels import Channel
from engage.content import local_text
from engage.database import insert_from_row, insert_of, json_rows, table_of
from engage.extensions import db
from engage.jobs.cache import results_changed
from engage.prioritise import logger
from engage.prioritise.budget.rules import Problem, check_allocation
from engage.prioritise.models import Comment, Exercise, ExerciseKind, Respondent, Submission, SubmissionEntry
from engage.respondents import VoteRefused, find_respondent, locking_insert, locking_values, stored_key
from engage.respondents import lock_respondent as _lock_respondent
from engage.transactions import atomic


class SubmissionInvalid(Exception):
    """The answer breaks the exercise's rules; ``problems`` says how, field by field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class SubmissionReceipt:
    submission_id: int
    #: False when this key (a retry) or this person (a second go) had already been stored.
    created: bool

    @property
    def submission(self) -> Submission:
        """The stored submission (loaded when asked for: the resident's path never needs it)."""
        submission = db.session.get(Submission, self.submission_id)
        assert submission is not None
        return submission


def place_field(item_id: int) -> str:
    return f"place-{item_id}"


def check_ranking(exercise: Exercise, places: Mapping[int, int | None]) -> list[Problem]:
    """Places 1..N each used once (N = every item, or the top N), no place given twice."""
    items = {item.id: item for item in exercise.active_items}
    needed = exercise.ranked_places
    problems = []
    if set(places) - set(items):
        problems.append(Problem("ranking", _("Something went wrong with the items. Start again.")))
    by_place: dict[int, list[int]] = {}
    for item_id, place in places.items():
        if place is None or item_id not in items:
            continue
        if not 1 <= place <= needed:
            problems.append(Problem(place_field(item_id), _("Choose a place from 1 to %(n)s", n=needed)))
        else:
            by_place.setdefault(place, []).append(item_id)
    for place, ids in sorted(by_place.items()):
        if len(ids) > 1:
            titles = [local_text(items[i], "title") for i in ids]
            problems.append(
                Problem(
                    place_field(ids[1]),
                    _(
                        "%(first)s and %(second)s are both in place %(place)s. Give each a different place",
                        first=titles[0],
                        second=titles[1],
                        place=place,
                    ),
                )
            )
    for place in range(1, needed + 1):
        if place not in by_place:
            missing = next((i for i in items if places.get(i) is None), next(iter(items)))
            problems.append(
                Problem(place_field(missing), _("Nothing is in place %(place)s yet", place=place))
            )
    return problems


def find_submission(exercise: Exercise, respondent: Respondent | None) -> Submission | None:
    if respondent is None:
        return None
    return db.session.scalar(
        select(Submission).where(
            Submission.exercise_id == exercise.id, Submission.respondent_id == respondent.id
        )
    )


def _with_key(exercise: Exercise, token: str, key: str) -> Submission | None:
    """This respondent's submission stored under this (scoped) key: never anyone else's."""
    respondent = find_respondent(exercise, token)
    if respondent is None:
        return None
    return db.session.scalar(
        select(Submission).where(
            Submission.exercise_id == exercise.id,
            Submission.respondent_id == respondent.id,
            Submission.idempotency_key == key,
        )
    )


def _checked_entries(exercise: Exercise, values: Mapping[int, int | None]) -> dict[int, int]:
    """{item id: value} to store for an answer that meets the exercise's rules; VoteRefused when it takes no
    answers (or none of this kind), SubmissionInvalid when the answer breaks a rule. Reads nothing."""
    if not exercise.accepting_votes():
        raise VoteRefused("closed", _("This exercise is not taking answers at the moment."))
    if exercise.kind is ExerciseKind.BUDGET:
        problems = check_allocation(exercise, values)
        entries = {item.id: values.get(item.id) or 0 for item in exercise.active_items}
    elif exercise.kind is ExerciseKind.RANKING:
        problems = check_ranking(exercise, values)
        entries = {item_id: place for item_id, place in values.items() if place is not None}
    else:
        raise VoteRefused("kind", _("This exercise does not take that kind of answer."))
    if problems:
        raise SubmissionInvalid(problems)
    return entries


@functools.cache
def _submission_insert(dialect: str, names: tuple[str, ...]):
    """The submission's insert of ``names``, built once per dialect (``insert_of``)."""
    table = table_of(Submission)
    return insert_of(dialect, table, names).on_conflict_do_nothing().returning(table.c.id)


def _insert_submission(values: dict) -> int | None:
    """Insert a submission; None when the exercise already holds one with its key or from its respondent
    (either unique key refuses it: no lookup first, and nothing to undo)."""
    statement = _submission_insert(db.session.get_bind().dialect.name, tuple(values))
    return db.session.execute(statement, values).scalar()


#: The submission's columns in ``submission_in_one_statement``, each sent as a parameter of the same name
#: (but the respondent's id, which the statement finds).
SUBMISSION_COLUMNS = (
    "exercise_id",
    "respondent_id",
    "channel",
    "locale",
    "workshop_session_id",
    "idempotency_key",
    "created_at",
)


@functools.cache
def submission_in_one_statement():
    """PostgreSQL: ``lock_respondent``'s upsert, the submission's insert and its entries' insert as one
    statement, three data-modifying CTEs (``WITH locked AS (INSERT ... ON CONFLICT DO UPDATE RETURNING),
    sub AS (INSERT ... SELECT ... FROM locked ON CONFLICT DO NOTHING RETURNING id), entries AS (INSERT ...
    SELECT ... FROM sub, jsonb_to_recordset(:entries))``), answering the respondent's id and the new
    submission's id (NULL when either unique key refused it: then no entry is stored either).

    Each part behaves as its own statement did: the respondent's row is locked first (their copy sent at the
    same moment waits, then finds this one stored), and the submission's unique keys are the idempotency
    check."""
    submissions, entries = table_of(Submission), table_of(SubmissionEntry)
    locked = locking_insert("postgresql").cte("locked")
    submission = (
        insert_from_row(submissions, SUBMISSION_COLUMNS, locked, {"respondent_id": locked.c.id})
        .on_conflict_do_nothing()
        .returning(submissions.c.id)
        .cte("sub")
    )
    each = json_rows("each", "entries", {"item_id": Integer, "value": BigInteger})
    stored = (
        postgresql.insert(entries)
        .from_select(
            ["submission_id", "item_id", "value"],
            select(submission.c.id, each.c.item_id, each.c.value).select_from(submission).join(each, true()),
        )
        .cte("entries")
    )
    submission_id = select(submission.c.id).scalar_subquery().label("submission_id")
    return select(locked.c.id, submission_id).add_cte(stored)


def _store(
    exercise: Exercise, token: str, channel: Channel, submission: dict, entries: dict[int, int]
) -> tuple[int, int | None]:
    """Lock (or create) the respondent and store the submission and its entries, all or nothing: (the
    respondent's id, the submission's id, or None when either unique key refused it and nothing was
    stored). One statement on PostgreSQL (``submission_in_one_statement``), three on SQLite. From here this
    respondent's row is locked to the end of the transaction: a copy of this answer sent at the same moment
    waits, then finds this one stored."""
    with atomic():
        if db.session.get_bind().dialect.name == "postgresql":
            values = {
                **locking_values(exercise, token, channel),
                **submission,
                "entries": [{"item_id": item, "value": value} for item, value in entries.items()],
            }
            row = db.session.connection().execute(submission_in_one_statement(), values).one()
            return row.id, row.submission_id
        respondent_id = _lock_respondent(exercise, token, channel).id
        submission_id = _insert_submission({**submission, "respondent_id": respondent_id})
        if submission_id is not None:
            rows = [{"submission_id": submission_id, "item_id": i, "value": v} for i, v in entries.items()]
            db.session.execute(insert(table_of(SubmissionEntry)), rows)
        return respondent_id, submission_id


def record_submission(
    exercise: Exercise,
    token: str,
    values: Mapping[int, int | None],
    *,
    idempotency_key: str,
    channel: Channel = Channel.ONLINE,
    locale: str = "en",
    workshop_session_id: int | None = None,
) -> SubmissionReceipt:
    """Check and store an allocation (amount per item) or a ranking (place per ranked item).

    A retry with the same key, or a second submission from the same person, stores nothing and returns
    what was stored first. The key is stored as an HMAC of it and the respondent's token: another person
    sending my key stores their own answer and never sees mine.

    A few statements: the respondent found or created and locked (one: their copies sent at once wait for
    each other), the submission inserted with its unique keys as the idempotency check (one) and its entries
    (one, every row at once). The rules are checked first from the exercise as loaded; a refused answer
    looks for an earlier one under its key (a retry after the exercise closed or changed) and writes nothing.
    """
    key = stored_key(exercise, token, idempotency_key)
    try:
        entries = _checked_entries(exercise, values)
    except (VoteRefused, SubmissionInvalid):
        earlier = _with_key(exercise, token, key)
        if earlier is None:
            raise
        return SubmissionReceipt(earlier.id, False)
    respondent_id, submission_id = _store(
        exercise,
        token,
        channel,
        {
            "exercise_id": exercise.id,
            "channel": channel,
            "locale": locale,
            "workshop_session_id": workshop_session_id,
            "idempotency_key": key,
        },
        entries,
    )
    if submission_id is None:
        # Their answer is already stored: this one sent again, or a second go (one person, one answer).
        earlier_id = db.session.scalar(
            select(Submission.id).where(
                Submission.exercise_id == exercise.id, Submission.respondent_id == respondent_id
            )
        )
        if earlier_id is None:  # the key clashed with another person's: only an HMAC collision gets here
            raise RuntimeError(f"a submission key in exercise {exercise.id} clashed with another's")
        return SubmissionReceipt(earlier_id, False)
    results_changed("exercise", exercise.id)
    logger.debug("a submission in exercise %s", exercise.id)  # not its id (docs/privacy.md, logs)
    return SubmissionReceipt(submission_id, True)


def add_comment(exercise: Exercise, respondent: Respondent | None, text: str) -> Comment:
    """Store a respondent's optional comment (shown escaped, never published with their answer)."""
    comment = Comment(
        exercise_id=exercise.id, respondent_id=respondent.id if respondent else None, text=text.strip()
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def recent_comments(exercise: Exercise, limit: int = 100) -> tuple[int, list[Comment]]:
    """How many comments an exercise has, and the newest ``limit`` of them."""
    total = db.session.execute(
        select(func.count()).select_from(Comment).where(Comment.exercise_id == exercise.id)
    ).scalar_one()
    newest = db.session.scalars(
        select(Comment).where(Comment.exercise_id == exercise.id).order_by(Comment.id.desc()).limit(limit)
    )
    return total, list(newest)
