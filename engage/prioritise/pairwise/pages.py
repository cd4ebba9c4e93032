"""The pairwise page more than one view renders: the finish page (their top priorities, the current
standings where the officer allows, a suggestion box and the questions about themselves), also shown again
when a form on it is sent back with errors."""

from __future__ import annotations

from flask import render_template

from engage.equality.forms import ProfileForm
from engage.prioritise.access import respondent_here
from engage.prioritise.forms import SuggestionForm
from engage.prioritise.models import Exercise
from engage.prioritise.pairwise import results, voting
from engage.prioritise.pairwise.charts import scores_chart
from engage.web import allow_inline_styles


def standings_shown(exercise: Exercise) -> bool:
    """Standings show where the officer chose them and the results are public (never for a workshop-only
    exercise): the finish page is open to anyone with its address, so it must not show what the results
    page would refuse."""
    return bool(exercise.show_standings and exercise.results_public and not exercise.workshop_only)


def render_finish(exercise: Exercise, suggestion_form=None, profile_form=None, status: int = 200):
    """The finish page of a pairwise exercise (with the error summary of the form sent back, if any)."""
    respondent = respondent_here(exercise)
    failed = suggestion_form if suggestion_form is not None else profile_form
    standings = chart = None
    if standings_shown(exercise):
        # The results page's own figures (the same fit, intervals and small-numbers rules), so far.
        standings = results.pairwise_results(exercise, breakdowns=False)
        if standings.has_scores:
            chart = scores_chart(standings)
            allow_inline_styles()  # Plotly.js writes a <style> element
    return render_template(
        "prioritise/finish.html",
        exercise=exercise,
        top=results.respondent_top_items(exercise, respondent),
        made=voting.count_votes(exercise, respondent),
        standings=standings,
        chart=chart,
        suggestion_form=suggestion_form or SuggestionForm(formdata=None),
        profile_form=profile_form or ProfileForm.build(formdata=None),
        form=failed,  # the base layout shows this form's error summary
    ), status
