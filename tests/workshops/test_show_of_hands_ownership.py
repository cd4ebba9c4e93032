"""Issue 18, finding 9: a facilitator of one organisation entered a show of hands into another
organisation's consultation, up to 10,000 per answer (14 responses became 2,014). Now only the organisation
that runs an exercise or consultation enters paper and shows of hands for it, more hands than people in the
room needs a confirmation, and every entry is in the audit log with its counts."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.surveys.models import ConsultationResponse
from engage.workshops import service
from tests.conftest import sign_in


def responses():
    return db.session.scalar(select(func.count()).select_from(ConsultationResponse))


@pytest.fixture
def other_facilitator(hwb, make_organisation, make_user):
    """A facilitator of a partner that sits on the same board but does not run the consultation."""
    nhs = make_organisation("Aldermoor NHS Trust")
    hwb.members.append(nhs)
    db.session.commit()
    return make_user(Role.FACILITATOR, organisation=nhs)


@pytest.fixture
def question(make_consultation):
    consultation = make_consultation()  # run by the council
    return next(q for q in consultation.questions if q.kind.value == "single")


def test_another_organisation_cannot_enter_hands_into_a_consultation_it_does_not_run(
    client, hwb, other_facilitator, question
):
    workshop = service.create_session(hwb, other_facilitator, "NHS evening", date(2026, 12, 3), "")
    service.add_round(workshop, question=question)  # the room may answer it on their phones
    service.start_next_round(workshop)
    db.session.commit()
    sign_in(client, other_facilitator)
    page = client.get(f"/manage/workshops/{workshop.id}/paper")
    assert page.status_code == 403
    assert "Only Aldermoor Borough Council can enter paper answers" in page.get_data(as_text=True)
    posted = client.post(f"/manage/workshops/{workshop.id}/paper", data={"in_room": "14", "hands_0": "2000"})
    assert posted.status_code == 403 and responses() == 0


@pytest.fixture
def own_round(hwb, officer, make_user, question):
    facilitator = make_user(Role.FACILITATOR, organisation=officer.organisation)
    workshop = service.create_session(hwb, facilitator, "Council evening", date(2026, 12, 3), "")
    service.add_round(workshop, question=question)
    service.start_next_round(workshop)
    db.session.commit()
    return workshop, facilitator


def test_more_hands_than_people_needs_a_confirmation(client, own_round):
    workshop, facilitator = own_round
    sign_in(client, facilitator)
    url = f"/manage/workshops/{workshop.id}/paper"
    huge = client.post(url, data={"in_room": "14", "hands_0": "2000"})
    assert huge.status_code == 400 and "Enter a whole number from 0 to 1,000" in huge.get_data(as_text=True)
    no_room = client.post(url, data={"hands_0": "4"})
    assert no_room.status_code == 400 and "Enter how many people are in the room" in no_room.get_data(
        as_text=True
    )
    over = client.post(url, data={"in_room": "14", "hands_0": "12", "hands_1": "8"})
    html = over.get_data(as_text=True)
    assert over.status_code == 400 and "There are 20 hands but 14 people in the room" in html
    assert "Yes, there were more hands than people" in html and responses() == 0
    confirmed = client.post(url, data={"in_room": "14", "hands_0": "12", "hands_1": "8", "confirm_over": "y"})
    assert confirmed.status_code == 302 and responses() == 20
    within = client.post(url, data={"in_room": "14", "hands_0": "9", "hands_1": "5"})
    assert within.status_code == 302 and responses() == 34


def test_every_entry_is_audited_with_its_counts(client, own_round):
    workshop, facilitator = own_round
    sign_in(client, facilitator)
    client.post(f"/manage/workshops/{workshop.id}/paper", data={"in_room": "14", "hands_0": "9"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paper_sheet_entered"))
    detail = json.loads(event.detail)
    assert event.actor == facilitator.email and detail["in_room"] == 14
    assert sorted(detail["hands"].values(), key=lambda n: n or 0)[-1] == 9
    assert detail["confirmed_more_hands_than_people"] is False
