"""Who may pull which report: a partner's staff their own organisation's report and the board pack of each
board their organisation sits on; admins any. Load it or 404, then check access or 403."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from engage.accounts.models import Organisation, User
from engage.accounts.permissions import can_read_results
from engage.boards.access import board_for
from engage.boards.models import Board
from engage.extensions import db


def can_pull_organisation_report(user: User, organisation: Organisation) -> bool:
    return user.is_admin or user.organisation_id == organisation.id


def may_pull(user: User, subject: Organisation | Board) -> bool:
    """Whether ``user`` may pull this organisation's report or board's pack (the pages' rule, for a job
    that runs after they asked: their account may have been closed or moved meanwhile)."""
    if not user.is_active:
        return False
    if isinstance(subject, Board):
        return can_read_results(user, subject)
    return can_pull_organisation_report(user, subject)


def organisation_for(organisation_id: int) -> Organisation:
    """The organisation whose report is asked for, for its own staff or an admin."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    if not can_pull_organisation_report(current_user, organisation):
        abort(403)
    return organisation


def pack_board_for(slug: str) -> Board:
    """The board whose pack is asked for: its members' staff and admins (as for its results)."""
    return board_for(slug)
