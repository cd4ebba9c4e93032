"""A reviewer's two resident bugs: "send" from check your answers with no draft (or one holding no answers)
stored a blank response each time; deleting a response by its reference refused it typed with spaces or
without the hyphen."""

import re

import pytest
from sqlalchemy import func, select

from engage.extensions import db
from engage.surveys.models import Answer, ConsultationResponse, ResponseCount
from engage.surveys.responses import as_reference
from tests.surveys.test_consultations import first_page, respond, second_page
from tests.surveys.test_save_and_return import _link

NOTHING_TO_SEND = "There are no answers to send from this device."


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _responses_counted(consultation) -> int:
    """What the officer's response count says."""
    return db.session.scalar(
        select(func.coalesce(func.sum(ResponseCount.responses), 0)).where(
            ResponseCount.consultation_id == consultation.id
        )
    )


@pytest.fixture
def optional(make_consultation):
    """A consultation none of whose questions must be answered: every page is valid with nothing in it."""
    consultation = make_consultation()
    for section in consultation.sections:
        for question in section.questions:
            question.required = False
    db.session.commit()
    return consultation


def _key(client, consultation) -> str:
    html = client.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
    return re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)


def _refused(client, consultation, response) -> None:
    """Sent back to the first page, told why, and nothing stored or counted."""
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/consultations/{consultation.id}/sections/1")
    assert NOTHING_TO_SEND in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert _count(ConsultationResponse) == 0 and _count(Answer) == 0
    assert _responses_counted(consultation) == 0


def test_a_fresh_browser_cannot_send_a_blank_response(client, optional):
    url = f"/consultations/{optional.id}/check"
    client.get(f"/consultations/{optional.id}/sections/1")  # sets the cookie, stores nothing
    _refused(client, optional, client.get(url))
    for key in ("a" * 32, "b" * 32):  # each new key used to store another blank response
        _refused(client, optional, client.post(url, data={"key": key}))


def test_going_through_every_page_without_an_answer_sends_nothing(client, optional):
    for number in (1, 2):
        client.post(f"/consultations/{optional.id}/sections/{number}", data={})
    url = f"/consultations/{optional.id}/check"
    _refused(client, optional, client.get(url))
    _refused(client, optional, client.post(url, data={"key": "c" * 32}))


def test_a_draft_moved_to_another_device_is_sent_once_from_there(app, client, optional, hwb):
    """The first browser still shows check your answers after the resume link moved the draft: sending
    from it stores nothing; the link holder sends the real answers, the only response."""
    client.post(f"/consultations/{optional.id}/sections/1", data=first_page(optional))
    client.post(f"/consultations/{optional.id}/sections/2", data=second_page(optional, hwb))
    key = _key(client, optional)  # check your answers, open in the first browser
    later = {**second_page(optional, hwb), "later": "1"}
    client.post(f"/consultations/{optional.id}/sections/2", data=later)
    phone = app.test_client()
    phone.get(_link(client, optional).replace("http://localhost", ""))
    _refused(client, optional, client.post(f"/consultations/{optional.id}/check", data={"key": key}))
    sent = phone.post(f"/consultations/{optional.id}/check", data={"key": _key(phone, optional)})
    assert sent.headers["Location"].endswith("/confirmation")
    assert _count(ConsultationResponse) == 1 and _count(Answer) > 0 and _responses_counted(optional) == 1


def test_a_second_copy_of_a_send_still_lands_on_its_confirmation(client, optional, hwb):
    """A double click: the first copy stored the response and forgot the draft; the second finds it."""
    first, key = respond(client, optional, hwb)
    reference = db.session.scalar(select(ConsultationResponse.reference))
    second = client.post(f"/consultations/{optional.id}/check", data={"key": key})
    assert second.headers["Location"] == first.headers["Location"]
    assert reference in client.get(second.headers["Location"]).get_data(as_text=True)
    assert _count(ConsultationResponse) == 1 and _responses_counted(optional) == 1


@pytest.mark.parametrize(
    "typed",
    [
        lambda ref: ref.replace("-", "").lower(),
        lambda ref: f" {ref} ",
        lambda ref: f"  {ref[:4]} {ref[5:]}\t",
        lambda ref: " ".join(ref.replace("-", "")).lower(),
        lambda ref: ref.replace("-", " \u2013 "),
    ],
    ids=["no-hyphen-lower", "spaces-around", "space-for-hyphen", "spaced-out", "en-dash"],
)
def test_a_reference_is_found_however_it_is_typed(client, make_consultation, hwb, typed):
    consultation = make_consultation()
    respond(client, consultation, hwb)
    reference = db.session.scalar(select(ConsultationResponse.reference))
    url = f"/consultations/{consultation.id}/delete-response"
    done = client.post(url, data={"reference": typed(reference)})
    assert done.status_code == 200 and "Your response has been deleted" in done.get_data(as_text=True)
    assert _count(ConsultationResponse) == 0 and _responses_counted(consultation) == 0


def test_a_reference_typed_loosely_still_only_finds_this_consultations_response(
    app, client, make_consultation, hwb
):
    """Another consultation's reference, or a near miss, gets the same answer as any wrong one."""
    ours, theirs = make_consultation(), make_consultation()
    respond(client, theirs, hwb)
    reference = db.session.scalar(select(ConsultationResponse.reference))
    for typed in (reference.replace("-", "").lower(), reference[:-1], reference + "X"):
        wrong = app.test_client().post(f"/consultations/{ours.id}/delete-response", data={"reference": typed})
        page = wrong.get_data(as_text=True)
        assert wrong.status_code == 400 and "No response has that reference number" in page
    assert _count(ConsultationResponse) == 1


def test_as_reference():
    assert as_reference(" k7qd 3mwx ") == "K7QD-3MWX"
    assert as_reference("K7QD\u20143MWX") == "K7QD-3MWX"
    assert as_reference("K7QD-3MW") == "K7QD3MW"  # too short: matches no stored reference
    assert as_reference("") == ""
