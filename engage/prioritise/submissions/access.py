"""Loading a budget or ranking exercise for a resident's answer: 404 unless it is of that kind and past
its draft, the 'not open' page when it is not taking answers, and whether they have already answered."""

from __future__ import annotations

from flask import abort, render_template

from engage.extensions import db
from engage.prioritise.access import respondent_here
from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus
from engage.prioritise.submissions.submitting import find_submission


def answering_exercise_or_404(exercise_id: int, kind: ExerciseKind):
    """(exercise, None) when it takes answers now; (exercise, the 'not open' page) when it does not."""
    exercise = db.get_or_404(Exercise, exercise_id)
    if exercise.status is ExerciseStatus.DRAFT or exercise.kind is not kind:
        abort(404)
    if not exercise.accepting_votes():
        return exercise, render_template("prioritise/not_open.html", exercise=exercise)
    return exercise, None


def already_answered(exercise: Exercise) -> bool:
    """Whether this browser's respondent has already sent an answer to the exercise."""
    return find_submission(exercise, respondent_here(exercise)) is not None
