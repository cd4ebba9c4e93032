"""The pairwise page more than one view renders: the finish page (their top priorities, a suggestion box
and the questions about themselves), also shown again when a form on it is sent back with errors."""

from __future__ import annotations

from flask import render_template

from engage.equality.forms import ProfileForm
from engage.prioritise.access import respondent_here
from engage.prioritise.forms import SuggestionForm
from engage.prioritise.models import Exercise
from engage.prioritise.pairwise import results, voting


def render_finish(exercise: Exercise, suggestion_form=None, profile_form=None, status: int = 200):
    """The finish page of a pairwise exercise (with the error summary of the form sent back, if any)."""
    respondent = respondent_here(exercise)
    failed = suggestion_form if suggestion_form is not None else profile_form
    return render_template(
        "prioritise/finish.html",
        exercise=exercise,
        top=results.respondent_top_items(exercise, respondent),
        made=voting.count_votes(exercise, respondent),
        suggestion_form=suggestion_form or SuggestionForm(formdata=None),
        profile_form=profile_form or ProfileForm.build(formdata=None),
        form=failed,  # the base layout shows this form's error summary
    ), status
