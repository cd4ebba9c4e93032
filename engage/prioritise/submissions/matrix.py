"""Every submission to a budget or ranking exercise as one respondents x items matrix, in one query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseItem, Respondent, Submission, SubmissionEntry


@dataclass(frozen=True)
class AnswerMatrix:
    #: values[r, k]: respondent r's amount for item k (budget) or place (ranking); NaN where there is none.
    values: np.ndarray
    #: The respondent id of each row.
    respondent_ids: np.ndarray
    #: The channel of each row ("online", "workshop", "paper").
    channels: np.ndarray
    #: The facilitated workshop each row was given in (-1 for none).
    workshop_sessions: np.ndarray

    @property
    def respondents(self) -> int:
        return len(self.respondent_ids)


def _plain_rows(query) -> Sequence[tuple]:
    """Rows as plain tuples straight from the DBAPI cursor: 100,000 submissions of 20 items are two million
    entries, and building a SQLAlchemy row for each costs more than the statistics."""
    result = db.session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def load_answer_matrix(exercise: Exercise, items: list[ExerciseItem]) -> AnswerMatrix:
    """Read every submission (one query) and every entry (another) into NumPy arrays."""
    submissions = _plain_rows(
        select(Submission.id, Submission.respondent_id, Submission.channel, Submission.workshop_session_id)
        .join(Respondent, Respondent.id == Submission.respondent_id)
        .where(Submission.exercise_id == exercise.id, Respondent.excluded_at.is_(None))
        .order_by(Submission.respondent_id)
    )
    matrix = np.full((len(submissions), len(items)), np.nan)
    if not submissions:
        empty = np.zeros(0, dtype=np.int64)
        return AnswerMatrix(matrix, empty, np.zeros(0, dtype=object), empty)
    submission_ids = np.array([row[0] for row in submissions], dtype=np.int64)
    respondent_ids = np.array([row[1] for row in submissions], dtype=np.int64)
    channels = np.array([row[2] for row in submissions], dtype=object)  # the stored value, e.g. "online"
    sessions = np.array([-1 if row[3] is None else row[3] for row in submissions], dtype=np.int64)
    entries = _plain_rows(
        select(SubmissionEntry.submission_id, SubmissionEntry.item_id, SubmissionEntry.value)
        .join(Submission, Submission.id == SubmissionEntry.submission_id)
        .join(Respondent, Respondent.id == Submission.respondent_id)
        .where(Submission.exercise_id == exercise.id, Respondent.excluded_at.is_(None))
    )
    if entries:
        submission, item, value = np.array(entries, dtype=np.int64).T
        order = np.argsort(submission_ids)
        row = order[np.searchsorted(submission_ids, submission, sorter=order)]
        column_of = np.full(max(int(item.max()), max(i.id for i in items)) + 1, -1, dtype=np.int64)
        column_of[[i.id for i in items]] = np.arange(len(items))
        column = column_of[item]
        keep = column >= 0
        matrix[row[keep], column[keep]] = value[keep]
    return AnswerMatrix(matrix, respondent_ids, channels, sessions)
