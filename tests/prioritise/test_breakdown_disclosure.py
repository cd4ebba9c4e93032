"""Issue 18, finding 2: an exercise's results broken down by equality question never show a group of fewer
than ENGAGE_SMALL_CELL people, nor one that everyone's results or another breakdown would give away."""

import secrets

import pytest

from engage.extensions import db
from engage.prioritise.budget.results import budget_results
from engage.prioritise.models import Outcome, RespondentProfile
from engage.prioritise.pairwise.results import pairwise_results
from engage.prioritise.ranking.results import ranking_results
from engage.prioritise.weighting import NOT_SAID_GROUP
from engage.respondents import find_respondent
from engage.stats.disclosure import OTHER_GROUP
from tests.conftest import sign_in

#: 21 people: 12 women, 8 men, 1 who did not say; religion: 14 "none", 6 "christian", 1 "sikh", whose
#: answers stand apart from everyone else's (the person the review picked out).
PEOPLE = (
    [("Female", "none")] * 8
    + [("Female", "christian")] * 4
    + [("Male", "none")] * 6
    + [("Male", "christian")] * 2
    + [(None, "sikh")]
)


def _profile(respondent_id: int, sex: str | None, religion: str) -> None:
    if sex:
        db.session.add(RespondentProfile(respondent_id=respondent_id, dimension="sex", category=sex))
    db.session.add(RespondentProfile(respondent_id=respondent_id, dimension="religion", category=religion))


def _check(by_dimension: dict) -> None:
    assert set(by_dimension["sex"]) == {"Female", OTHER_GROUP}  # 8 men and 1 not said: 9 together
    assert by_dimension["sex"][OTHER_GROUP][0] == 9
    assert set(by_dimension["religion"]) == {"none", OTHER_GROUP}  # the sikh and the 6 christians: 7
    assert by_dimension["religion"][OTHER_GROUP][0] == 7
    for groups in by_dimension.values():
        assert all(people >= 5 for people, _values in groups.values())
        assert "sikh" not in groups and NOT_SAID_GROUP not in groups


def test_pairwise_breakdowns_hide_small_groups(client, officer, make_exercise, cast):
    exercise = make_exercise()
    a, b = exercise.items[:2]
    for sex, religion in PEOPLE:
        token = secrets.token_urlsafe(32)
        cast(exercise, a, b, Outcome.RIGHT if religion == "sikh" else Outcome.LEFT, token=token)
        _profile(find_respondent(exercise, token).id, sex, religion)
    db.session.commit()
    _check(pairwise_results(exercise, resamples=5).by_dimension)
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "1 person" not in html and ">sikh" not in html and "Other / not shown" in html


@pytest.mark.parametrize("kind", ["budget", "ranking"])
def test_budget_and_ranking_breakdowns_hide_small_groups(
    client, officer, make_budget, make_ranking, submit, kind
):
    exercise = make_budget() if kind == "budget" else make_ranking(rank_top_n=2)
    first, second = (item.id for item in exercise.active_items[:2])
    for sex, religion in PEOPLE:
        odd = religion == "sikh"
        if kind == "budget":
            values = {item.id: 25 for item in exercise.active_items}
            values[first], values[second] = (10, 40) if odd else (40, 10)
        else:
            values = {first: 2, second: 1} if odd else {first: 1, second: 2}
        receipt = submit(exercise, values)
        _profile(receipt.submission.respondent_id, sex, religion)
    db.session.commit()
    outcome = (budget_results if kind == "budget" else ranking_results)(exercise, resamples=5)
    _check(outcome.by_dimension)
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "1 person" not in html and ">sikh" not in html and "Other / not shown" in html


def test_groups_of_two_breakdowns_that_differ_by_a_few_people_are_not_both_shown(
    officer, make_exercise, cast
):
    # 12 women, all of no religion, and 2 men of no religion: "none" less "Female" would be those 2 men.
    exercise = make_exercise()
    a, b = exercise.items[:2]
    people = [("Female", "none")] * 12 + [("Male", "none")] * 2 + [("Male", "christian")] * 8
    for sex, religion in people:
        token = secrets.token_urlsafe(32)
        cast(exercise, a, b, token=token)
        _profile(find_respondent(exercise, token).id, sex, religion)
    db.session.commit()
    shown = pairwise_results(exercise, resamples=5).by_dimension
    assert not ("Female" in shown.get("sex", {}) and "none" in shown.get("religion", {}))
