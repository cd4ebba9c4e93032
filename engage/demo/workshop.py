"""The demo workshop: an evening session on the Health and Wellbeing Board with four rounds ready to run
(the board's pairwise exercise, a dot vote, a top-three ranking and a question from the open consultation),
for the facilitator to try."""

from __future__ import annotations

from datetime import date

from engage.accounts.models import User
from engage.boards import service as boards
from engage.prioritise import service as exercises
from engage.prioritise.models import BudgetMode, BudgetUnit, ExerciseKind, ExerciseStatus
from engage.workshops import service as workshops
from engage.workshops.models import WorkshopSession


def _exercise(board, officer: User, title: str, question: str, **settings):
    exercise = exercises.save_exercise(
        None,
        board=board,
        organisation_id=officer.organisation_id,
        user=officer,
        title=title,
        question=question,
        introduction="For the Healthy Aldermoor evening workshop.",
        priorities=board.active_priorities,
        opens_at=None,
        closes_at=None,
        allow_suggestions=False,
        results_public=False,
        workshop_only=True,
        **settings,
    )
    exercises.set_status(exercise, ExerciseStatus.OPEN)
    return exercise


def load_demo_workshop(officer: User, facilitator: User, pairwise) -> WorkshopSession:
    board = boards.get_board("health-and-wellbeing")
    assert board is not None, "the demo loads its boards first"
    dots = _exercise(
        board,
        officer,
        "Workshop dot vote",
        "Place your 10 dots on the priorities that matter most to you.",
        kind=ExerciseKind.BUDGET,
        budget_mode=BudgetMode.SHARE,
        unit=BudgetUnit.DOTS,
        budget_total=10,
        require_full=True,
        show_comparison=True,
    )
    top_three = _exercise(
        board,
        officer,
        "Workshop ranking",
        "Which three matter most to you? Put them in order.",
        kind=ExerciseKind.RANKING,
        rank_top_n=3,
        show_comparison=True,
    )
    session = workshops.create_session(
        board, facilitator, "Healthy Aldermoor evening", date(2026, 12, 3), "Aldermoor Central Library"
    )
    workshops.add_round(session, pairwise, 5)
    workshops.add_round(session, dots, None)
    workshops.add_round(session, top_three, None)
    questions = workshops.round_questions(board)
    if questions:
        workshops.add_round(session, question=questions[0])
    return session
