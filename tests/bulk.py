"""Many answers stored at once, for tests about what is done with them (results, weights, integrity checks).

Tests of *recording* answers go through the services (``cast``, ``submit``); a fixture that needs hundreds
of answers to have something to compute only needs the rows those services leave behind. These helpers
write the same rows in a handful of statements (a vote through ``record_pairwise_vote`` takes a few
milliseconds; two hundred of them were most of a weights test's time): ORM bulk INSERTs of plain rows, with
no object for the session to track each (objects added one by one took a third of a second a fixture), then
let the app's own ``rebuild_counts`` derive the pair counts, comparisons and selection ratings from the
votes, as ``flask rebuild-counts`` does. They commit, like the factories, so a browser test's server sees the
rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import insert

from engage.channels import Channel
from engage.extensions import db
from engage.prioritise.models import (
    Exercise,
    ExerciseItem,
    Outcome,
    PairwiseVote,
    Respondent,
    Submission,
    SubmissionEntry,
)
from engage.prioritise.pairwise.counts import rebuild_counts
from engage.respondents import respondent_hash, respondent_scope

T = TypeVar("T")

#: One vote: (left item, right item, outcome).
Vote = tuple[ExerciseItem, ExerciseItem, Outcome]


def new_respondents(exercise: Exercise, count: int, channel: Channel = Channel.ONLINE) -> list[Respondent]:
    """``count`` new anonymous respondents in ``exercise``, as their first act would create them."""
    scope = respondent_scope(exercise)
    rows = [
        {
            "exercise_id": exercise.id,
            "token_hash": respondent_hash(secrets.token_urlsafe(32), scope),
            "channel": channel,
        }
        for _ in range(count)
    ]
    return inserted(Respondent, rows)


def inserted(model: type[T], rows: list[dict]) -> list[T]:
    """``rows`` inserted in one statement (ORM bulk INSERT: no unit of work per object, column defaults
    applied), returned as objects in the same order."""
    if not rows:
        return []
    statement = insert(model).returning(model, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def votes(
    exercise: Exercise,
    ballots: Sequence[Iterable[Vote]],
    *,
    channel: Channel = Channel.ONLINE,
    locale: str = "en",
    at: datetime | None = None,
) -> list[Respondent]:
    """Each ballot is one new respondent's votes, in order. Returns the respondents, one per ballot."""
    people = new_respondents(exercise, len(ballots), channel)
    rows = [
        {
            "exercise_id": exercise.id,
            "respondent_id": person.id,
            "left_item_id": left.id,
            "right_item_id": right.id,
            "outcome": outcome,
            "channel": channel,
            "locale": locale,
            "idempotency_key": secrets.token_hex(16),
            **({"created_at": at} if at else {}),
        }
        for person, ballot in zip(people, ballots, strict=True)
        for left, right, outcome in ballot
    ]
    if rows:
        db.session.execute(insert(PairwiseVote), rows)
    rebuild_counts(exercise)
    db.session.commit()
    return people


def submissions(
    exercise: Exercise,
    answers: Sequence[Mapping[int, int]],
    *,
    channel: Channel = Channel.ONLINE,
    locale: str = "en",
) -> list[Submission]:
    """Each answer ({item id: amount or place}) is one new respondent's submission, stored as given: pass
    answers the exercise's rules allow (``submit`` is the way to test the checks)."""
    people = new_respondents(exercise, len(answers), channel)
    rows = [
        {
            "exercise_id": exercise.id,
            "respondent_id": person.id,
            "channel": channel,
            "locale": locale,
            "idempotency_key": secrets.token_hex(16),
        }
        for person in people
    ]
    stored = inserted(Submission, rows)
    entries = [
        {"submission_id": submission.id, "item_id": item_id, "value": value}
        for submission, answer in zip(stored, answers, strict=True)
        for item_id, value in answer.items()
    ]
    if entries:
        db.session.execute(insert(SubmissionEntry), entries)
    db.session.commit()
    return stored
