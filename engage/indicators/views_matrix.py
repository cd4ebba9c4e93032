"""The priority matrix as a download (the board's public page shows it)."""

from __future__ import annotations

from flask import Response

from engage.boards.service import get_board_or_404
from engage.indicators import bp
from engage.indicators.matrix import matrix_csv, priority_matrix


@bp.get("/boards/<slug>/priority-matrix.csv")
def matrix_download(slug: str):
    board = get_board_or_404(slug)
    return Response(
        matrix_csv(priority_matrix(board)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={board.slug}-priority-matrix.csv"},
    )
