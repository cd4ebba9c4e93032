"""Ranking exercises: the rules for places, the resident's journey without JavaScript, and the results."""

import csv
import io
import re

import numpy as np
import pytest
from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.models import Submission
from engage.prioritise.ranking.results import ranking_results
from engage.prioritise.ranking.views import apply_move, button_to_focus, order_from_places
from engage.prioritise.submissions.submitting import check_ranking
from engage.stats.pairwise import beat_random_scores, fit_bradley_terry, win_matrix
from tests.conftest import sign_in
from tests.downloads import prepared_file


def places(exercise, *values):
    return {item.id: value for item, value in zip(exercise.active_items, values, strict=True)}


def test_every_place_once(make_ranking, app):
    exercise = make_ranking()
    with app.test_request_context("/"):
        assert check_ranking(exercise, places(exercise, 1, 2, 3, 4)) == []
        twice = check_ranking(exercise, places(exercise, 1, 1, 3, 4))
        assert any("are both in place 1" in p.message for p in twice)
        assert any("Nothing is in place 2 yet" in p.message for p in twice)
        missing = check_ranking(exercise, places(exercise, 1, 2, 3, None))
        assert [p.message for p in missing] == ["Nothing is in place 4 yet"]
        assert (
            "Choose a place from 1 to 4" in check_ranking(exercise, places(exercise, 1, 2, 3, 9))[0].message
        )


def test_top_n_leaves_the_rest_unranked(make_ranking, app):
    exercise = make_ranking(rank_top_n=2)
    assert exercise.ranked_places == 2
    with app.test_request_context("/"):
        assert check_ranking(exercise, places(exercise, None, 2, 1, None)) == []
        assert check_ranking(exercise, places(exercise, None, 3, 1, None))


def test_moves_change_only_places_the_resident_set():
    """Issue 21, item 6: one "Move up" gave the first two items places 1 and 2."""
    nothing = {1: None, 2: None, 3: None, 4: None}
    assert apply_move([1, 2, 3, 4], nothing, "up-2", 3) == ({1: None, 2: 1, 3: None, 4: None}, 2)
    placed = {1: 1, 2: 2, 3: None, 4: None}
    assert apply_move([1, 2, 3, 4], placed, "up-2", 3)[0] == {1: 2, 2: 1, 3: None, 4: None}
    assert apply_move([1, 2, 3, 4], placed, "down-1", 3)[0] == {1: 2, 2: 1, 3: None, 4: None}
    assert apply_move([1, 2, 3, 4], placed, "down-2", 3)[0] == {1: 1, 2: None, 3: None, 4: None}
    assert apply_move([1, 2, 3, 4], placed, "up-4", 3)[0] == {1: 1, 2: 2, 3: None, 4: 3}
    full = {1: 1, 2: 2, 3: 3, 4: None}
    assert apply_move([1, 2, 3, 4], full, "up-4", 3)[0] == {1: 1, 2: 2, 3: None, 4: 3}
    assert apply_move([1, 2, 3, 4], placed, "sideways-1", 3) == (placed, None)
    assert apply_move([1, 2, 3, 4], placed, "down-3", 3) == (placed, 3)  # no such button: nothing changes


def test_focus_stays_on_the_button_pressed_while_it_is_there():
    assert button_to_focus([2, 1, 3], {2: 1, 1: 2}, 2, "up") == "down-2"  # at the top: no "up" button
    assert button_to_focus([2, 1, 3], {2: 1, 1: 2}, 1, "down") == "down-1"
    assert button_to_focus([2, 1, 3], {2: 1, 1: None}, 1, "down") == "up-1"


def test_order_follows_places_then_the_list(make_ranking):
    exercise = make_ranking()
    a, b, c, d = (item.id for item in exercise.active_items)
    assert order_from_places(exercise, {a: 2, b: 1, c: None, d: None}) == [b, a, c, d]
    assert order_from_places(exercise, {a: 2, b: 1, c: None, d: None}, [d, c, b, a]) == [b, a, d, c]


def test_each_person_gets_their_own_starting_order_with_nothing_placed(app, make_ranking):
    """Issue 21, item 6: the starting order was the same for everyone, which biases answers."""
    exercise = make_ranking()
    orders = set()
    for _ in range(12):
        html = app.test_client().get(f"/exercises/{exercise.id}/rank").get_data(as_text=True)
        orders.add(tuple(re.findall(r'id="item-title-(\d+)"', html)))
        assert "selected" not in re.sub(r'<option value="" selected', "", html)  # nothing placed
    assert len(orders) > 3
    client = app.test_client()
    first = client.get(f"/exercises/{exercise.id}/rank").get_data(as_text=True)
    again = client.get(f"/exercises/{exercise.id}/rank").get_data(as_text=True)
    assert re.findall(r'id="item-title-(\d+)"', first) == re.findall(r'id="item-title-(\d+)"', again)


def test_resident_ranks_with_move_buttons_and_without_javascript(client, make_ranking):
    exercise = make_ranking()
    a, b, c, d = exercise.active_items
    html = client.get(f"/exercises/{exercise.id}/rank").get_data(as_text=True)
    assert html.count("Choose a place") == 4 and "Move up" in html and "Move down" not in html
    moved = client.post(
        f"/exercises/{exercise.id}/rank",
        data={f"place-{i.id}": "" for i in exercise.active_items} | {"move_item": f"up-{a.id}"},
    )
    html = moved.get_data(as_text=True)
    assert moved.status_code == 200
    # a is now first, in place 1, and no other item has a place the resident did not give it.
    assert html.index(f'id="item-title-{a.id}"') < min(
        html.index(f'id="item-title-{i.id}"') for i in (b, c, d)
    )
    assert re.search(rf'name="place-{a.id}".*?<option value="1" selected', html, re.S)
    assert len(re.findall(r'<option value="\d" selected', html)) == 1
    for strange in ("²", "99999999999999999999999"):  # "²" passes str.isdigit but not int(): it was a 500
        odd = client.post(f"/exercises/{exercise.id}/rank", data=places_form(exercise, strange, 1, 3, 4))
        assert odd.status_code == 400
        odd = client.post(
            f"/exercises/{exercise.id}/rank",
            data={f"place-{i.id}": "" for i in exercise.active_items} | {"move_item": f"up-{strange}"},
        )
        assert odd.status_code == 200
    duplicate = client.post(f"/exercises/{exercise.id}/rank", data=places_form(exercise, 1, 1, 3, 4))
    assert duplicate.status_code == 400 and "are both in place 1" in duplicate.get_data(as_text=True)
    ok = client.post(f"/exercises/{exercise.id}/rank", data=places_form(exercise, 2, 1, 4, 3))
    assert ok.location.endswith("/check")
    check = client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True)
    titles = re.findall(r"<li><span>([^<]+)</span></li>", check)
    assert titles == [b.title, a.title, d.title, c.title]
    key = re.search(r'name="key"[^>]*value="([^"]+)"', check).group(1)
    assert client.post(f"/exercises/{exercise.id}/check", data={"key": key}).location.endswith("/your-answer")
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    answered = client.get(f"/exercises/{exercise.id}/your-answer").get_data(as_text=True)
    # Alone, everyone's order would be theirs: no comparison until five people have taken part.
    assert "Your place" not in answered and "once at least 5 people have taken part" in answered


def places_form(exercise, *values):
    return {f"place-{item.id}": str(v) for item, v in zip(exercise.active_items, values, strict=True)}


def test_move_with_htmx_returns_the_list_with_focus_and_an_announcement(client, make_ranking):
    exercise = make_ranking()
    a = exercise.active_items[0]
    response = client.post(
        f"/exercises/{exercise.id}/rank",
        data=places_form(exercise, 1, 2, 3, 4) | {"move_item": f"down-{a.id}"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<p id="ranking-status" hx-swap-oob="innerHTML">')
    assert f"{a.title} is now in place 2" in html
    assert re.search(rf'value="down-{a.id}"[^>]*data-autofocus', html, re.S)


def test_scores_match_the_rankings_broken_into_pairs(make_ranking, submit, app):
    exercise = make_ranking()
    a, b, c, d = exercise.active_items
    orders = [(a, b, c, d), (a, c, b, d), (b, a, d, c), (a, b, d, c), (c, a, b, d)]
    with app.test_request_context("/"):
        for order in orders:
            submit(exercise, {item.id: place for place, item in enumerate(order, start=1)})
        outcome = ranking_results(exercise, resamples=50)
    # Hand-built pairs: every item beats each one below it.
    index = {item.id: k for k, item in enumerate(exercise.active_items)}
    winners, losers = [], []
    for order in orders:
        for i, upper in enumerate(order):
            for lower in order[i + 1 :]:
                winners.append(index[upper.id])
                losers.append(index[lower.id])
    expected = beat_random_scores(fit_bradley_terry(win_matrix(winners, losers, 4)))
    scores = {row.item.id: row.score for row in outcome.items}
    assert [scores[item.id] for item in exercise.active_items] == pytest.approx(list(expected))
    top = outcome.items[0]
    assert top.item.id == a.id and top.first == pytest.approx(3 / 5) and top.mean_rank == pytest.approx(1.4)
    assert top.borda == pytest.approx(np.mean([3, 3, 2, 3, 2]))


def test_officer_sees_ranking_results_and_ordinal_pabulib(client, make_ranking, submit, officer, app):
    exercise = make_ranking(rank_top_n=2)
    a, b, c, d = exercise.active_items
    with app.test_request_context("/"):
        submit(exercise, {a.id: 1, c.id: 2})
        submit(exercise, {c.id: 1, a.id: 2})
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "Mean place" in html and "Ranked first by" in html
    text = prepared_file(client, f"/manage/exercises/{exercise.id}/responses.pb").decode()
    assert "vote_type;ordinal" in text and "max_length;2" in text
    votes = text.split("VOTES\n")[1].splitlines()
    assert votes[0] == "voter_id;vote" and [v.split(";")[1] for v in votes[1:]] == [
        f"{a.id},{c.id}",
        f"{c.id},{a.id}",
    ]


def test_public_results_once_closed(client, make_ranking, submit, app):
    from engage.prioritise import service
    from engage.prioritise.models import ExerciseStatus

    exercise = make_ranking()
    with app.test_request_context("/"):
        submit(exercise, {item.id: k for k, item in enumerate(exercise.active_items, start=1)})
    assert client.get(f"/exercises/{exercise.id}/results").status_code == 404
    service.set_status(exercise, ExerciseStatus.CLOSED)
    html = client.get(f"/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "What residents told us" in html and "1 person took part" in html and "Downloads" not in html


def test_top_n_results_show_how_many_ranked_each_item_beside_its_mean_place(
    client, make_ranking, submit, officer, app
):
    # Top 2 of 4: one person ranks d first; four rank a then b. d has the best mean place (1.0) from one
    # person; the score, which the table leads with, puts a first.
    exercise = make_ranking(rank_top_n=2)
    a, b, c, d = exercise.active_items
    with app.test_request_context("/"):
        submit(exercise, {d.id: 1, c.id: 2})
        for _ in range(4):
            submit(exercise, {a.id: 1, b.id: 2})
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "Each person ranked only their top 2, so the score is the figure to go by" in html
    table = html[html.index("Mean place among those who ranked it") :]
    row_d = table[table.index(d.title) :]
    row_d = row_d[: row_d.index("</tr>")]
    assert "1.0" in row_d and "1 of 5" in row_d
    assert table.index(a.title) < table.index(d.title)


def test_ranking_intervals_need_the_minimum_respondents(client, make_ranking, submit, officer, app):
    # Twelve people: enough for a budget's interval (10) but under a ranking's own minimum of 15 (the
    # simulation study found none that holds for every item at 10): scores, but "too few responses for an
    # interval", and the page says how many are needed; the download has empty limits rather than failing.
    exercise = make_ranking()
    items = list(exercise.active_items)
    with app.test_request_context("/"):
        for shift in range(12):
            order = items[shift % 4 :] + items[: shift % 4]
            submit(exercise, {item.id: place for place, item in enumerate(order, start=1)})
    outcome = ranking_results(exercise, resamples=20)
    assert all(row.low is None and row.high is None for row in outcome.items)
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "Too few responses for an interval" in html
    assert "With fewer than 15 responses there are too few for an interval" in html
    rows = list(csv.reader(io.StringIO(client.get(f"/manage/exercises/{exercise.id}/results.csv").text)))
    header = rows[0]
    assert all(row[header.index("score_low")] == "" and row[header.index("score")] for row in rows[1:])


def test_ranking_intervals_from_fifteen_respondents_are_expanded_percentiles(make_ranking, submit, app):
    # At the minimum an interval is shown, made from the resamples' expanded percentiles (docs/validation.md).
    from engage.stats.pairwise import expanded_percentile_interval

    exercise = make_ranking()
    items = list(exercise.active_items)
    with app.test_request_context("/"):
        for shift in range(15):
            order = items[shift % 4 :] + items[: shift % 4] if shift % 3 else items
            submit(exercise, {item.id: place for place, item in enumerate(order, start=1)})
    outcome = ranking_results(exercise, resamples=40)
    assert all(row.low is not None and row.low <= row.score <= row.high for row in outcome.items)
    low, high = expanded_percentile_interval(np.arange(41.0)[:, None], 15)
    assert 0 < low[0] < 1 and 39 < high[0] < 40  # wider than the 2.5th-97.5th percentiles (1 and 39)
