"""Unusual activity in a consultation (for its officers)."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from engage.prioritise.integrity import coordination_settings
from engage.prioritise.results_waiting import poll_answer
from engage.surveys import activity, bp
from engage.surveys.access import consultation_for


@bp.get("/manage/consultations/<int:consultation_id>/activity")
@login_required
def consultation_activity(consultation_id: int):
    """A large consultation's groups are compared by the refresh job: the page polls until they are current
    (engage/prioritise/results_waiting.py)."""
    consultation = consultation_for(consultation_id, manage=True)
    shown = activity.shown_coordinated(consultation)
    polled = poll_answer(shown)
    if polled is not None:
        return polled
    return render_template(
        "surveys/activity.html",
        consultation=consultation,
        groups=shown.value,
        computed_at=shown.computed_at,
        coordination=coordination_settings(),
    )
