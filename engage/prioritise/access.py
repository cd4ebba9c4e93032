"""Loading an exercise for a request: 404 when there is none (or residents may not see it yet), 403 when
the signed-in person may not act on it; and which respondent this browser is."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from engage.accounts.models import Role
from engage.accounts.permissions import can_manage_owned, can_read_results
from engage.boards.models import Board
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus, Respondent
from engage.respondents import current_token, find_respondent

#: Where each kind of exercise starts once a resident presses "Start now".
FIRST_STEP = {
    ExerciseKind.PAIRWISE: ".vote",
    ExerciseKind.BUDGET: ".allocate",
    ExerciseKind.RANKING: ".rank",
}


def can_manage(exercise: Exercise) -> bool:
    """Whether the signed-in person may change the exercise (a board officer of its organisation, or an
    admin)."""
    return can_manage_owned(current_user, exercise.board, exercise.organisation_id, Role.BOARD_OFFICER)


def exercise_for(exercise_id: int, manage: bool) -> Exercise:
    """The exercise for an officer's page: 404 when there is none, 403 unless they may manage it (``manage``)
    or read its results."""
    exercise = db.get_or_404(Exercise, exercise_id)
    allowed = can_manage(exercise) if manage else can_read_results(current_user, exercise.board)
    if not allowed:
        abort(403)
    return exercise


def may_create_on(board: Board) -> bool:
    """Whether the signed-in person may start an exercise on the board."""
    return current_user.is_admin or can_manage_owned(
        current_user, board, current_user.organisation_id, Role.BOARD_OFFICER
    )


def public_exercise_or_404(exercise_id: int) -> Exercise:
    """An exercise residents may see: anything but a draft."""
    exercise = db.get_or_404(Exercise, exercise_id)
    if exercise.status is ExerciseStatus.DRAFT:
        abort(404)
    return exercise


def respondent_here(exercise: Exercise) -> Respondent | None:
    """The respondent this browser's cookie names in the exercise, if they have taken part."""
    token = current_token()
    return find_respondent(exercise, token) if token else None
