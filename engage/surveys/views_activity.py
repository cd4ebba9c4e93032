"""Unusual activity in a consultation (for its officers)."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from engage.prioritise.integrity import coordination_settings
from engage.surveys import activity, bp
from engage.surveys.access import consultation_for


@bp.get("/manage/consultations/<int:consultation_id>/activity")
@login_required
def consultation_activity(consultation_id: int):
    consultation = consultation_for(consultation_id, manage=True)
    return render_template(
        "surveys/activity.html",
        consultation=consultation,
        groups=activity.coordinated_responses(consultation),
        coordination=coordination_settings(),
    )
