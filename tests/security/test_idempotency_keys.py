"""Issue 18, finding 1: a key only ever finds the same submitter's earlier act.

Before, the key a client sent was looked up across everyone: sending a key that already existed returned
*that* act (a consultation's confirmation page showed its reference, which deletes it), and the keys the
server made for workshop rounds and paper sheets were worked out from small ids and sheet numbers. Each test
here is one kind of act: another person sending my key gets their own new act (or a refusal), never mine.
"""

import hashlib
import re
import secrets

import pytest
from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.models import Outcome, PairwiseVote, Submission
from engage.surveys import paper
from engage.surveys.models import ConsultationResponse
from engage.workshops import service
from tests.conftest import sign_in
from tests.surveys.test_consultations import first_page, respond, second_page


def reference_on(page: str) -> str:
    return re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", page).group(0)


def responses() -> int:
    return db.session.scalar(select(func.count()).select_from(ConsultationResponse))


def fill_in(client, consultation, hwb) -> None:
    """Answer a consultation's pages (stopping short of sending)."""
    client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
    client.post(f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb))


def send_with_key(client, consultation, hwb, key: str) -> str:
    """Another resident answers and sends under ``key``: the reference their confirmation page shows."""
    fill_in(client, consultation, hwb)
    client.get(f"/consultations/{consultation.id}/check")
    sent = client.post(f"/consultations/{consultation.id}/check", data={"key": key})
    assert sent.status_code == 302
    return reference_on(client.get(sent.headers["Location"]).get_data(as_text=True))


def test_someone_sending_my_consultation_key_gets_their_own_response_not_mine(app, make_consultation, hwb):
    consultation = make_consultation()
    me, them = app.test_client(), app.test_client()
    sent, key = respond(me, consultation, hwb)
    mine = reference_on(me.get(sent.headers["Location"]).get_data(as_text=True))
    theirs = send_with_key(them, consultation, hwb, key)
    assert theirs != mine and responses() == 2
    # My response is still mine, and my own retry (a double click) still finds it.
    assert me.post(f"/consultations/{consultation.id}/check", data={"key": key}).status_code == 302
    assert (
        reference_on(me.get(f"/consultations/{consultation.id}/confirmation").get_data(as_text=True)) == mine
    )
    assert responses() == 2


def test_someone_sending_my_pairwise_key_is_refused_and_never_sees_my_votes(app, make_exercise):
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    me, them = app.test_client(), app.test_client()
    page = me.get(url).get_data(as_text=True)
    form = {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("left", "right", "key")
    }
    assert me.post(url, data={**form, "choice": "left"}).status_code == 302
    them.get(url)
    answer = them.post(url, data={**form, "choice": "right"}, headers={"HX-Request": "true"})
    html = answer.get_data(as_text=True)
    assert "Something went wrong with that choice" in html and "made 1 choice" not in html
    votes = db.session.scalars(select(PairwiseVote)).all()
    assert len(votes) == 1 and votes[0].outcome is Outcome.LEFT


def test_a_pairwise_key_only_finds_its_own_senders_vote(make_exercise, cast):
    exercise = make_exercise()
    a, b = exercise.items[:2]
    mine = cast(exercise, a, b, token="m" * 43, key="k" * 32)
    theirs = cast(exercise, a, b, Outcome.RIGHT, token="t" * 43, key="k" * 32)
    assert theirs.created and theirs.vote.id != mine.vote.id
    assert theirs.vote.respondent_id != mine.vote.respondent_id
    again = cast(exercise, a, b, token="m" * 43, key="k" * 32)  # my own retry
    assert not again.created and again.vote.id == mine.vote.id


@pytest.mark.parametrize("kind", ["budget", "ranking"])
def test_a_budget_or_ranking_key_only_finds_its_own_senders_answer(kind, make_budget, make_ranking, submit):
    exercise = make_budget() if kind == "budget" else make_ranking()
    items = [item.id for item in exercise.active_items]
    values = (
        {items[0]: 70, items[1]: 30, items[2]: 0, items[3]: 0}
        if kind == "budget"
        else {item_id: place for place, item_id in enumerate(items, start=1)}
    )
    other = (
        {items[0]: 0, items[1]: 0, items[2]: 50, items[3]: 50}
        if kind == "budget"
        else {item_id: place for place, item_id in enumerate(reversed(items), start=1)}
    )
    mine = submit(exercise, values, token="m" * 43, key="k" * 32)
    theirs = submit(exercise, other, token="t" * 43, key="k" * 32)
    assert theirs.created and theirs.submission.id != mine.submission.id
    assert {e.item_id: e.value for e in theirs.submission.entries} == other
    assert not submit(exercise, values, token="m" * 43, key="k" * 32).created
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 2


def test_a_budget_key_posted_by_someone_else_stores_their_own_answer(app, make_budget):
    """Through the pages: their check-answers page, my key."""
    exercise = make_budget()
    items = [item.id for item in exercise.active_items]
    me, them = app.test_client(), app.test_client()
    keys = []
    for client, amounts in ((me, [70, 30, 0, 0]), (them, [0, 0, 50, 50])):
        client.post(
            f"/exercises/{exercise.id}/allocate",
            data={f"item-{i}": str(a) for i, a in zip(items, amounts, strict=True)},
        )
        page = client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True)
        keys.append(re.search(r'name="key"[^>]*value="([^"]+)"', page).group(1))
    me.post(f"/exercises/{exercise.id}/check", data={"key": keys[0]})
    them.post(f"/exercises/{exercise.id}/check", data={"key": keys[0]})
    stored = db.session.scalars(select(Submission).order_by(Submission.id)).all()
    assert len(stored) == 2
    assert [{e.item_id: e.value for e in s.entries}[items[2]] for s in stored] == [0, 50]


def test_workshop_round_keys_cannot_be_worked_out_from_ids(app, client, hwb, facilitator, make_consultation):
    """Before: the key was sha256('workshop-round:<round>:<participant>'), so anyone could send it with an
    online response and be shown the participant's response (and its reference, which deletes it)."""
    consultation = make_consultation()
    question = next(q for q in consultation.questions if q.kind.value == "single")
    from datetime import date

    workshop = service.create_session(hwb, facilitator, "Evening", date(2026, 12, 3), "Town hall")
    round_ = service.add_round(workshop, question=question)
    service.start_next_round(workshop)
    client.post(f"/join/{workshop.join_code}", data={"label": ""})
    client.post(f"/join/{workshop.join_code}/question", data={"answer": str(question.options[0].id)})
    participant = db.session.scalar(select(service.Participant))
    assert responses() == 1
    guessed = hashlib.sha256(f"workshop-round:{round_.id}:{participant.id}".encode()).hexdigest()
    assert service.participant_key(round_, participant) != guessed
    attacker = app.test_client()
    theirs = send_with_key(attacker, consultation, hwb, guessed)
    participants = db.session.scalar(
        select(ConsultationResponse).where(ConsultationResponse.workshop_session_id == workshop.id)
    )
    assert theirs != participants.reference and responses() == 2
    # Nor by sending the real key (were it known): it is scoped to the sender.
    real = service.participant_key(round_, participant)
    assert send_with_key(app.test_client(), consultation, hwb, real) != participants.reference


def test_paper_sheet_keys_cannot_be_reached_or_taken_first(app, client, make_consultation, hwb, officer):
    """Before: a sheet's key was 'paper:<sheet number>': sending it online showed the sheet's response, and
    sending the next sheet's number first stopped staff typing that sheet in."""
    consultation = make_consultation()
    sign_in(client, officer)
    typed = {"sheet": "AB-2026-0001", **first_page(consultation)}
    assert client.post(f"/manage/consultations/{consultation.id}/paper", data=typed).status_code == 302
    sheet = paper.sheet_response(consultation, "AB-2026-0001")
    assert send_with_key(app.test_client(), consultation, hwb, "paper:AB-2026-0001") != sheet.reference
    send_with_key(app.test_client(), consultation, hwb, "paper:AB-2026-0002")  # taking sheet 2 first
    typed = {"sheet": "AB-2026-0002", **first_page(consultation)}
    assert client.post(f"/manage/consultations/{consultation.id}/paper", data=typed).status_code == 302
    assert paper.sheet_response(consultation, "AB-2026-0002") is not None and responses() == 4


def test_a_retried_workshop_answer_with_another_participants_key_stores_its_own(workshop_rounds):
    round_, tokens = workshop_rounds
    exercise = round_.exercise
    items = [item.id for item in exercise.active_items]
    key = secrets.token_hex(16)
    first = service.record_room_answer(round_, tokens[0], {items[0]: 100}, key)
    second = service.record_room_answer(round_, tokens[1], {items[1]: 100}, key)
    assert second.created and second.submission.id != first.submission.id
    assert {e.item_id: e.value for e in second.submission.entries}[items[1]] == 100


@pytest.fixture
def facilitator(make_user, council):
    from engage.accounts.models import Role

    return make_user(Role.FACILITATOR, organisation=council)


@pytest.fixture
def workshop_rounds(hwb, facilitator, make_budget):
    from datetime import date

    workshop = service.create_session(hwb, facilitator, "Evening", date(2026, 12, 3), "Town hall")
    round_ = service.add_round(workshop, make_budget(title="Dot vote"), None)
    service.start_next_round(workshop)
    tokens = ["a" * 43, "b" * 43]
    for token in tokens:
        service.join(workshop, token)
    return round_, tokens
