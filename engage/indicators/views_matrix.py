"""The priority matrix as a download (the board's public page shows it)."""

from __future__ import annotations

from engage.boards.service import get_board_or_404
from engage.indicators import bp
from engage.indicators.matrix import matrix_csv, priority_matrix
from engage.spreadsheets import download


@bp.get("/boards/<slug>/priority-matrix.csv")
def matrix_download(slug: str):
    board = get_board_or_404(slug)
    return download(matrix_csv(priority_matrix(board)), f"{board.slug}-priority-matrix.csv")
