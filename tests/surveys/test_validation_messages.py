"""Answers checked to the GOV.UK error-message patterns, each naming its question (issue 21, item 8)."""

import re
from datetime import date, timedelta

import pytest

from engage.extensions import db
from engage.surveys.models import ConsultationStatus, Question
from tests.conftest import sign_in
from tests.surveys.test_consultations import first_page


@pytest.fixture
def second_page(client, make_consultation):
    consultation = make_consultation()
    _importance, number, when, _town, _anything = consultation.sections[1].questions
    client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))

    def post(**data):
        response = client.post(f"/consultations/{consultation.id}/sections/2", data=data)
        return response.get_data(as_text=True)

    return consultation, number, when, post


def test_a_date_that_is_not_real_names_the_question(second_page):
    _consultation, _number, when, post = second_page
    html = post(**{f"q{when.id}": ["31", "2", "2026"]})
    assert "Not a valid date value" not in html
    assert "‘When did you last see a GP?’ must be a real date" in html


def test_a_number_that_is_not_one_names_the_question(second_page):
    _consultation, number, _when, post = second_page
    html = post(**{f"q{number.id}": "lots"})
    assert "‘How many people live with you?’ must be a number" in html


def test_officers_rules_refuse_a_fraction_and_a_future_or_early_date(second_page):
    _consultation, number, when, post = second_page
    number.whole_number = True
    when.not_in_future = True
    db.session.commit()
    tomorrow = date.today() + timedelta(days=2)
    html = post(
        **{
            f"q{number.id}": "2.5",
            f"q{when.id}": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)],
        }
    )
    assert "‘How many people live with you?’ must be a whole number, like 3" in html
    assert "‘When did you last see a GP?’ must be today or in the past" in html
    when.not_in_future = False
    when.earliest_date = date(2020, 1, 1)
    db.session.commit()
    html = post(**{f"q{number.id}": "2", f"q{when.id}": ["31", "12", "2019"]})
    assert "‘When did you last see a GP?’ must be the same as or after 1 January 2020" in html
    assert "whole number" not in html


def test_officers_set_whole_numbers_and_a_date_range(client, officer, make_consultation):
    consultation = make_consultation(status=ConsultationStatus.DRAFT)
    _importance, number, when, _town, _anything = consultation.sections[1].questions
    sign_in(client, officer)
    data = {
        "kind": "date",
        "label": when.label,
        "earliest_date": ["1", "1", "2020"],
        "latest_date": ["1", "1", "2019"],
    }
    response = client.post(f"/manage/questions/{when.id}/edit", data=data)
    assert "The latest date must be on or after the earliest date" in response.get_data(as_text=True)
    data |= {"latest_date": ["", "", ""], "not_in_future": "y"}
    assert client.post(f"/manage/questions/{when.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Question, when.id)
    assert (saved.earliest_date, saved.latest_date, saved.not_in_future) == (date(2020, 1, 1), None, True)
    number_data = {"kind": "number", "label": number.label, "whole_number": "y"}
    assert client.post(f"/manage/questions/{number.id}/edit", data=number_data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, number.id).whole_number


def test_other_please_specify_is_revealed_by_choosing_other(client, make_consultation):
    """Issue 21, item 8: the "Other" text box was always on show; now it sits in GOV.UK's conditional reveal
    of the "Other" radio (and still shows without JavaScript)."""
    consultation = make_consultation()
    single = consultation.sections[0].questions[0]
    html = client.get(f"/consultations/{consultation.id}/sections/1").get_data(as_text=True)
    reveal = re.search(
        r'value="other"[^>]*data-aria-controls="(conditional-[^"]+)".*?<div class="govuk-radios__conditional'
        r' govuk-radios__conditional--hidden" id="\1">(.*?)</div>\s*</div>',
        html,
        re.S,
    )
    assert reveal and f'name="q{single.id}-other"' in reveal.group(2)
    assert html.count(f'name="q{single.id}-other"') == 1
