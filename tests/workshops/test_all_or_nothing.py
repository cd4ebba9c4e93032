"""Workshop actions are all or nothing: a paper sheet, its correction, a show of hands and the facilitator's
controls either happen whole or leave no trace, even when the page catches the refusal and shows it."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.channels import Channel
from engage.extensions import db
from engage.prioritise.models import Outcome, PairCount, PairwiseVote, Respondent, Submission, SubmissionEntry
from engage.service_errors import StateError
from engage.surveys.models import ConsultationResponse, ResponseCount
from engage.workshops import paper, service
from engage.workshops.models import PaperSheet, RoundState, SessionStatus, WorkshopRound
from tests.conftest import sign_in

CAP_MESSAGE = "You have made the most choices this exercise takes."


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot():
    """Every row a paper sheet can write, counted."""
    return {
        model.__name__: count(model)
        for model in (
            PairwiseVote,
            Respondent,
            PairCount,
            Submission,
            SubmissionEntry,
            ConsultationResponse,
            ResponseCount,
            PaperSheet,
        )
    }


@pytest.fixture
def facilitator(make_user, council):
    return make_user(Role.FACILITATOR, organisation=council)


@pytest.fixture
def six_items(hwb, make_priority, make_exercise):
    """A pairwise exercise of six items (15 pairs) taking at most 10 choices a person."""
    make_priority(hwb, "HWB-HOUSING", "Warm homes")
    make_priority(hwb, "HWB-FOOD", "Good food for children")
    return make_exercise(title="Which matters more?", max_votes_per_respondent=10)


@pytest.fixture
def workshop(hwb, facilitator, six_items, make_budget):
    session = service.create_session(hwb, facilitator, "Evening session", date(2026, 12, 3), "Town hall")
    service.add_round(session, six_items, 10)
    service.add_round(session, make_budget(title="Dot vote"), None)
    db.session.commit()
    return session


def failing_on_call(real, n, message):
    """``real``, except that its ``n``-th call is refused (a step part-way through an action)."""
    calls = []

    def step(*args, **kwargs):
        calls.append(args)
        if len(calls) == n:
            raise StateError(message)
        return real(*args, **kwargs)

    step.calls = calls
    return step


def pair_fields(exercise, n, choice="left"):
    items = list(exercise.active_items)
    pairs = [(a, b) for k, a in enumerate(items) for b in items[k + 1 :]]
    return {f"pair_{a.id}_{b.id}": choice for a, b in pairs[:n]}


def test_a_sheet_whose_eleventh_pair_breaks_the_cap_stores_none_of_it(client, workshop, facilitator):
    """Before: ten paper votes were kept with no sheet, counted in results and again when retyped."""
    current = service.start_next_round(workshop)
    db.session.commit()
    sign_in(client, facilitator)
    before = snapshot()
    refused = client.post(f"/manage/workshops/{workshop.id}/paper", data=pair_fields(current.exercise, 11))
    assert refused.status_code == 400
    assert "There is a problem" in refused.get_data(as_text=True)
    assert CAP_MESSAGE in refused.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before
    # Ten pairs is within the cap: the whole sheet is stored, once.
    saved = client.post(
        f"/manage/workshops/{workshop.id}/paper",
        data=pair_fields(current.exercise, 10),
        follow_redirects=True,
    )
    assert "Saved the paper sheet" in saved.get_data(as_text=True)
    assert count(PairwiseVote, PairwiseVote.channel == Channel.PAPER) == 10
    assert count(PaperSheet) == 1


def test_a_refused_correction_leaves_the_old_sheet_counting(client, workshop, facilitator):
    """Before: the new answers were written first, so ten of them stayed beside the old sheet's."""
    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    sheet = paper.enter_sheet(
        current,
        facilitator,
        pairs=[(items[0].id, items[1].id, Outcome.LEFT), (items[2].id, items[3].id, Outcome.RIGHT)],
    )
    db.session.commit()
    sign_in(client, facilitator)
    before = snapshot()
    old_votes = set(db.session.scalars(select(PairwiseVote.id)))
    url = f"/manage/workshops/{workshop.id}/paper/{sheet.id}/correct"
    refused = client.post(url, data={**pair_fields(current.exercise, 11, "right"), "reason": "Misread"})
    assert refused.status_code == 400 and CAP_MESSAGE in refused.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before
    assert set(db.session.scalars(select(PairwiseVote.id))) == old_votes
    kept = db.session.get(PaperSheet, sheet.id)
    assert kept.is_current and kept.correction_reason in ("", None)
    assert len(kept.vote_ids.strip("[]").split(",")) == 2
    # The pair counts still hold the old sheet's two choices.
    assert db.session.scalar(select(func.sum(PairCount.low_wins + PairCount.high_wins))) == 2


def test_a_refused_budget_sheet_keeps_no_submission(client, workshop, facilitator, monkeypatch):
    """Keeping the sheet is the last step: when it fails, the submission recorded before it goes too."""
    service.start_next_round(workshop)
    budget_round = service.start_next_round(workshop)
    db.session.commit()
    items = list(budget_round.exercise.active_items)
    real = paper._record

    def recorded_then_refused(*args, **kwargs):
        real(*args, **kwargs)
        raise StateError("The sheet could not be kept")

    monkeypatch.setattr(paper, "_record", recorded_then_refused)
    sign_in(client, facilitator)
    before = snapshot()
    values = {f"item_{item.id}": "10" for item in items}  # ten points each, the rest on the first
    values[f"item_{items[0].id}"] = str(100 - 10 * (len(items) - 1))
    page = client.get(f"/manage/workshops/{workshop.id}/paper").get_data(as_text=True)
    values["key"] = re.search(r'name="key"[^>]*value="([^"]+)"', page).group(1)
    refused = client.post(f"/manage/workshops/{workshop.id}/paper", data=values)
    assert refused.status_code == 400 and "The sheet could not be kept" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before


@pytest.fixture
def hands_round(workshop, make_consultation):
    consultation = make_consultation()
    question = next(q for q in consultation.questions if q.kind.value == "single")
    added = service.add_round(workshop, question=question)
    for _ in range(3):
        service.start_next_round(workshop)
    db.session.commit()
    return added


def test_a_show_of_hands_refused_part_way_stores_no_hands(
    client, workshop, hands_round, facilitator, monkeypatch
):
    """Seven hands for one answer and three for another: the third hand's response fails."""
    third_fails = failing_on_call(
        paper.record_one_answer, 3, "This consultation is not taking responses at the moment."
    )
    monkeypatch.setattr(paper, "record_one_answer", third_fails)
    sign_in(client, facilitator)
    before = snapshot()
    refused = client.post(
        f"/manage/workshops/{workshop.id}/paper", data={"in_room": "10", "hands_0": "7", "hands_2": "3"}
    )
    assert refused.status_code == 400
    assert "not taking responses at the moment" in refused.get_data(as_text=True)
    assert len(third_fails.calls) == 3
    db.session.expire_all()
    assert snapshot() == before


def test_a_refused_show_of_hands_correction_keeps_the_old_hands(
    workshop, hands_round, facilitator, monkeypatch
):
    options = [str(o.id) for o in hands_round.question.options]
    sheet = paper.enter_sheet(hands_round, facilitator, hands={options[0]: 4, options[1]: 2})
    db.session.commit()
    before = snapshot()
    monkeypatch.setattr(paper, "record_one_answer", failing_on_call(paper.record_one_answer, 2, "refused"))
    with pytest.raises(StateError):
        paper.correct_sheet(sheet, facilitator, "Counted twice", hands={options[0]: 3})
    db.session.expire_all()
    assert snapshot() == before
    kept = db.session.get(PaperSheet, sheet.id)
    assert kept.is_current and len(kept.response_ids.strip("[]").split(",")) == 6


@pytest.mark.parametrize("action", ["next", "end", "pause"])
def test_a_control_refused_after_its_first_change_changes_nothing(
    client, workshop, facilitator, monkeypatch, action
):
    """The session's revision is each control's last step: when it fails, the rounds stay as they were."""
    service.start_next_round(workshop)
    db.session.commit()

    def refused(_session):
        raise StateError("Refused at the last step")

    monkeypatch.setattr(service, "_changed", refused)
    sign_in(client, facilitator)
    state = lambda: (  # noqa: E731
        [(r.position, r.state) for r in workshop.rounds],
        workshop.current_position,
        workshop.status,
        workshop.revision,
    )
    before = state()
    response = client.post(
        f"/manage/workshops/{workshop.id}/{action}", data={"confirmed": "yes"}, follow_redirects=True
    )
    assert "Refused at the last step" in response.get_data(as_text=True)
    db.session.expire_all()
    assert state() == before
    assert before[0][0] == (0, RoundState.OPEN) and before[2] is SessionStatus.LIVE


def test_a_round_refused_at_its_last_step_is_not_added(
    client, workshop, facilitator, make_ranking, monkeypatch
):
    ranking = make_ranking(title="Put them in order")

    def refused(_session):
        raise StateError("Refused at the last step")

    monkeypatch.setattr(service, "_changed", refused)
    sign_in(client, facilitator)
    response = client.post(
        f"/manage/workshops/{workshop.id}/rounds", data={"exercise": f"exercise-{ranking.id}"}
    )
    assert response.status_code == 400 and "Refused at the last step" in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(WorkshopRound, WorkshopRound.session_id == workshop.id) == 2
