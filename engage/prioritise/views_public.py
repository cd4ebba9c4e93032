"""What residents see of every kind of exercise: the start page, suggestions, the questions about
themselves, the thank-you page and the public results."""

from __future__ import annotations

from typing import cast

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from engage.equality.forms import ProfileForm
from engage.extensions import limiter
from engage.forms import form_page
from engage.prioritise import bp, results_cache, service
from engage.prioritise.access import FIRST_STEP, public_exercise_or_404, respondent_here
from engage.prioritise.forms import SuggestionForm
from engage.prioritise.models import ExerciseKind, ExerciseStatus
from engage.prioritise.pairwise.charts import scores_chart
from engage.prioritise.pairwise.pages import render_finish
from engage.prioritise.pairwise.results import PairwiseResults
from engage.prioritise.results_waiting import instead_of_results
from engage.prioritise.submissions.pages import render_answer_results, render_answered
from engage.respondents import respondent_key
from engage.web import allow_inline_styles


@bp.get("/exercises/<int:exercise_id>")
def start(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    return render_template(
        "prioritise/start.html",
        exercise=exercise,
        first_step=url_for(FIRST_STEP[exercise.kind], exercise_id=exercise.id),
    )


@bp.post("/exercises/<int:exercise_id>/suggest")
@form_page
@limiter.limit("10 per hour", key_func=respondent_key)
def suggest(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    if not exercise.allow_suggestions:
        abort(404)
    form = SuggestionForm()
    if form.validate_on_submit():
        service.add_suggestion(exercise, respondent_here(exercise), form.text.data)
        flash(
            _("Thank you. Your suggestion will be read by the board's officers before it appears."), "success"
        )
        return redirect(url_for(".finish", exercise_id=exercise.id))
    if exercise.kind is not ExerciseKind.PAIRWISE:
        return render_answered(exercise, suggestion_form=form, status=400)
    return render_finish(exercise, suggestion_form=form, status=400)


@bp.get("/exercises/<int:exercise_id>/thank-you")
def thank_you(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    return render_template("prioritise/thank_you.html", exercise=exercise)


@bp.get("/exercises/<int:exercise_id>/results")
def public_results(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    if not (exercise.results_public and exercise.status is ExerciseStatus.CLOSED):
        abort(404)
    allow_inline_styles()
    if exercise.kind is not ExerciseKind.PAIRWISE:
        return render_answer_results(exercise, public=True)
    shown = results_cache.for_page(exercise, breakdowns=False)
    waiting = instead_of_results(exercise, shown, public=True)
    if waiting is not None:
        return waiting
    outcome = cast(PairwiseResults, shown.value)  # instead_of_results answered when there is none
    return render_template(
        "prioritise/public_results.html",
        exercise=exercise,
        results=outcome,
        chart_json=scores_chart(outcome),
        computed_at=shown.computed_at,
    )


@bp.post("/exercises/<int:exercise_id>/about-you")
@form_page
def about_you(exercise_id: int):
    """The optional equality questions, after any kind of exercise."""
    exercise = public_exercise_or_404(exercise_id)
    form = ProfileForm.build()
    if form.validate_on_submit():
        respondent = respondent_here(exercise)
        if respondent is not None:
            service.save_profile(respondent, form.answers())
        return redirect(url_for(".thank_you", exercise_id=exercise.id))
    if exercise.kind is ExerciseKind.PAIRWISE:
        return render_finish(exercise, profile_form=form, status=400)
    return render_answered(exercise, profile_form=form, status=400)
