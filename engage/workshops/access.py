"""Loading a workshop session for a facilitator's page: 404 when there is none, 403 when the signed-in
person may not run it."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from engage.accounts.models import Role
from engage.accounts.permissions import can_manage_owned
from engage.boards.models import Board
from engage.extensions import db
from engage.workshops.models import WorkshopRound, WorkshopSession

#: Who may run a workshop session (for their organisation, on a board it sits on).
RUNNERS = (Role.FACILITATOR, Role.BOARD_OFFICER)


def can_run(board: Board, organisation_id: int) -> bool:
    """Whether the signed-in person may run workshops for the organisation on the board."""
    return can_manage_owned(current_user, board, organisation_id, *RUNNERS)


def session_for(session_id: int) -> WorkshopSession:
    """The session for a facilitator's page: 404 when there is none, 403 unless they may run it."""
    session = db.get_or_404(WorkshopSession, session_id)
    if not can_run(session.board, session.organisation_id):
        abort(403)
    return session


def round_owner(round_: WorkshopRound):
    """The organisation that runs the exercise or consultation the round asks about."""
    if round_.exercise is not None:
        return round_.exercise.organisation
    return round_.asked_question.section.consultation.organisation


def may_enter_paper(round_: WorkshopRound) -> bool:
    """Paper sheets and shows of hands go into the round's exercise or consultation as its answers, so only
    a workshop of the organisation that runs it may enter them (administrators too). A partner's workshop
    may run the round, where residents answer for themselves, but not type answers in for it: there is no
    way yet for an organisation to invite another's staff to."""
    if current_user.is_authenticated and current_user.is_admin:
        return True
    return round_owner(round_).id == round_.session.organisation_id
