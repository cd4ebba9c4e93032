"""Tables of point estimates say what the main table says where there is nothing to score, and no interval
is shown below the minimum number of respondents (issue 22)."""

import pytest

from engage.channels import Channel
from engage.prioritise.models import Outcome
from engage.prioritise.pairwise.results import pairwise_results
from engage.stats.allocation import MIN_INTERVAL_RESPONDENTS
from engage.stats.pairwise import point_scores
from tests.conftest import sign_in


def test_a_group_that_never_compared_an_item_shows_not_enough_comparisons(
    make_exercise, cast, client, officer, app, monkeypatch
):
    monkeypatch.setitem(app.config, "ENGAGE_SMALL_CELL", 1)
    exercise = make_exercise()
    a, b, c, *_rest = exercise.active_items
    for _ in range(3):
        cast(exercise, a, b, Outcome.LEFT)
    for _ in range(3):
        cast(exercise, b, c, Outcome.LEFT, channel=Channel.PAPER)
    results = pairwise_results(exercise, resamples=10, threshold=1)
    _people, online = results.by_channel["online"]
    assert online[c.id] is None  # nobody online compared it: no score (it used to be 50)
    # Scored as the main table scores: among the items the group compared (three people, a over b).
    assert online[a.id] == pytest.approx(point_scores([0, 0, 0], [1, 1, 1], 2)[0])
    assert online[a.id] > 50 > online[b.id]
    _people, paper = results.by_channel["paper"]
    assert paper[a.id] is None and paper[b.id] > 50
    sign_in(client, officer)
    page = client.get(f"/manage/exercises/{exercise.id}/results")
    assert page.status_code == 200
    # The main table's uncompared items, and in the breakdowns c (online), a (paper) and those items again.
    assert page.get_data(as_text=True).count("Not enough comparisons") >= 3 * len(_rest) + 2


def test_pairwise_intervals_need_the_minimum_respondents(make_exercise, cast):
    exercise = make_exercise()
    a, b, c, *_rest = exercise.active_items
    for person in range(MIN_INTERVAL_RESPONDENTS - 1):
        token = f"{person:040d}"
        cast(exercise, a, b, Outcome.LEFT if person % 3 else Outcome.RIGHT, token=token)
        cast(exercise, b, c, Outcome.LEFT if person % 2 else Outcome.RIGHT, token=token)
    few = pairwise_results(exercise, resamples=20, breakdowns=False)
    assert all(row.low is None and row.high is None for row in few.items if row.score is not None)
    cast(exercise, a, c, Outcome.LEFT)  # a tenth person
    enough = pairwise_results(exercise, resamples=20, breakdowns=False)
    assert all(row.low is not None for row in enough.items if row.score is not None)
