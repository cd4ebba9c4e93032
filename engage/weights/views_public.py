"""Published weights are public: a page per version, and CSV, JSON and XLSX downloads anyone can fetch."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for

from engage.boards.service import get_board_or_404
from engage.spreadsheets import download
from engage.web import allow_inline_styles
from engage.weights import bp
from engage.weights.access import version_or_404
from engage.weights.charts import chart_rows, weights_chart
from engage.weights.exports import WRITERS
from engage.weights.versions import (
    current_weight_set,
    is_superseded,
    published_weight_sets,
)


@bp.get("/boards/<slug>/weights")
def board_weights(slug: str):
    board = get_board_or_404(slug)
    return render_template(
        "weights/board_weights.html",
        board=board,
        versions=published_weight_sets(board),
        current=current_weight_set(board),
    )


@bp.get("/boards/<slug>/weights/<int:version>")
def published_weights(slug: str, version: int):
    board = get_board_or_404(slug)
    weight_set = version_or_404(board, version)
    allow_inline_styles()  # Plotly.js writes a <style> element
    return render_template(
        "weights/published_weights.html",
        board=board,
        weight_set=weight_set,
        chart=weights_chart(chart_rows(weight_set)),
        superseded=is_superseded(weight_set),
    )


@bp.get("/boards/<slug>/weights/<int:version>.<fmt>")
def download_weights(slug: str, version: int, fmt: str):
    if fmt not in WRITERS:
        abort(404)
    weight_set = version_or_404(get_board_or_404(slug), version)
    filename = f"{weight_set.board.slug}-weights-v{weight_set.version}.{fmt}"
    return download(WRITERS[fmt](weight_set), filename)


@bp.get("/boards/<slug>/weights/latest.<fmt>")
def download_latest_weights(slug: str, fmt: str):
    """A stable address for scheduled jobs: redirects to the current version's file."""
    board = get_board_or_404(slug)
    current = current_weight_set(board)
    if current is None or fmt not in WRITERS:
        abort(404)
    return redirect(url_for(".download_weights", slug=slug, version=current.version, fmt=fmt))
