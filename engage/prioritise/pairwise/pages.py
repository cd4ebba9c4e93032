"""The pairwise page more than one view renders: the finish page (their top priorities, the current
standings where the officer allows, a suggestion box and the questions about themselves), also shown again
when a form on it is sent back with errors."""

from __future__ import annotations

from flask import render_template, url_for

from engage.equality.forms import ProfileForm
from engage.prioritise import results_cache
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
    standings = chart = shown = None
    if standings_shown(exercise):
        # The public results page's own kept figures (the same fit, intervals and small-numbers rules), so
        # far: a large exercise's are never computed here (engage/jobs/cache.py), the page says they are
        # being worked out, or shows the last kept standings with their time.
        shown = results_cache.for_page(exercise, breakdowns=False)
        standings = shown.value
        if standings is not None and standings.has_scores:
            chart = scores_chart(standings)
            allow_inline_styles()  # Plotly.js writes a <style> element
    made = voting.count_votes(exercise, respondent.id if respondent is not None else None)
    return render_template(
        "prioritise/finish.html",
        exercise=exercise,
        top=results.respondent_top_items(exercise, respondent),
        made=made,
        # Not at the cap: a pair there could only be refused.
        more_choices=exercise.accepting_votes() and made < exercise.max_votes_per_respondent,
        # At the cap the last choice brought them here, where it can still be taken back.
        take_back=exercise.accepting_votes() and made > 0,
        standings=standings,
        standings_pending=shown is not None and standings is None,
        computed_at=shown.computed_at if shown is not None else None,
        look_again=url_for(".finish", exercise_id=exercise.id),
        chart=chart,
        suggestion_form=suggestion_form or SuggestionForm(formdata=None),
        profile_form=profile_form or ProfileForm.build(formdata=None),
        form=failed,  # the base layout shows this form's error summary
    ), status
