"""Downloads: raw votes (no personal data) and scores, with stable documented columns (the scores are sent
by engage/prioritise/results_downloads.py)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response
from sqlalchemy import select

from engage.content import locale_columns, locale_values
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseItem, PairwiseVote
from engage.prioritise.pairwise.results import PairwiseResults
from engage.spreadsheets import streamed_csv

VOTE_COLUMNS = [
    "vote_id",
    "recorded_at",
    "respondent",
    "left_code",
    "left_title",
    "right_code",
    "right_title",
    "outcome",
    "skip_reason",
    "channel",
    "workshop_session",
    "locale",
]
#: Then the title in each other language (``title_cy``...), empty where it has no translation.
SCORE_COLUMNS = ["rank", "code", "title", "score", "score_low", "score_high", "wins", "comparisons"]


def _filename(exercise: Exercise, what: str, ext: str) -> str:
    return f"exercise-{exercise.id}-{what}.{ext}"


def vote_rows(exercise: Exercise) -> Iterator[list]:
    """A header, then every vote, read in batches: the respondent is a number local to this exercise,
    nothing that names anyone."""
    codes = {
        item.id: (item.priority.code if item.priority else f"SUGGESTION-{item.id}", item.title)
        for item in db.session.scalars(select(ExerciseItem).where(ExerciseItem.exercise_id == exercise.id))
    }
    yield VOTE_COLUMNS
    votes = db.session.execute(
        select(
            PairwiseVote.id,
            PairwiseVote.created_at,
            PairwiseVote.respondent_id,
            PairwiseVote.left_item_id,
            PairwiseVote.right_item_id,
            PairwiseVote.outcome,
            PairwiseVote.skip_reason,
            PairwiseVote.channel,
            PairwiseVote.workshop_session_id,
            PairwiseVote.locale,
        )
        .where(PairwiseVote.exercise_id == exercise.id)
        .order_by(PairwiseVote.id)
        .execution_options(yield_per=20_000)
    )
    for vote in votes:
        yield [
            vote.id,
            vote.created_at.isoformat(),
            vote.respondent_id,
            *codes[vote.left_item_id],
            *codes[vote.right_item_id],
            vote.outcome.value,
            vote.skip_reason.value if vote.skip_reason else "",
            vote.channel.value,
            vote.workshop_session_id or "",
            vote.locale,
        ]


def votes_csv_response(exercise: Exercise) -> Response:
    """Every vote as CSV, streamed a row at a time."""
    exercise_id = exercise.id
    return streamed_csv(
        lambda: vote_rows(db.session.get_one(Exercise, exercise_id)), _filename(exercise, "votes", "csv")
    )


def score_rows(results: PairwiseResults) -> list[list]:
    """A header, then scores (0-100) with their 95% interval, wins and comparisons, best first; empty rank,
    score and interval for an item with no score on the common scale."""
    return [
        SCORE_COLUMNS + locale_columns("title"),
        *(
            [
                "" if row.rank is None else row.rank,
                row.item.priority.code if row.item.priority else "",
                row.item.title,
                *("" if value is None else round(value, 2) for value in (row.score, row.low, row.high)),
                row.wins,
                row.comparisons,
                *(text or "" for text in locale_values(row.item, "title")),
            ]
            for row in results.items
        ),
    ]
