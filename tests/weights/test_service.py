"""Building and publishing weight sets: sources become shares, the blend is right, versions freeze."""

import json

import numpy as np
import pytest
from scipy.special import expit
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
from tests.factories_weights import publish_weights


def weights_by_code(preview):
    return {row.priority.code: row.weight for row in preview.rows}


def test_candidates_are_the_boards_opened_exercises_and_importance_grids(board_with_answers, make_exercise):
    make_exercise(ExerciseStatus.DRAFT, title="Not opened yet")
    candidates = service.candidate_sources(board_with_answers["board"])
    kinds = sorted((c.kind, c.responses) for c in candidates)
    assert kinds == [("budget", 30), ("importance grid", 35), ("pairwise", 30)]


def unanimous(people: int) -> np.ndarray:
    """Log-strengths of four priorities that all ``people`` put in the same order (budget or grid): every
    pair's chance is (people + 0.5) / (people + 1) with the indifferent pseudo-respondent, so its log-odds are
    L = log(2 people + 1), and each priority's strength is its mean log-odds against all four: 3L/4, L/4,
    -L/4, -3L/4."""
    odds = np.log(2 * people + 1)
    return np.array([3, 1, -1, -3]) * odds / 4


def by_hand(strengths) -> dict[str, float]:
    """Weight = the chance of being preferred to one of the other three, averaged, divided by 4/2."""
    chances = [
        np.mean([expit(a - b) for j, b in enumerate(strengths) if j != i]) for i, a in enumerate(strengths)
    ]
    codes = ("HWB-SMOKING", "HWB-ACTIVE", "HWB-ALCOHOL", "HWB-LONELINESS")
    return {code: chance / 2 for code, chance in zip(codes, chances, strict=True)}


def test_budget_alone_gives_the_chance_of_getting_more_than_another(board_with_answers, make_weight_set):
    weight_set = make_weight_set({f"exercise-{board_with_answers['budget'].id}": 100})
    preview = compute_preview(weight_set)
    assert weights_by_code(preview) == pytest.approx(by_hand(unanimous(30)))
    assert [row.rank for row in preview.rows] == [1, 2, 3, 4]
    assert all(row.respondents == 30 for row in preview.rows)


def test_importance_grid_alone_depends_only_on_the_order_of_ratings(board_with_answers, make_weight_set):
    weight_set = make_weight_set({f"question-{board_with_answers['question'].id}": 100})
    preview = compute_preview(weight_set)
    assert weights_by_code(preview) == pytest.approx(by_hand(unanimous(35)))


def test_blend_of_budget_and_grid_by_hand(board_with_answers, make_weight_set):
    # Both sources put the priorities in the same order with evenly spaced strengths, so standardised they
    # are the same; the blend is then 60% of the budget's strengths plus 40% of the grid's.
    b = board_with_answers
    weight_set = make_weight_set({f"exercise-{b['budget'].id}": 60, f"question-{b['question'].id}": 40})
    preview = compute_preview(weight_set)
    assert weights_by_code(preview) == pytest.approx(by_hand(0.6 * unanimous(30) + 0.4 * unanimous(35)))
    assert [row.respondents for row in preview.rows] == [65, 65, 65, 65]
    assert preview.influence == pytest.approx({weight_set.sources[0].id: 0.6, weight_set.sources[1].id: 0.4})


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
        publish_weights(weight_set, weight_set.created_by)
    assert weight_set.status is WeightSetStatus.DRAFT
    assert db.session.scalar(select(func.count()).select_from(WeightEntry)) == 0


def test_population_weighting_without_figures_is_used_unweighted_and_said(make_weight_set):
    preview = compute_preview(make_weight_set(weighted=True))
    assert not preview.problems
    assert all("Not population weighted" in e.weighting_note for e in preview.estimates)


def test_publish_freezes_a_numbered_version_with_its_method(make_weight_set, analyst):
    weight_set = make_weight_set()
    publish_weights(weight_set, analyst)
    assert weight_set.version == 1
    assert weight_set.status is WeightSetStatus.PUBLISHED
    assert weight_set.published_by == analyst
    assert [e.priority_code for e in weight_set.entries][0] == "HWB-SMOKING"
    parameters = json.loads(weight_set.parameters)
    assert [s["blend_percent"] for s in parameters["sources"]] == [50, 30, 20]
    assert "These weights blend 3 sources" in weight_set.method_statement
    assert "“Share 100 points” (budget, 30% of the blend, 30 respondents)" in weight_set.method_statement
    snapshot = json.loads(weight_set.sources[1].snapshot)
    assert snapshot["HWB-SMOKING"] == pytest.approx(by_hand(unanimous(30))["HWB-SMOKING"], abs=1e-6)
    with pytest.raises(StateError, match="never changes"):
        service.save_draft(weight_set.board, analyst, {}, ["online"], False, weight_set)
    with pytest.raises(StateError):
        publish_weights(weight_set, analyst)


def test_published_weights_do_not_move_when_new_answers_arrive(
    board_with_answers, make_weight_set, analyst, submit
):
    b = board_with_answers
    weight_set = make_weight_set({f"exercise-{b['budget'].id}": 100})
    publish_weights(weight_set, analyst)
    before = [e.weight for e in weight_set.entries]
    items = {item.priority_id: item for item in b["budget"].active_items}
    for _ in range(20):
        submit(b["budget"], {items[p.id].id: v for p, v in zip(b["order"], (10, 20, 30, 40), strict=True)})
    db.session.expire_all()
    assert [e.weight for e in db.session.get(WeightSet, weight_set.id).entries] == before


def test_a_new_version_supersedes_and_withdrawing_keeps_it_visible(make_weight_set, analyst):
    first = make_weight_set()
    publish_weights(first, analyst)
    second = make_weight_set()
    preview = compute_preview(second)
    assert all(row.previous is not None and row.change is not None for row in preview.rows)
    publish_weights(second, analyst)
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


# --- The minimum evidence rule (issue 22, item 9) ---


def test_a_priority_four_people_rated_gets_no_weight_and_the_preview_says_why(four_people_priority):
    # Before the rule, the priority only 4 people rated became the board's top priority.
    weight_set, new = four_people_priority
    preview = compute_preview(weight_set)
    assert preview.can_publish and preview.minimum == 30
    row = next(r for r in preview.rows if r.priority.id == new.id)
    assert row.weight is None and row.rank is None and row.too_little_evidence
    assert row.respondents == 4
    assert preview.too_little_evidence == [row] and preview.without_data == []
    assert [(s.priority.code, s.respondents) for s in preview.shortfalls] == [("HWB-NEW", 4)]
    assert sum(r.weight for r in preview.ranked) == pytest.approx(1.0)

    publish_weights(weight_set, weight_set.created_by)
    entry = next(e for e in weight_set.entries if e.priority_id == new.id)
    assert entry.weight is None and entry.rank is None
    parameters = json.loads(weight_set.parameters)
    assert parameters["priorities_below_minimum"] == ["HWB-NEW"]
    assert parameters["minimum_respondents"]["value"] == 30
    assert (
        "10 percentage points wide with 10 respondents per source"
        in parameters["minimum_respondents"]["reason"]
    )
    assert "at least 30 of its respondents" in weight_set.method_statement
    assert "(4 respondents)" in weight_set.method_statement


def test_the_minimum_is_configurable(app, board_with_answers, make_weight_set, monkeypatch):
    monkeypatch.setitem(app.config, "ENGAGE_WEIGHTS_MIN_RESPONDENTS", 31)
    preview = compute_preview(make_weight_set())
    assert preview.minimum == 31
    # The budget (30 people) now has too few for every priority: it cannot be blended, and that is a problem.
    assert not preview.can_publish
    assert any("“Share 100 points” has at least 31 respondents for none" in p for p in preview.problems)


def test_a_source_covering_one_priority_is_refused_with_the_reason(
    board_with_answers, make_consultation, grid_answers, make_weight_set
):
    b = board_with_answers
    question = grid_answers(make_consultation(), [{b["order"][3]: 5}] * 40)
    weight_set = make_weight_set({f"exercise-{b['budget'].id}": 10, f"question-{question.id}": 90})
    preview = compute_preview(weight_set)
    assert not preview.can_publish
    assert any("covers only one of this board’s priorities" in p for p in preview.problems), preview.problems


def test_publishing_what_was_not_confirmed_publishes_nothing(
    board_with_answers, make_weight_set, analyst, submit
):
    b = board_with_answers
    weight_set = make_weight_set()
    checked = compute_preview(weight_set).fingerprint()
    items = {item.priority_id: item for item in b["budget"].active_items}
    submit(b["budget"], {items[p.id].id: v for p, v in zip(b["order"], (10, 20, 30, 40), strict=True)})
    with pytest.raises(service.ChangedSinceChecked, match="changed since you checked"):
        publish_weights(weight_set, analyst, confirmed=checked)
    assert weight_set.is_draft and weight_set.entries == []
    publish_weights(weight_set, analyst, confirmed=compute_preview(weight_set).fingerprint())
    assert weight_set.version == 1


def test_recoding_a_grid_from_1_5_to_0_4_changes_no_weight(
    board_with_answers, make_consultation, grid_answers, make_weight_set
):
    # Issue 22 item 10: the grid was treated as a ratio scale, so the same answers coded 0-4 gave other
    # weights. Mixed answers, so the order of each person's ratings is not the same for everyone.
    b = board_with_answers
    people = [(5, 4, 2, 1), (3, 5, 4, 2), (4, 4, 3, 5), (2, 3, 5, 4)] * 10
    one_to_five = grid_answers(make_consultation(), [dict(zip(b["order"], p, strict=True)) for p in people])
    zero_to_four = grid_answers(
        make_consultation(), [{k: v - 1 for k, v in zip(b["order"], p, strict=True)} for p in people]
    )
    weights = [
        weights_by_code(
            compute_preview(make_weight_set({f"exercise-{b['budget'].id}": 50, f"question-{q.id}": 50}))
        )
        for q in (one_to_five, zero_to_four)
    ]
    assert weights[1] == pytest.approx(weights[0])


def test_stated_shares_are_each_sources_influence(board_with_answers, make_weight_set):
    # Issue 22 item 10: at 50/30/20 the sources' influence on the weights was set by their scales.
    preview = compute_preview(make_weight_set())
    shares = [e.source.blend / 100 for e in preview.estimates]
    assert list(preview.influence.values()) == pytest.approx(shares)
