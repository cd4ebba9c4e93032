"""Unusual activity in an exercise (ballot-stuffing signals) and leaving respondents out of its results."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from engage.forms import form_page
from engage.prioritise import bp, integrity
from engage.prioritise.access import exercise_for
from engage.prioritise.forms import ExcludeForm


@bp.get("/manage/exercises/<int:exercise_id>/activity")
@login_required
def activity(exercise_id: int):
    return _activity_page(exercise_for(exercise_id, manage=True), ExcludeForm(formdata=None))


def _activity_page(exercise, form: ExcludeForm, status: int = 200):
    """The signals, the excluded respondents and the exclusion form (with its errors, when sent back)."""
    page = render_template(
        "prioritise/activity.html",
        exercise=exercise,
        signals=integrity.signals(exercise),
        coordination=integrity.coordination_settings(),
        form=form,
    )
    return page, status


@bp.post("/manage/exercises/<int:exercise_id>/exclusions")
@form_page
@login_required
def exclude(exercise_id: int):
    exercise = exercise_for(exercise_id, manage=True)
    form = ExcludeForm()
    if form.validate_on_submit() and form.ids():
        count = integrity.exclude(exercise, form.ids(), current_user, form.reason.data)
        flash(
            ngettext(
                "%(num)d respondent left out of the results.",
                "%(num)d respondents left out of the results.",
                count,
            ),
            "success",
        )
        return redirect(url_for(".activity", exercise_id=exercise.id))
    if not form.ids():
        form.respondent_ids.errors.append(_("Choose who to leave out"))
    return _activity_page(exercise, form, 400)


@bp.post("/manage/exercises/<int:exercise_id>/exclusions/<int:respondent_id>/include")
@login_required
def include_again(exercise_id: int, respondent_id: int):
    exercise = exercise_for(exercise_id, manage=True)
    if integrity.include_again(exercise, respondent_id):
        flash(_("Their answers count in the results again."), "success")
    return redirect(url_for(".activity", exercise_id=exercise.id))
