"""Answers checked to the GOV.UK error-message patterns, each naming its question (issue 21, item 8)."""

import re
from datetime import date, timedelta

import pytest

from engage.extensions import db
from engage.surveys.models import ConsultationStatus, Question
from engage.surveys.results import consultation_results
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


def test_number_results_give_the_median_and_spread(client, officer, make_consultation, hwb, app):
    """Issue 21, item 8: number questions reported only a mean."""
    from tests.surveys.test_consultations import second_page

    consultation = make_consultation()
    number = consultation.sections[1].questions[1]
    for value in ("1", "2", "3", "4", "20"):
        resident = app.test_client()
        resident.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
        data = second_page(consultation, hwb) | {f"q{number.id}": value}
        resident.post(f"/consultations/{consultation.id}/sections/2", data=data)
        html = resident.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
        key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
        resident.post(f"/consultations/{consultation.id}/check", data={"key": key})
    result = next(r for r in consultation_results(consultation).questions if r.question.id == number.id)
    assert result.question.id == number.id and result.mean == pytest.approx(6)
    assert result.quartiles == pytest.approx((2, 3, 4))
    sign_in(client, officer)
    html = client.get(f"/manage/consultations/{consultation.id}/results").get_data(as_text=True)
    assert "Median: 3.0. Lower quartile: 2.0. Upper quartile: 4.0." in html


def test_median_and_quartiles_match_known_answers():
    from engage.stats.spread import median_and_quartiles

    # R: quantile(c(1, 2, 3, 4, 20)) gives 2, 3, 4; quantile(c(7, 1, 3, 10)) gives 2.5, 5, 7.75
    assert median_and_quartiles([1, 2, 3, 4, 20]) == (2.0, 3.0, 4.0)
    assert median_and_quartiles([7, 1, 3, 10]) == (2.5, 5.0, 7.75)
    assert median_and_quartiles([]) is None


def test_we_asked_you_said_shows_a_ranking_question(client, demo):
    """Issue 21, item 8: a ranking question's heading stood on "we asked, you said, we did" with nothing
    under it."""
    from sqlalchemy import select

    from engage.surveys.models import Consultation, QuestionKind

    published = db.session.scalar(
        select(Consultation).where(Consultation.status == ConsultationStatus.PUBLISHED)
    )
    ranking = next(q for q in published.questions if q.kind is QuestionKind.RANKING)
    html = client.get(f"/consultations/{published.id}/results").get_data(as_text=True)
    after = html.split(f">{ranking.label}</h3>", 1)[1].split("<h3", 1)[0]
    assert "Average place (1 is first)" in after and ranking.options[0].label in after
