"""Budget allocation rules, amounts as residents type them, and recording one submission per person."""

import pytest
from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.budget.amounts import format_amount, parse_amount
from engage.prioritise.budget.rules import check_allocation, starting_amounts, summarise
from engage.prioritise.budget.setup import ItemBudget, parse_consequences, save_item_budgets
from engage.prioritise.models import (
    BudgetMode,
    BudgetUnit,
    ExerciseStatus,
    Submission,
    SubmissionEntry,
    Threshold,
)
from engage.prioritise.submissions.submitting import SubmissionInvalid
from engage.respondents import VoteRefused


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,250,000", 1_250_000),
        ("£10 000", 10_000),
        (" 25 ", 25),
        ("", 0),
        ("12.50", None),
        ("-5", None),
        ("ten", None),
    ],
)
def test_amounts_are_read_as_residents_type_them(app, typed, amount):
    with app.test_request_context("/"):
        assert parse_amount(typed) == amount


def test_amounts_are_written_the_locales_way(app):
    with app.test_request_context("/?lang=en"):
        assert format_amount(1_250_000, BudgetUnit.MONEY) == "£1,250,000"
        assert format_amount(1, BudgetUnit.POINTS) == "1 point"
        assert format_amount(5, BudgetUnit.DOTS) == "5 dots"


def test_consequences_are_read_line_by_line_and_bad_lines_named():
    parsed = parse_consequences("below 80,000: Library hours cut\n\nabove 500000: A new mobile library")
    assert parsed == [
        (Threshold.BELOW, 80_000, "Library hours cut"),
        (Threshold.ABOVE, 500_000, "A new mobile library"),
    ]
    with pytest.raises(ValueError, match="Line 2"):
        parse_consequences("below 1: ok\nlibraries close")


def test_share_mode_names_every_problem(make_budget, app):
    exercise = make_budget()
    a, b, c, d = exercise.active_items
    save_item_budgets(
        exercise, {a.id: ItemBudget(minimum=10), b.id: ItemBudget(maximum=30), c.id: ItemBudget(step=5)}
    )
    db.session.commit()
    with app.test_request_context("/"):
        problems = check_allocation(exercise, {a.id: 5, b.id: 40, c.id: 7, d.id: None})
        messages = [p.message for p in problems]
        fields = [f"item-{a.id}", f"item-{b.id}", f"item-{c.id}", f"item-{d.id}", "total"]
        assert [p.field for p in problems] == fields
        assert "cannot be less than 10 points" in messages[0]
        assert "cannot be more than 30 points" in messages[1]
        assert "must be a multiple of 5 points" in messages[2]
        assert "Enter a whole number" in messages[3]
        over = check_allocation(exercise, {a.id: 50, b.id: 30, c.id: 30, d.id: 0})
        assert (
            over[-1].field == "total" and "10 points more than the 100 points available" in over[-1].message
        )
        under = check_allocation(exercise, {a.id: 50, b.id: 30, c.id: 10, d.id: 0})
        assert "You have 10 points left to allocate" in under[-1].message
        assert check_allocation(exercise, {a.id: 50, b.id: 30, c.id: 10, d.id: 10}) == []


def test_share_mode_may_leave_some_unallocated_when_the_officer_allows(make_budget, app):
    exercise = make_budget(require_full=False)
    with app.test_request_context("/"):
        assert check_allocation(exercise, {exercise.active_items[0].id: 20}) == []


def test_rebalance_keeps_the_total_and_shows_the_council_tax_change_when_it_may_move(make_budget, app):
    exercise = make_budget(BudgetMode.REBALANCE)
    a, b, c, d = exercise.active_items
    start = starting_amounts(exercise)
    assert start == {a.id: 400_000, b.id: 300_000, c.id: 200_000, d.id: 100_000}
    with app.test_request_context("/"):
        assert check_allocation(exercise, start) == []
        moved = {**start, a.id: 350_000, d.id: 150_000}
        assert check_allocation(exercise, moved) == []
        more = {**start, d.id: 150_000}
        assert "£50,000 more than the £1,000,000 available" in check_allocation(exercise, more)[-1].message
        below_floor = {**start, a.id: 50_000, d.id: 450_000}
        assert "cannot be less than £100,000" in check_allocation(exercise, below_floor)[0].message

    flexible = make_budget(
        BudgetMode.REBALANCE, total_min=900_000, total_max=1_100_000, band_d_households=50_000
    )
    start = starting_amounts(flexible)
    first = flexible.active_items[0].id
    with app.test_request_context("/"):
        raised = {**start, first: 500_000}
        assert check_allocation(flexible, raised) == []
        summary = summarise(flexible, raised)
        assert (
            summary.left is None and summary.change == 100_000 and summary.band_d_change == pytest.approx(2.0)
        )
        too_much = {**start, first: 600_000}
        assert "must be between £900,000 and £1,100,000" in check_allocation(flexible, too_much)[-1].message


def test_consequences_apply_at_their_level(make_budget, app):
    exercise = make_budget(BudgetMode.REBALANCE)
    item = exercise.active_items[1]
    budgets = {
        i.id: ItemBudget(current_amount=i.current_amount, minimum=i.minimum, step=i.step)
        for i in exercise.active_items
    }
    budgets[item.id].consequences = [(Threshold.BELOW, 240_000, "Libraries close on Mondays")]
    save_item_budgets(exercise, budgets)
    start = starting_amounts(exercise)
    assert summarise(exercise, start).consequences == {}
    applying = summarise(exercise, {**start, item.id: 200_000}).consequences
    assert {key: [c.text for c in value] for key, value in applying.items()} == {
        item.id: ["Libraries close on Mondays"]
    }


def test_a_submission_is_stored_once_per_key_and_once_per_person(make_budget, submit, app):
    exercise = make_budget()
    values = {item.id: 25 for item in exercise.active_items}
    with app.test_request_context("/"):
        first = submit(exercise, values, token="t" * 40, key="k" * 32)
        again = submit(exercise, values, token="t" * 40, key="k" * 32)
        second_go = submit(exercise, {**values}, token="t" * 40, key="x" * 32)
    assert first.created and not again.created and not second_go.created
    assert again.submission.id == first.submission.id == second_go.submission.id
    assert count(Submission) == 1 and count(SubmissionEntry) == 4


def test_an_invalid_or_late_submission_writes_nothing(make_budget, submit, app):
    exercise = make_budget()
    with app.test_request_context("/"):
        with pytest.raises(SubmissionInvalid) as refused:
            submit(exercise, {item.id: 50 for item in exercise.active_items})
        assert refused.value.problems[-1].field == "total"
        closed = make_budget(status=ExerciseStatus.CLOSED)
        with pytest.raises(VoteRefused):
            submit(closed, {item.id: 25 for item in closed.active_items})
    assert count(Submission) == 0 and count(SubmissionEntry) == 0


def test_an_exercise_cannot_open_until_its_budget_adds_up(make_budget, app):
    from engage.prioritise import service

    with app.test_request_context("/"):
        rebalance = make_budget(BudgetMode.REBALANCE, status=ExerciseStatus.DRAFT, items={})
        rebalance.active_items[0].current_amount = None
        db.session.commit()
        with pytest.raises(service.StateError, match="current budget of every item"):
            service.set_status(rebalance, ExerciseStatus.OPEN)
        pot = make_budget(status=ExerciseStatus.DRAFT)
        save_item_budgets(pot, {item.id: ItemBudget(minimum=30) for item in pot.active_items})
        db.session.commit()
        with pytest.raises(service.StateError, match="minimums add up to 120 points"):
            service.set_status(pot, ExerciseStatus.OPEN)
