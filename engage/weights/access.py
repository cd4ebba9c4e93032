"""Loading weight sets for a request: 404 when there is none, 403 when the signed-in person may not build
or read them."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from engage.accounts.permissions import can_build_weights, can_read_results
from engage.boards.models import Board
from engage.extensions import db
from engage.weights.models import WeightSet
from engage.weights.versions import weight_set_version


def require_builder(board: Board) -> None:
    """403 unless the signed-in person may build the board's weights."""
    if not can_build_weights(current_user, board):
        abort(403)


def weight_set_for(weight_set_id: int, build: bool) -> WeightSet:
    """The weight set for an analyst's page: 404 when there is none, 403 unless they may build the board's
    weights (``build``) or read its results."""
    weight_set = db.get_or_404(WeightSet, weight_set_id)
    allowed = can_build_weights if build else can_read_results
    if not allowed(current_user, weight_set.board):
        abort(403)
    return weight_set


def version_or_404(board: Board, version: int) -> WeightSet:
    """A published version of the board's weights, or 404."""
    weight_set = weight_set_version(board, version)
    if weight_set is None:
        abort(404)
    return weight_set
