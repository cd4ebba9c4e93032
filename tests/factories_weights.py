"""Factories for weight sets (a pytest plugin: tests/conftest.py loads it): a board with answers in a
pairwise exercise, a budget exercise and a consultation's importance grid, and an analyst."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import insert, select

from engage.accounts.models import Role, User
from engage.boards.models import AccountableMember
from engage.extensions import db
from engage.prioritise.models import Outcome
from engage.surveys.models import Answer, ConsultationResponse, QuestionKind
from engage.surveys.responses import new_reference
from engage.weights import service, sign_off
from engage.weights.preview import compute_preview
from tests import bulk
from tests.conftest import _password_hash


def councillor_for(board) -> User:
    """The board's accountable member, made on first use (a councillor from its first partner)."""
    member = db.session.scalar(select(AccountableMember).where(AccountableMember.board_id == board.id))
    if member is not None:
        return member.user
    councillor = User(
        email=f"councillor-{board.slug}@partner.example",
        name="Cllr Test Member",
        password_hash=_password_hash(),
        organisation_id=board.members[0].id,
    )
    db.session.add(councillor)
    db.session.add(AccountableMember(board=board, user=councillor, title="Chair of the board"))
    db.session.flush()
    return councillor


def publish_weights(weight_set, user, confirmed: str | None = None):
    """Publish as the board's kind asks: a network's set at once (advisory); a partnership board's set is
    submitted by ``user`` and approved by the board's accountable member (decided)."""
    if not weight_set.board.needs_political_oversight:
        return service.publish(weight_set, user, confirmed)
    submitted = sign_off.submit(weight_set, user, confirmed)
    sign_off.approve(submitted, councillor_for(weight_set.board), "Minute 1", "", None)
    return None


def confirmation(weight_set) -> dict[str, str]:
    """What the confirmation page posts: the box ticked and the fingerprint of the weights as they are now."""
    return {"confirm": "y", "fingerprint": compute_preview(weight_set).fingerprint()}


@pytest.fixture
def analyst(make_user, council):
    return make_user(Role.ANALYST, organisation=council)


@pytest.fixture
def grid_answers():
    """Store importance-grid responses directly, in bulk: ``ratings`` is a list of {priority: level 1-5}."""

    def store(consultation, ratings, channel=None):
        question = next(q for q in consultation.questions if q.kind is QuestionKind.IMPORTANCE)
        responses = bulk.inserted(
            ConsultationResponse,
            [
                {
                    "consultation_id": consultation.id,
                    "reference": new_reference(),
                    "idempotency_key": secrets.token_hex(16),
                    **({"channel": channel} if channel else {}),
                }
                for _ in ratings
            ],
        )
        answers = [
            {
                "response_id": response.id,
                "question_id": question.id,
                "priority_id": priority.id,
                "number": level,
            }
            for response, person in zip(responses, ratings, strict=True)
            for priority, level in person.items()
        ]
        if answers:
            db.session.execute(insert(Answer), answers)
        db.session.commit()
        return question

    return store


@pytest.fixture
def board_with_answers(hwb, make_exercise, make_budget, make_consultation, grid_answers):
    """HWB with: a pairwise exercise where SMOKING always wins and LONELINESS always loses (30 people);
    a points budget giving 40/30/20/10 (30 people); an importance grid rating 5/4/3/2 (35 people).
    The answers are stored in bulk (tests/bulk.py): these tests are about what is made of them."""
    by_code = {p.code: p for p in hwb.active_priorities}
    order = [by_code[code] for code in ("HWB-SMOKING", "HWB-ACTIVE", "HWB-ALCOHOL", "HWB-LONELINESS")]
    pairwise = make_exercise(title="Which matters more?")
    items = {item.priority_id: item for item in pairwise.items}
    pairs = [(order[a], order[b]) for a in range(4) for b in range(a + 1, 4)]  # the first always wins
    ballot = [(items[winner.id], items[loser.id], Outcome.LEFT) for winner, loser in pairs]
    bulk.votes(pairwise, [ballot] * 30)
    budget = make_budget(title="Share 100 points")
    budget_items = {item.priority_id: item for item in budget.active_items}
    shares = {budget_items[p.id].id: v for p, v in zip(order, (40, 30, 20, 10), strict=True)}
    bulk.submissions(budget, [shares] * 30)
    consultation = make_consultation()
    question = grid_answers(consultation, [dict(zip(order, (5, 4, 3, 2), strict=True))] * 35)
    return {"board": hwb, "pairwise": pairwise, "budget": budget, "question": question, "order": order}


@pytest.fixture
def make_weight_set(board_with_answers, analyst):
    def make(blends=None, channels=("online", "workshop", "paper"), weighted=False):
        b = board_with_answers
        blends = blends or {
            f"exercise-{b['pairwise'].id}": 50,
            f"exercise-{b['budget'].id}": 30,
            f"question-{b['question'].id}": 20,
        }
        weight_set = service.save_draft(b["board"], analyst, blends, list(channels), weighted)
        db.session.commit()  # the service only flushes; requests and other connections need it committed
        return weight_set

    return make


@pytest.fixture
def four_people_priority(board_with_answers, make_priority, make_consultation, grid_answers, make_weight_set):
    """A draft blending the budget with a second grid in which 35 people rate the four priorities 2/3/4/5 and
    only 4 of them also rate a new priority (5, the top). Returns (draft, the new priority)."""
    b = board_with_answers
    new = make_priority(b["board"], "HWB-NEW", "A brand new priority")
    ratings = [dict(zip(b["order"], (2, 3, 4, 5), strict=True)) for _ in range(35)]
    for person in ratings[:4]:
        person[new] = 5
    question = grid_answers(make_consultation(), ratings)
    return make_weight_set({f"exercise-{b['budget'].id}": 50, f"question-{question.id}": 50}), new
