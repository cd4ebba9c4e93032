"""Factories for exercises and votes (a pytest plugin: tests/conftest.py loads it)."""

from __future__ import annotations

import secrets

import pytest

from engage.accounts.models import Role
from engage.extensions import db
from engage.prioritise import service
from engage.prioritise.budget.setup import ItemBudget, save_item_budgets
from engage.prioritise.models import BudgetMode, BudgetUnit, Exercise, ExerciseKind, ExerciseStatus, Outcome
from engage.prioritise.pairwise import voting
from engage.prioritise.submissions import submitting


@pytest.fixture
def council(make_organisation):
    return make_organisation("Aldermoor Borough Council")


@pytest.fixture
def hwb(make_board, make_priority, council):
    board = make_board("Health and Wellbeing", members=[council], short_code="HWB")
    for code, title in [
        ("HWB-SMOKING", "Helping people stop smoking"),
        ("HWB-ACTIVE", "More people active"),
        ("HWB-ALCOHOL", "Reducing alcohol harm"),
        ("HWB-LONELINESS", "Tackling loneliness"),
    ]:
        make_priority(board, code, title, description=f"{title}, in plain words.")
    return board


@pytest.fixture
def officer(make_user, council):
    return make_user(Role.BOARD_OFFICER, organisation=council)


@pytest.fixture
def make_exercise(hwb, officer):
    def make(
        status: ExerciseStatus = ExerciseStatus.OPEN, board=None, priorities=None, **settings
    ) -> Exercise:
        board = board or hwb
        options = {
            "title": "Health priorities",
            "question": "Which should the board focus on first?",
            "introduction": "Tell us what matters.",
            "opens_at": None,
            "closes_at": None,
            "allow_suggestions": True,
            "results_public": True,
        }
        options.update(settings)
        exercise = service.save_exercise(
            None,
            board=board,
            organisation_id=officer.organisation_id,
            user=officer,
            priorities=priorities if priorities is not None else board.active_priorities,
            **options,
        )
        if status is not ExerciseStatus.DRAFT:
            service.set_status(exercise, ExerciseStatus.OPEN)
        if status is ExerciseStatus.CLOSED:
            service.set_status(exercise, ExerciseStatus.CLOSED)
        db.session.commit()  # services only flush: the test is the unit of work (see tests/conftest.py)
        return exercise

    return make


@pytest.fixture
def cast():
    """Cast a vote as the resident with ``token`` (default: a new resident each call)."""

    def vote(exercise, left, right, outcome=Outcome.LEFT, token=None, **extra):
        receipt = voting.record_pairwise_vote(
            exercise,
            token or secrets.token_urlsafe(32),
            left_item_id=left.id,
            right_item_id=right.id,
            outcome=outcome,
            idempotency_key=extra.pop("key", secrets.token_hex(16)),
            **extra,
        )
        db.session.commit()
        return receipt

    return vote


@pytest.fixture
def make_budget(make_exercise):
    """A budget exercise on the HWB board. Share mode: a pot of 100 points. Rebalance mode: current
    budgets of 400k, 300k, 200k and 100k pounds, in steps of 10,000, with the first item's floor at 100k."""

    def make(mode=BudgetMode.SHARE, status=ExerciseStatus.OPEN, items=None, **settings):
        rebalance = mode is BudgetMode.REBALANCE
        options = {
            "kind": ExerciseKind.BUDGET,
            "budget_mode": mode,
            "unit": BudgetUnit.MONEY if rebalance else BudgetUnit.POINTS,
            "budget_total": None if rebalance else 100,
            "require_full": True,
            "show_comparison": True,
            "title": "Share the budget",
            "question": "How would you share it?",
        }
        options.update(settings)
        exercise = make_exercise(ExerciseStatus.DRAFT, **options)
        budgets = items or {}
        if rebalance and not budgets:
            amounts = [400_000, 300_000, 200_000, 100_000]
            for k, item in enumerate(exercise.active_items):
                budgets[item.id] = ItemBudget(
                    current_amount=amounts[k % 4], minimum=100_000 if k == 0 else None, step=10_000
                )
        if budgets:
            save_item_budgets(exercise, budgets)
        if status is not ExerciseStatus.DRAFT:
            service.set_status(exercise, ExerciseStatus.OPEN)
        if status is ExerciseStatus.CLOSED:
            service.set_status(exercise, ExerciseStatus.CLOSED)
        db.session.commit()
        return exercise

    return make


@pytest.fixture
def make_ranking(make_exercise):
    def make(status=ExerciseStatus.OPEN, **settings):
        options = {"kind": ExerciseKind.RANKING, "title": "Put them in order", "show_comparison": True}
        options.update(settings)
        return make_exercise(status, **options)

    return make


@pytest.fixture
def submit():
    """Submit an allocation or ranking ({item id: value}) as a new resident (or ``token``)."""

    def send(exercise, values, token=None, **extra):
        receipt = submitting.record_submission(
            exercise,
            token or secrets.token_urlsafe(32),
            values,
            idempotency_key=extra.pop("key", secrets.token_hex(16)),
            **extra,
        )
        db.session.commit()
        return receipt

    return send
