"""Results pages of a large exercise while its results are worked out in the background (issue 19: no
request over 2 s): "Results are being worked out" when there are none yet, and a note on the last kept
results while newer answers are added. Both pages ask again every few seconds (htmx) and reload themselves
once the results are current; without JavaScript they offer a link to look again."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template

from engage.extensions import htmx
from engage.jobs.cache import Shown
from engage.prioritise.models import Exercise

#: The id of the element that polls, sent by htmx in the HX-Trigger header.
POLL_ID = "results-poll"


def instead_of_results(exercise: Exercise, shown: Shown[Any], public: bool) -> Any:
    """What a results view answers instead of its results page, or None when it shows them.

    The page's own poll gets 204 (nothing changes) until the results are current, then an ``HX-Refresh``
    (htmx reloads the page, which now shows them)."""
    polled = poll_answer(shown)
    if polled is not None:
        return polled
    if shown.value is None:
        return render_template("prioritise/results_pending.html", exercise=exercise, public=public)
    return None


def poll_answer(shown: Shown[Any]) -> Response | None:
    """The answer to a waiting page's own poll (204 until the results are current, then ``HX-Refresh``), or
    None when the request is not that poll."""
    if not (htmx and htmx.trigger == POLL_ID):
        return None
    if shown.current:
        return Response(status=200, headers={"HX-Refresh": "true"})
    return Response(status=204)
