"""Current standings after a resident finishes a pairwise exercise (issue 21 item 3): only where the
officer allows, the results page's own figures and small-numbers rules."""

import secrets

from engage.extensions import db
from engage.prioritise.models import ExerciseStatus, Outcome
from engage.prioritise.pairwise import results
from engage.respondents import COOKIE_NAME
from tests.conftest import sign_in


def _finish(client, exercise):
    return client.get(f"/exercises/{exercise.id}/finish").get_data(as_text=True)


def test_standings_are_off_by_default(client, make_exercise, cast):
    exercise = make_exercise()
    assert exercise.show_standings is False
    items = exercise.active_items
    cast(exercise, items[0], items[1])
    assert "How everyone has chosen so far" not in _finish(client, exercise)


def test_standings_after_finishing_use_the_results_figures(client, make_exercise, cast):
    exercise = make_exercise(show_standings=True)
    first, second, third, never = exercise.active_items
    cast(exercise, first, second)
    cast(exercise, second, third)
    html = _finish(client, exercise)
    assert "How everyone has chosen so far" in html
    # The same fit as the results page: its scores, to one decimal place, in the same table.
    outcome = results.pairwise_results(exercise, breakdowns=False)
    for row in outcome.items:
        if row.score is not None:
            assert (
                f'<td class="govuk-table__cell govuk-table__cell--numeric">{round(row.score, 1)}</td>' in html
            )
    # Small numbers: 2 people, so no interval; the item nobody compared has no score.
    assert outcome.too_few_for_intervals and all(row.low is None for row in outcome.items)
    assert "With fewer than 10 people there are too few for an interval" in html
    assert "Not enough comparisons" in html
    assert 'data-plotly="' in html  # the chart, drawn by charts.js


def test_intervals_appear_from_ten_people(make_exercise, cast):
    exercise = make_exercise(show_standings=True)
    items = exercise.active_items
    for k in range(10):
        token = secrets.token_urlsafe(32)
        for j in range(3):
            left, right = items[(k + j) % 4], items[(k + j + 1) % 4]
            cast(exercise, left, right, outcome=Outcome.LEFT if j != 1 else Outcome.RIGHT, token=token)
    outcome = results.pairwise_results(exercise, breakdowns=False)
    assert not outcome.too_few_for_intervals
    assert all(row.low is not None and row.high is not None for row in outcome.items)


def test_standings_setting_is_pairwise_only(make_ranking):
    assert make_ranking(show_standings=True).show_standings is False


def test_officer_switches_standings_on(client, officer, make_exercise):
    exercise = make_exercise(ExerciseStatus.DRAFT)
    sign_in(client, officer)
    form = {
        "title": exercise.title,
        "question": exercise.question,
        "introduction": "",
        "priorities": [item.priority_id for item in exercise.active_items],
        "max_votes_per_respondent": "200",
        "show_standings": "y",
        "workshop_only": "y",
        "minutes_to_answer": "4",
    }
    response = client.post(f"/manage/exercises/{exercise.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(exercise)
    assert exercise.show_standings and exercise.workshop_only and exercise.minutes_to_answer == 4
    form["minutes_to_answer"] = "500"
    assert client.post(f"/manage/exercises/{exercise.id}/edit", data=form).status_code == 400


def test_a_respondent_cookie_is_not_needed(client, make_exercise, cast):
    """Standings read everyone's votes, never the browser's: a visitor without a cookie sees them too."""
    exercise = make_exercise(show_standings=True)
    first, second, *_rest = exercise.active_items
    cast(exercise, first, second)
    client.delete_cookie(COOKIE_NAME)
    assert "How everyone has chosen so far" in _finish(client, exercise)


def test_no_standings_where_the_results_are_private_or_the_exercise_is_for_workshops(
    client, make_exercise, cast
):
    """The finish page is open to anyone with its address: it never shows what the results page refuses."""
    for settings in ({"results_public": False}, {"workshop_only": True}):
        exercise = make_exercise(show_standings=True, **settings)
        first, second, *_rest = exercise.active_items
        cast(exercise, first, second)
        html = _finish(client, exercise)
        assert "How everyone has chosen so far" not in html, settings
        assert client.get(f"/exercises/{exercise.id}/results").status_code == 404
