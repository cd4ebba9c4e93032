"""Unusual activity in an exercise (ballot-stuffing signals) and leaving respondents out of its results."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from engage.forms import form_page
from engage.jobs.cache import Shown
from engage.prioritise import bp, integrity
from engage.prioritise.access import exercise_for
from engage.prioritise.forms import ExcludeForm
from engage.prioritise.results_waiting import poll_answer


@bp.get("/manage/exercises/<int:exercise_id>/activity")
@login_required
def activity(exercise_id: int):
    """A large exercise's signals are looked for by the refresh job: the page polls until they are current
    (engage/prioritise/results_waiting.py)."""
    exercise = exercise_for(exercise_id, manage=True)
    shown = integrity.shown_signals(exercise)
    return poll_answer(shown) or _activity_page(exercise, ExcludeForm(formdata=None), shown)


def _activity_page(exercise, form: ExcludeForm, shown: Shown[integrity.Found], status: int = 200):
    """The signals (or that they are being worked out), the excluded respondents and the exclusion form
    (with its errors, when sent back)."""
    found = shown.value
    sent = form.sent_from()
    if sent is not None:  # the error summary links to the box that was sent, not to "#reason"
        form.error_anchors = {"reason": f"#reason-{sent}", "respondent_ids": f"#reason-{sent}"}
    blank = ExcludeForm(formdata=None)

    def sent_form(signal: str) -> ExcludeForm:
        """The form sent back (its errors, what was typed) for the signal it came from; blank for others."""
        return form if signal == sent else blank

    page = render_template(
        "prioritise/activity.html",
        exercise=exercise,
        found=found,
        computed_at=shown.computed_at,
        excluded=integrity.excluded(exercise),
        coordination=integrity.coordination_settings(),
        form=form,
        sent_form=sent_form,
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
        if count:
            message = ngettext(
                "%(num)d respondent left out of the results.",
                "%(num)d respondents left out of the results.",
                count,
            )
            flash(message, "success")
        else:
            flash(_("No one was left out: they are already left out, or not in this exercise."), "important")
        return redirect(url_for(".activity", exercise_id=exercise.id))
    if not form.ids():
        form.respondent_ids.errors.append(_("Choose who to leave out"))
    return _activity_page(exercise, form, integrity.shown_signals(exercise), 400)


@bp.post("/manage/exercises/<int:exercise_id>/exclusions/<int:respondent_id>/include")
@login_required
def include_again(exercise_id: int, respondent_id: int):
    exercise = exercise_for(exercise_id, manage=True)
    if integrity.include_again(exercise, respondent_id):
        flash(_("Their answers count in the results again."), "success")
    else:
        flash(_("That respondent is not left out of this exercise's results."), "important")
    return redirect(url_for(".activity", exercise_id=exercise.id))
