"""Save and come back later: a private link carries a resident's unsent answers to another device; the
link can be emailed when the service has email set up, and the address is never stored."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from engage import mail
from engage.dates import LONDON, end_of_day
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
    assert "The link works until " in body and "it works for another 30 days." in body
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


def _saved_page(client, consultation) -> str:
    return " ".join(client.get(f"/consultations/{consultation.id}/saved").get_data(as_text=True).split())


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"  # as a UK reader expects: 8 December 2026


def _saved_at(moment: datetime) -> None:
    db.session.scalar(select(ResponseDraft)).updated_at = moment
    db.session.commit()


def test_the_page_says_until_when_the_link_works_and_each_save_renews_it(client, app, make_consultation):
    """Issue 21, item 9: ENGAGE_DRAFT_DAYS after the last save (the last whole day, UK time), and saving again
    gives the link those days again."""
    app.config["ENGAGE_DRAFT_DAYS"] = 10
    consultation = make_consultation()  # no closing date
    _save_page_one(client, consultation)
    noon = datetime.combine(datetime.now(LONDON).date(), time(12), tzinfo=LONDON)
    _saved_at(noon)
    html = _saved_page(client, consultation)
    until = noon.date() + timedelta(
        days=9
    )  # it stops at noon on the tenth day: the ninth is the last whole one
    assert (
        f"The link works until {_long(until)}. Each time you save your answers, it works for another 10 days."
    ) in html
    assert "Send your response by" not in html  # the consultation has no closing date
    _saved_at(noon - timedelta(days=4))
    assert f"The link works until {_long(until - timedelta(days=4))}." in _saved_page(client, consultation)
    _save_page_one(client, consultation)  # saved again: ten days from now
    again = db.session.scalar(select(ResponseDraft)).updated_at
    renewed = (again + timedelta(days=10)).astimezone(LONDON).date() - timedelta(days=1)
    assert f"The link works until {_long(renewed)}." in _saved_page(client, consultation)
    assert renewed >= until


def _saved_closing_in(client, make_consultation, days: int) -> tuple[str, date]:
    """The saved page of a consultation whose last day is ``days`` from today, and that day."""
    consultation = make_consultation()
    last_day = datetime.now(LONDON).date() + timedelta(days=days)
    consultation.closes_at = end_of_day(last_day)
    db.session.commit()
    _save_page_one(client, consultation)
    return _saved_page(client, consultation), last_day


def test_a_consultation_closing_sooner_gives_its_closing_date(client, make_consultation):
    html, last_day = _saved_closing_in(client, make_consultation, 3)
    assert f"The link works until the consultation closes on {_long(last_day)}." in html
    assert "Each time you save" not in html and "Send your response by" not in html


def test_a_closing_date_after_the_link_expires_is_said_as_well(client, make_consultation):
    html, last_day = _saved_closing_in(client, make_consultation, 60)
    assert "Each time you save your answers, it works for another 30 days." in html
    assert f"Send your response by {_long(last_day)}, when the consultation closes." in html


def test_the_page_says_when_the_link_no_longer_works(client, app, make_consultation):
    consultation = make_consultation()
    _save_page_one(client, consultation)
    _saved_at(datetime.now(LONDON) - timedelta(days=app.config["ENGAGE_DRAFT_DAYS"], minutes=1))
    response = client.get(f"/consultations/{consultation.id}/saved")
    assert response.status_code == 404 and "This link does not work any more" in response.get_data(
        as_text=True
    )


def test_the_copy_button_is_hidden_until_a_script_finds_a_clipboard(client, make_consultation):
    consultation = make_consultation()
    _save_page_one(client, consultation)
    html = client.get(f"/consultations/{consultation.id}/saved").get_data(as_text=True)
    button = re.search(r"<button[^>]*data-copy=\"resume-link\"[^>]*>([^<]*)</button>", html)
    assert button and " hidden" in button.group(0) and button.group(1) == "Copy the link"
    assert 'data-copied="Link copied"' in button.group(0)
    assert re.search(r'<p[^>]*id="resume-link-copied"[^>]*role="status"', html)
    assert "<script>" not in html  # no inline script: the CSP forbids it, engage.js does the copying


@pytest.mark.parametrize(
    ("language", "button", "copied", "renewed"),
    [
        ("cy", "Copïo'r ddolen", "Dolen wedi'i chopïo", "mae'n gweithio am 30 diwrnod arall."),
        ("ur", "لنک کاپی کریں", "لنک کاپی ہو گیا", "یہ مزید 30 دن کام کرے گا۔"),
        ("pl", "Skopiuj link", "Link skopiowany", "link działa przez kolejne 30 dni."),
    ],
)
def test_the_copy_button_and_the_dates_are_translated(
    client, make_consultation, language, button, copied, renewed
):
    consultation = make_consultation()
    _save_page_one(client, consultation)
    html = client.get(f"/consultations/{consultation.id}/saved?lang={language}").get_data(as_text=True)
    assert f">{button}</button>" in html.replace("&#39;", "'")
    assert f'data-copied="{copied}"' in html.replace("&#39;", "'")
    assert renewed in html.replace("&#39;", "'")
    assert "Copy the link" not in html and "Each time you save" not in html
