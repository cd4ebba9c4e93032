"""Residents sharing out a budget: the allocation page and its running total."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from engage.extensions import htmx
from engage.forms import form_page
from engage.prioritise import bp
from engage.prioritise.budget.rules import check_allocation, starting_amounts, summarise
from engage.prioritise.models import Exercise, ExerciseKind
from engage.prioritise.submissions.access import already_answered, answering_exercise_or_404
from engage.prioritise.submissions.drafts import load_draft, save_draft
from engage.prioritise.submissions.forms import AllocationForm


def _render(exercise: Exercise, form: AllocationForm, status: int = 200):
    summary = summarise(exercise, form.amounts())
    return render_template("prioritise/allocate.html", exercise=exercise, form=form, summary=summary), status


@bp.route("/exercises/<int:exercise_id>/allocate", methods=["GET", "POST"])
@form_page
def allocate(exercise_id: int):
    exercise, closed = answering_exercise_or_404(exercise_id, ExerciseKind.BUDGET)
    if closed is not None:
        return closed
    if already_answered(exercise):
        return redirect(url_for(".answered", exercise_id=exercise.id))
    form = AllocationForm.build(exercise)
    if not form.is_submitted():
        form.fill(load_draft(exercise) or starting_amounts(exercise))
        return _render(exercise, form)
    valid = form.validate()
    amounts = form.amounts()
    if "recalculate" in request.form:  # "Update the total" without JavaScript: show it, judge nothing yet
        if form.errors.get("csrf_token"):
            return _render(exercise, form, 400)
        form = AllocationForm.build(exercise)
        return _render(exercise, form)
    if valid or "csrf_token" not in form.errors:
        # Every problem at once: an unreadable box already says so, and the total is judged without it.
        for problem in check_allocation(exercise, amounts):
            if not form[problem.field].errors:
                form.add_error(problem.field, problem.message)
        if not form.errors:
            save_draft(exercise, amounts)
            return redirect(url_for(".check_answers", exercise_id=exercise.id))
    return _render(exercise, form, 400)


@bp.post("/exercises/<int:exercise_id>/allocate/total")
def allocation_total(exercise_id: int):
    """The running total and the consequences of the amounts typed so far (htmx, as the resident types)."""
    exercise, closed = answering_exercise_or_404(exercise_id, ExerciseKind.BUDGET)
    if closed is not None or not htmx:
        abort(404)
    form = AllocationForm.build(exercise)
    return render_template(
        "prioritise/_partials/_allocation_summary.html",
        exercise=exercise,
        summary=summarise(exercise, form.amounts()),
        oob=True,
    )
