"""Pages of budget and ranking exercises that more than one view renders: the page after answering, and
the results (officers' and public)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_babel import gettext as _

from engage.equality.forms import ProfileForm
from engage.prioritise import results_cache
from engage.prioritise.access import respondent_here
from engage.prioritise.budget.charts import shares_chart
from engage.prioritise.budget.results import BudgetResults, respondent_shares
from engage.prioritise.forms import SuggestionForm
from engage.prioritise.models import Exercise, ExerciseItem, ExerciseKind
from engage.prioritise.pairwise.charts import scores_chart
from engage.prioritise.ranking.results import RankingResults
from engage.prioritise.results_waiting import instead_of_results
from engage.prioritise.submissions.forms import CommentForm
from engage.prioritise.submissions.submitting import find_submission, recent_comments
from engage.stats.allocation import MIN_INTERVAL_RESPONDENTS
from engage.stats.disclosure import differencing_step, round_to_step
from engage.stats.ranking import MIN_INTERVAL_RESPONDENTS as RANKING_MIN_INTERVAL_RESPONDENTS


def render_answer_results(exercise: Exercise, public: bool):
    """The results page of a budget or ranking exercise (the public page leaves out breakdowns); a large
    exercise's results are never computed here (engage/prioritise/results_waiting.py)."""
    shown = results_cache.for_page(exercise, breakdowns=not public)
    waiting = instead_of_results(exercise, shown, public)
    if waiting is not None:
        return waiting
    outcome = shown.value
    assert outcome is not None  # instead_of_results answers while there is nothing to show
    chart = shares_chart(outcome.items) if exercise.kind is ExerciseKind.BUDGET else scores_chart(outcome)
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
        comments=None if public else recent_comments(exercise),
        min_interval=(
            MIN_INTERVAL_RESPONDENTS
            if exercise.kind is ExerciseKind.BUDGET
            else RANKING_MIN_INTERVAL_RESPONDENTS
        ),
        computed_at=shown.computed_at,
    )


def render_answered(
    exercise: Exercise, comment_form=None, profile_form=None, suggestion_form=None, status: int = 200
):
    """The page after submitting: their answer beside everyone's, a suggestion and a comment box, and
    'about you'."""
    submission = find_submission(exercise, respondent_here(exercise))
    if submission is None:
        return redirect(url_for(".start", exercise_id=exercise.id))
    comparison = None
    if exercise.show_comparison:
        # The public page's kept results: a large exercise's are never computed here; while they are worked
        # out the page says so, or compares with the last kept results and says when they are from.
        shown = results_cache.for_page(exercise, breakdowns=False)
        everyone: BudgetResults | RankingResults | None = shown.value
        #: (item, their share or place, everyone's mean share or the item's rank)
        rows: list[tuple[ExerciseItem, float | None, float]] = []
        # Never beside fewer than the small-cell threshold: with two people, the second would read the
        # first's answer. Shares are rounded so finely only as reading them before and after one more
        # person answered cannot tell what that person gave (engage.stats.disclosure.differencing_step).
        minimum = current_app.config["ENGAGE_SMALL_CELL"]
        respondents = everyone.respondents if everyone is not None else None
        too_few = respondents is not None and respondents < minimum
        if isinstance(everyone, BudgetResults) and not too_few:
            mine = respondent_shares(exercise, submission)
            means = round_to_step(
                [row.mean for row in everyone.items], differencing_step(everyone.respondents)
            )
            rows = [
                (row.item, mine.get(row.item.id, 0.0), float(mean))
                for row, mean in zip(everyone.items, means, strict=True)
            ]
        elif isinstance(everyone, RankingResults) and not too_few:
            places = {entry.item_id: entry.value for entry in submission.entries}
            rows = [(row.item, places.get(row.item.id), row.rank) for row in everyone.items]
        comparison = {
            "rows": rows,
            "respondents": respondents,
            "too_few": too_few,
            "minimum": minimum,
            "computed_at": shown.computed_at,
        }
    look_again = url_for(".answered", exercise_id=exercise.id)
    failed = next((f for f in (comment_form, profile_form, suggestion_form) if f is not None), None)
    return render_template(
        "prioritise/answered.html",
        exercise=exercise,
        submission=submission,
        comparison=comparison,
        look_again=look_again,
        comment_form=comment_form or CommentForm(formdata=None),
        suggestion_form=suggestion_form or SuggestionForm(formdata=None),
        profile_form=profile_form or ProfileForm.build(formdata=None),
        form=failed,
    ), status
