"""Save and come back later: a private link carries a resident's unsent answers to another device; the
link can be emailed when the service has email set up, and the address is never stored."""

import re

import pytest
from sqlalchemy import select

from engage import mail
from engage.extensions import db
from engage.surveys.models import ConsultationResponse, ResponseDraft
from tests.surveys.test_consultations import first_page, second_page


def _save_page_one(client, consultation, **changes):
    data = {**first_page(consultation, **changes), "later": "1"}
    return client.post(f"/consultations/{consultation.id}/sections/1", data=data)


def _link(client, consultation):
    html = client.get(f"/consultations/{consultation.id}/saved").get_data(as_text=True)
    return re.search(r'class="govuk-link app-resume-link" href="([^"]+)"', html).group(1)


def test_a_resident_saves_and_finishes_on_another_device(client, app, make_consultation, hwb):
    consultation = make_consultation()
    response = _save_page_one(client, consultation)
    assert response.headers["Location"].endswith(f"/consultations/{consultation.id}/saved")
    link = _link(client, consultation)
    assert "/resume/" in link
    stored = db.session.scalar(select(ResponseDraft))
    assert stored.resume_hash and link.rsplit("/", 1)[1] not in stored.resume_hash  # only a hash is kept
    phone = app.test_client()
    resumed = phone.get(link.replace("http://localhost", ""))
    # Page 1 is answered, so the phone goes on to page 2.
    assert resumed.status_code == 302 and resumed.headers["Location"].endswith("/sections/2")
    html = phone.get(f"/consultations/{consultation.id}/sections/1").get_data(as_text=True)
    assert "checked" in html  # their answers are there
    phone.post(f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb))
    page = phone.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', page).group(1)
    assert phone.post(f"/consultations/{consultation.id}/check", data={"key": key}).status_code == 302
    assert db.session.scalar(select(ConsultationResponse)) is not None
    # Sent: the draft and its link are gone.
    again = app.test_client().get(link.replace("http://localhost", ""))
    assert again.status_code == 404 and "This link does not work any more" in again.get_data(as_text=True)


def test_saving_keeps_an_unfinished_page_as_it_is(client, make_consultation):
    consultation = make_consultation()
    single = consultation.questions[0]
    response = _save_page_one(client, consultation, **{f"q{single.id}": ""})  # a required answer missing
    assert response.status_code == 302
    html = client.get(f"/consultations/{consultation.id}/check")
    assert html.headers["Location"].endswith("/sections/1")  # checked when they go on, not when saved


def test_a_wrong_link_says_so(client, make_consultation):
    consultation = make_consultation()
    response = client.get(f"/consultations/{consultation.id}/resume/not-a-real-link")
    assert response.status_code == 404 and "This link does not work any more" in response.get_data(
        as_text=True
    )
    assert client.get(f"/consultations/{consultation.id}/saved").status_code == 302  # nothing saved here


def test_without_email_set_up_no_address_is_asked_for(client, make_consultation):
    consultation = make_consultation()
    _save_page_one(client, consultation)
    html = client.get(f"/consultations/{consultation.id}/saved").get_data(as_text=True)
    assert "Email me the link" not in html and "/resume/" in html


@pytest.fixture
def outbox(app, monkeypatch):
    sent = []
    app.config["ENGAGE_SMTP_HOST"] = "smtp.example"
    monkeypatch.setattr(mail, "send", lambda to, subject, body: sent.append((to, subject, body)))
    return sent


def test_the_link_can_be_emailed_and_the_address_is_not_kept(client, make_consultation, outbox):
    consultation = make_consultation()
    _save_page_one(client, consultation)
    link = _link(client, consultation)
    bad = client.post(f"/consultations/{consultation.id}/saved", data={"email": "not an address"})
    assert bad.status_code == 400 and "Enter an email address in the correct format" in bad.get_data(
        as_text=True
    )
    response = client.post(f"/consultations/{consultation.id}/saved", data={"email": "sam@example.com"})
    html = response.get_data(as_text=True)
    assert "We have sent the link to sam@example.com. We have not kept your email address." in html
    ((to, subject, body),) = outbox
    assert to == "sam@example.com" and "Your health services" in subject and link in body
    draft = db.session.scalar(select(ResponseDraft))
    assert "sam@example.com" not in draft.data


def test_a_relay_failure_does_not_keep_the_resident_waiting(client, app, make_consultation, caplog):
    """The email is sent by a job: the page answers at once, and the relay refusing is logged (and tried
    again by the job) rather than shown."""
    consultation = make_consultation()
    app.config["ENGAGE_SMTP_HOST"] = "127.0.0.1"
    app.config["ENGAGE_SMTP_PORT"] = 9  # nothing listens: the relay cannot be reached

    _save_page_one(client, consultation)
    response = client.post(f"/consultations/{consultation.id}/saved", data={"email": "sam@example.com"})
    assert response.status_code == 200
    assert "email not sent" in caplog.text
