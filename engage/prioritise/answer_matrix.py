"""Every submission to a budget or ranking exercise as one respondents x items matrix, in one query."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseItem, Submission, SubmissionEntry


@dataclass(frozen=True)
class AnswerMatrix:
    #: values[r, k]: respondent r's amount for item k (budget) or place (ranking); NaN where there is none.
    values: np.ndarray
    #: The respondent id of each row.
    respondent_ids: np.ndarray
    #: The channel of each row ("online", "workshop", "paper").
    channels: np.ndarray

    @property
    def respondents(self) -> int:
        return len(self.respondent_ids)


def load_answer_matrix(exercise: Exercise, items: list[ExerciseItem]) -> AnswerMatrix:
    """Read every entry of every submission (plain rows from the cursor, then NumPy)."""
    query = (
        select(Submission.respondent_id, Submission.channel, SubmissionEntry.item_id, SubmissionEntry.value)
        .join(SubmissionEntry, SubmissionEntry.submission_id == Submission.id)
        .where(Submission.exercise_id == exercise.id)
        .order_by(Submission.respondent_id)
    )
    rows = db.session.execute(query).all()
    if not rows:
        return AnswerMatrix(np.zeros((0, len(items))), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))
    people, channels, item_ids, values = zip(*rows, strict=True)
    respondent_ids, row = np.unique(np.asarray(people, dtype=np.int64), return_inverse=True)
    position = {item.id: k for k, item in enumerate(items)}
    column = np.array([position.get(i, -1) for i in item_ids])
    keep = column >= 0
    matrix = np.full((len(respondent_ids), len(items)), np.nan)
    matrix[row[keep], column[keep]] = np.asarray(values, dtype=np.float64)[keep]
    row_channel = np.empty(len(respondent_ids), dtype=object)
    row_channel[row] = [c.value for c in channels]
    return AnswerMatrix(matrix, respondent_ids, row_channel)
