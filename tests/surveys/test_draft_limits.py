"""Issue 18, finding 4: "save and come back later" kept whatever was posted, with no limit, one draft per new
cookie (a script grew the database by 75 MB in 3 seconds). Now a draft keeps only what the page's form could
hold, new drafts are limited per address and per consultation, and a draft expires."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from engage.database import utcnow
from engage.extensions import db
from engage.surveys.models import ResponseDraft
from tests.surveys.test_consultations import first_page, second_page

MEGABYTE = "x" * 1_000_000


def _drafts():
    return db.session.scalar(select(func.count()).select_from(ResponseDraft))


def _later(client, consultation, number, data):
    return client.post(f"/consultations/{consultation.id}/sections/{number}", data={**data, "later": "1"})


def test_a_hostile_save_keeps_only_what_the_form_could_hold(client, make_consultation, hwb):
    consultation = make_consultation()
    single, multiple, agreement, rating = consultation.sections[0].questions
    importance, number, when, town, anything = consultation.sections[1].questions
    page_one = first_page(consultation) | {
        f"q{multiple.id}": [str(o.id) for o in multiple.options] * 300 + ["not-an-option"] * 300,
        f"q{agreement.id}": MEGABYTE,
        f"q{rating.id}": ["8"] * 1000,
        f"q{single.id}-other": MEGABYTE,
        "q999999": MEGABYTE,  # a question that is not on the page
    }
    assert _later(client, consultation, 1, page_one).status_code == 302
    page_two = second_page(consultation, hwb) | {f"q{anything.id}": MEGABYTE, f"q{town.id}": MEGABYTE}
    assert _later(client, consultation, 2, page_two).status_code == 302
    stored = db.session.scalar(select(ResponseDraft.data))
    data = json.loads(stored)
    assert len(stored) < 7_000  # was over 4 MB
    assert data[f"q{multiple.id}"] == [str(o.id) for o in multiple.options]
    assert f"q{agreement.id}" not in data and data[f"q{rating.id}"] == ["8"]
    assert len(data[f"q{single.id}-other"][0]) == 500 and "q999999" not in data
    assert len(data[f"q{anything.id}"][0]) == 5000 and len(data[f"q{town.id}"][0]) == 500


@pytest.fixture
def limited(app_factory, app):
    # Made after the default app: the rate limiter is bound to the last app made.
    return app_factory(RATELIMIT_ENABLED=True, ENGAGE_DRAFT_ADDRESS_LIMIT="3 per hour", ENGAGE_DRAFT_LIMIT=5)


def _new_browser(app, address="198.51.100.7"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_new_cookies_cannot_make_drafts_without_end(limited, make_consultation):
    consultation = make_consultation()
    codes = [
        _later(_new_browser(limited), consultation, 1, first_page(consultation)).status_code for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429] and _drafts() == 3
    # Going on through the pages makes a draft too, and counts the same way.
    refused = _new_browser(limited).post(
        f"/consultations/{consultation.id}/sections/1", data=first_page(consultation)
    )
    assert refused.status_code == 429 and _drafts() == 3
    # Someone elsewhere is not held up by the script.
    elsewhere = _new_browser(limited, "203.0.113.5")
    assert _later(elsewhere, consultation, 1, first_page(consultation)).status_code == 302


def test_a_consultation_holds_at_most_its_limit_of_unsent_drafts(limited, make_consultation):
    consultation = make_consultation()
    browsers = [_new_browser(limited, f"203.0.113.{n}") for n in range(6)]
    codes = [_later(b, consultation, 1, first_page(consultation)).status_code for b in browsers]
    assert codes == [302] * 5 + [429] and _drafts() == 5
    # Residents who already have a draft carry on.
    assert _later(browsers[0], consultation, 1, first_page(consultation)).status_code == 302


def test_a_draft_expires_after_the_retention_period(client, app, make_consultation):
    consultation = make_consultation()
    _later(client, consultation, 1, first_page(consultation))
    page = client.get(f"/consultations/{consultation.id}/saved").get_data(as_text=True)
    link = page.split('class="govuk-link app-resume-link" href="')[1].split('"')[0]
    days = app.config["ENGAGE_DRAFT_DAYS"]
    db.session.execute(update(ResponseDraft).values(updated_at=utcnow() - timedelta(days=days, minutes=1)))
    expired = app.test_client().get(link.replace("http://localhost", ""))
    assert expired.status_code == 404 and "This link does not work any more" in expired.get_data(as_text=True)
    html = client.get(f"/consultations/{consultation.id}/sections/1").get_data(as_text=True)
    assert "checked" not in html  # the old answers are gone for this browser too
    # Saving again starts afresh, in place of the expired draft.
    assert _later(client, consultation, 1, first_page(consultation)).status_code == 302 and _drafts() == 1
