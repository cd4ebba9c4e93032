"""Building and publishing weight sets: sources become shares, the blend is right, versions freeze."""

import json

import pytest
from sqlalchemy import func, select

from engage.channels import Channel
from engage.extensions import db
from engage.prioritise.models import ExerciseStatus
from engage.prioritise.service import set_status
from engage.service_errors import StateError
from engage.weights import service
from engage.weights.models import WeightEntry, WeightSet, WeightSetStatus
from engage.weights.preview import compute_preview
from engage.weights.versions import current_weight_set, is_superseded, weight_set_version


def weights_by_code(preview):
    return {row.priority.code: row.weight for row in preview.rows}


def test_candidates_are_the_boards_opened_exercises_and_importance_grids(board_with_answers, make_exercise):
    make_exercise(ExerciseStatus.DRAFT, title="Not opened yet")
    candidates = service.candidate_sources(board_with_answers["board"])
    kinds = sorted((c.kind, c.responses) for c in candidates)
    assert kinds == [("budget", 20), ("importance grid", 25), ("pairwise", 30)]


def test_budget_alone_gives_its_mean_shares(board_with_answers, make_weight_set):
    weight_set = make_weight_set({f"exercise-{board_with_answers['budget'].id}": 100})
    preview = compute_preview(weight_set)
    assert weights_by_code(preview) == pytest.approx(
        {"HWB-SMOKING": 0.4, "HWB-ACTIVE": 0.3, "HWB-ALCOHOL": 0.2, "HWB-LONELINESS": 0.1}
    )
    assert [row.rank for row in preview.rows] == [1, 2, 3, 4]
    assert all(row.respondents == 20 for row in preview.rows)


def test_importance_grid_alone_gives_mean_ratings_over_their_total(board_with_answers, make_weight_set):
    weight_set = make_weight_set({f"question-{board_with_answers['question'].id}": 100})
    preview = compute_preview(weight_set)
    assert weights_by_code(preview) == pytest.approx(
        {"HWB-SMOKING": 5 / 14, "HWB-ACTIVE": 4 / 14, "HWB-ALCOHOL": 3 / 14, "HWB-LONELINESS": 2 / 14}
    )


def test_blend_of_budget_and_grid_by_hand(board_with_answers, make_weight_set):
    b = board_with_answers
    weight_set = make_weight_set({f"exercise-{b['budget'].id}": 60, f"question-{b['question'].id}": 40})
    preview = compute_preview(weight_set)
    expected = {
        code: 0.6 * budget + 0.4 * grid / 14
        for code, budget, grid in [
            ("HWB-SMOKING", 0.4, 5),
            ("HWB-ACTIVE", 0.3, 4),
            ("HWB-ALCOHOL", 0.2, 3),
            ("HWB-LONELINESS", 0.1, 2),
        ]
    }
    assert weights_by_code(preview) == pytest.approx(expected)
    assert [row.respondents for row in preview.rows] == [45, 45, 45, 45]


def test_three_sources_keep_the_order_with_intervals_around_each_weight(make_weight_set):
    preview = compute_preview(make_weight_set())
    assert not preview.problems
    codes = [row.priority.code for row in preview.rows]
    assert codes == ["HWB-SMOKING", "HWB-ACTIVE", "HWB-ALCOHOL", "HWB-LONELINESS"]
    assert sum(row.weight for row in preview.rows) == pytest.approx(1.0)
    for row in preview.rows:
        assert row.low <= row.weight <= row.high
    # Each source alone, an equal blend and each source left out: all agree on this clear order.
    assert len(preview.alternatives) == 3 + 1 + 3
    assert all(alt.agreement == pytest.approx(1.0) and alt.same_top for alt in preview.alternatives)


def test_a_priority_no_source_covers_is_listed_without_a_weight(
    board_with_answers, make_priority, make_weight_set
):
    new = make_priority(board_with_answers["board"], "HWB-NEW", "A brand new priority")
    preview = compute_preview(make_weight_set())
    row = next(r for r in preview.rows if r.priority.id == new.id)
    assert row.weight is None and row.rank is None
    assert preview.without_data == [row]
    assert sum(r.weight for r in preview.ranked) == pytest.approx(1.0)


def test_a_source_without_answers_from_the_chosen_channels_is_a_problem(board_with_answers, make_weight_set):
    weight_set = make_weight_set(channels=[Channel.PAPER.value])
    preview = compute_preview(weight_set)
    assert not preview.can_publish
    assert any("no votes from the chosen channels" in p for p in preview.problems)
    with pytest.raises(StateError, match="cannot be published"):
        service.publish(weight_set, weight_set.created_by)
    assert weight_set.status is WeightSetStatus.DRAFT
    assert db.session.scalar(select(func.count()).select_from(WeightEntry)) == 0


def test_population_weighting_without_figures_is_used_unweighted_and_said(make_weight_set):
    preview = compute_preview(make_weight_set(weighted=True))
    assert not preview.problems
    assert all("Not population weighted" in e.weighting_note for e in preview.estimates)


def test_publish_freezes_a_numbered_version_with_its_method(make_weight_set, analyst):
    weight_set = make_weight_set()
    service.publish(weight_set, analyst)
    assert weight_set.version == 1
    assert weight_set.status is WeightSetStatus.PUBLISHED
    assert weight_set.published_by == analyst
    assert [e.priority_code for e in weight_set.entries][0] == "HWB-SMOKING"
    parameters = json.loads(weight_set.parameters)
    assert [s["blend_percent"] for s in parameters["sources"]] == [50, 30, 20]
    assert "These weights blend 3 sources" in weight_set.method_statement
    assert "“Share 100 points” (budget, 30% of the blend, 20 respondents)" in weight_set.method_statement
    snapshot = json.loads(weight_set.sources[1].snapshot)
    assert snapshot["HWB-SMOKING"] == pytest.approx(0.4)
    with pytest.raises(StateError, match="never changes"):
        service.save_draft(weight_set.board, analyst, {}, ["online"], False, weight_set)
    with pytest.raises(StateError):
        service.publish(weight_set, analyst)


def test_published_weights_do_not_move_when_new_answers_arrive(
    board_with_answers, make_weight_set, analyst, submit
):
    b = board_with_answers
    weight_set = make_weight_set({f"exercise-{b['budget'].id}": 100})
    service.publish(weight_set, analyst)
    before = [e.weight for e in weight_set.entries]
    items = {item.priority_id: item for item in b["budget"].active_items}
    for _ in range(20):
        submit(b["budget"], {items[p.id].id: v for p, v in zip(b["order"], (10, 20, 30, 40), strict=True)})
    db.session.expire_all()
    assert [e.weight for e in db.session.get(WeightSet, weight_set.id).entries] == before


def test_a_new_version_supersedes_and_withdrawing_keeps_it_visible(make_weight_set, analyst):
    first = make_weight_set()
    service.publish(first, analyst)
    second = make_weight_set()
    preview = compute_preview(second)
    assert all(row.previous is not None and row.change is not None for row in preview.rows)
    service.publish(second, analyst)
    board = first.board
    assert second.version == 2
    assert current_weight_set(board) == second
    assert is_superseded(first) and not is_superseded(second)
    service.withdraw(second, analyst, "A source had a data error")
    assert current_weight_set(board) == first
    assert weight_set_version(board, 2).status is WeightSetStatus.WITHDRAWN
    assert second.withdrawn_reason == "A source had a data error"
    with pytest.raises(StateError):
        service.withdraw(second, analyst, "again")


def test_only_the_boards_own_sources_can_be_chosen(make_weight_set, analyst, make_board, make_exercise):
    other = make_board("Another board")
    with pytest.raises(StateError, match="not one of this board"):
        service.save_draft(other, analyst, {"exercise-999999": 100}, ["online"], False)
    assert db.session.scalar(select(func.count()).select_from(WeightSet)) == 0


def test_closing_an_exercise_keeps_it_a_source(board_with_answers, make_weight_set):
    set_status(board_with_answers["pairwise"], ExerciseStatus.CLOSED)
    preview = compute_preview(make_weight_set())
    assert not preview.problems
