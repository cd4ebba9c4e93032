"""The results page of a budget or ranking exercise, shared by the officers' and the public view."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from engage.prioritise import budget_results, charts, ranking_results
from engage.prioritise.models import Exercise, ExerciseKind


def render_answer_results(exercise: Exercise, public: bool):
    """The results page of a budget or ranking exercise (the public page leaves out breakdowns)."""
    if exercise.kind is ExerciseKind.BUDGET:
        outcome = budget_results.budget_results(exercise, breakdowns=not public)
        chart = charts.shares_chart(outcome.items)
    else:
        outcome = ranking_results.ranking_results(exercise, breakdowns=not public)
        chart = charts.scores_chart(outcome)
    breakdowns = []
    if len(outcome.by_channel) > 1:
        breakdowns.append((_("By channel"), outcome.by_channel))
    for dimension, categories in outcome.by_dimension.items():
        breakdowns.append((_("By %(dimension)s", dimension=dimension.replace("_", " ")), categories))
    return render_template(
        "prioritise/answer_results.html",
        exercise=exercise,
        results=outcome,
        chart=chart,
        public=public,
        breakdowns=breakdowns,
    )
