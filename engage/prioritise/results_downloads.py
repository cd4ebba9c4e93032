"""An exercise's results as a file (pairwise scores; budget and ranking results), as CSV or XLSX.

The file is made from the same kept results as the public page (engage/prioritise/results_cache.py). When
they are current (or the exercise is small enough to compute them in the request) the request sends the
file; otherwise it is never computed in the request (issue 19: no request over 2 s): the officer is sent to
prepare it as a job on "Downloads and jobs" (the ``exercise_results`` export of engage/jobs/exports.py),
which computes and keeps the results if the refresh job has not yet done so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import redirect, url_for
from werkzeug.wrappers import Response

from engage import spreadsheets
from engage.prioritise import results_cache
from engage.prioritise.models import Exercise, ExerciseKind
from engage.prioritise.pairwise.exports import score_rows
from engage.prioritise.submissions.exports import result_rows

KIND = "exercise_results"


def file_name(exercise: Exercise, fmt: str) -> str:
    what = "scores" if exercise.kind is ExerciseKind.PAIRWISE else "results"
    return f"exercise-{exercise.id}-{what}.{fmt}"


def result_sheets(exercise: Exercise, outcome: Any) -> dict[str, Iterable]:
    """The workbook's one sheet ({title: rows}); a CSV is its rows."""
    if exercise.kind is ExerciseKind.PAIRWISE:
        return {"Scores": score_rows(outcome)}
    return {"Results": result_rows(outcome)}


def results_download(exercise: Exercise, fmt: str) -> Response:
    """The file from the results as they are now, or the page that prepares it as a job."""
    shown = results_cache.for_page(exercise, breakdowns=False)
    if not shown.current:
        return redirect(url_for("jobs.prepare", kind=KIND, target=exercise.id, fmt=fmt))
    sheets = result_sheets(exercise, shown.value)
    if fmt == "csv":
        body: str | bytes = spreadsheets.csv_text(next(iter(sheets.values())))
    else:
        body = spreadsheets.xlsx_bytes(sheets)
    return spreadsheets.download(body, file_name(exercise, fmt))
