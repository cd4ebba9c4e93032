"""Loading a budget or ranking exercise for a resident's answer: 404 unless it is of that kind and past
its draft, the 'not open' page when it is not taking answers, and whether they have already answered."""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from engage import kept_structure
from engage.extensions import db
from engage.prioritise.access import respondent_here
from engage.prioritise.models import Exercise, ExerciseItem, ExerciseKind, ExerciseStatus
from engage.prioritise.submissions.submitting import find_submission

#: What checking an answer reads: the items and their consequences, each in one statement (not one per item),
#: loaded afresh even if the session already holds the exercise (so the options apply), when this worker
#: holds no current copy of them.
WITH_ITEMS = (selectinload(Exercise.items).selectinload(ExerciseItem.consequences),)


#: The exercise's row read afresh (its status and dates from the database even when the session already
#: holds it): built once, as ``Session.get`` built the statement and its cache key on every request (about
#: 70 microseconds of a budget send).
_READ_AFRESH = (
    select(Exercise).where(Exercise.id == bindparam("id")).execution_options(populate_existing=True)
)


def answering_exercise_or_404(exercise_id: int, kind: ExerciseKind | None = None):
    """(exercise, None) when it takes answers now; (exercise, the 'not open' page) when it does not. The
    exercise must be of ``kind`` (any budget or ranking exercise when None); its items and their
    consequences come with it, from this worker's copy while the exercise's stamp says it is current
    (engage.kept_structure)."""
    exercise = db.session.execute(_READ_AFRESH, {"id": exercise_id}).scalar_one_or_none()
    if exercise is None or exercise.status is ExerciseStatus.DRAFT:
        abort(404)
    if exercise.kind is ExerciseKind.PAIRWISE if kind is None else exercise.kind is not kind:
        abort(404)
    kept_structure.load(
        exercise,
        (exercise.structure_version,),
        ("items",),
        lambda: db.session.get(Exercise, exercise_id, options=WITH_ITEMS, populate_existing=True),
    )
    if not exercise.accepting_votes():
        return exercise, render_template("prioritise/not_open.html", exercise=exercise)
    return exercise, None


def already_answered(exercise: Exercise) -> bool:
    """Whether this browser's respondent has already sent an answer to the exercise."""
    return find_submission(exercise, respondent_here(exercise)) is not None
