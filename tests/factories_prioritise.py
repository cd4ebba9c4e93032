"""Factories for exercises and votes (a pytest plugin: tests/conftest.py loads it)."""

from __future__ import annotations

import secrets

import pytest

from engage.accounts.models import Role
from engage.prioritise import service, voting
from engage.prioritise.models import Exercise, ExerciseStatus, Outcome


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
        return exercise

    return make


@pytest.fixture
def cast():
    """Cast a vote as the resident with ``token`` (default: a new resident each call)."""

    def vote(exercise, left, right, outcome=Outcome.LEFT, token=None, **extra):
        return voting.record_pairwise_vote(
            exercise,
            token or secrets.token_urlsafe(32),
            left_item_id=left.id,
            right_item_id=right.id,
            outcome=outcome,
            idempotency_key=extra.pop("key", secrets.token_hex(16)),
            **extra,
        )

    return vote
