"""Loading a board for a staff page: 404 when there is none, 403 when the signed-in person may not read its
results."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from engage.accounts.permissions import can_read_results
from engage.boards.models import Board
from engage.boards.service import get_board_or_404


def board_for(slug: str) -> Board:
    """The board a staff page is about, for someone who may read its results (partners on it, admins)."""
    board = get_board_or_404(slug)
    if not can_read_results(current_user, board):
        abort(403)
    return board
