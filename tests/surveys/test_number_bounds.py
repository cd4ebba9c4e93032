"""A number answer stays within ±LARGEST_NUMBER whatever bounds the officer set (found in review: two answers
near the largest double overflowed the running total the counts keep, and PostgreSQL refused the second
resident's whole response)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engage.extensions import db
from engage.surveys import authoring
from engage.surveys.models import ConsultationResponse, ConsultationStatus, QuestionCount, QuestionKind
from tests.conftest import sign_in

TOO_BIG = "must be 1,000,000,000,000,000 or less"
TOO_SMALL = "must be -1,000,000,000,000,000 or more"


def _counting_question(hwb, officer, **limits):
    consultation = authoring.save_consultation(
        None, board=hwb, organisation_id=officer.organisation_id, user=officer, title="Household costs"
    )
    page = authoring.save_section(consultation, None, title="Costs")
    question = authoring.save_question(
        page, None, kind=QuestionKind.NUMBER, label="Yearly costs in pounds", **limits
    )
    authoring.set_status(consultation, ConsultationStatus.OPEN)
    db.session.commit()
    return consultation, question


def _send(client, consultation, question, typed: str):
    """Answer the one page; when it is accepted, send from check your answers."""
    page = client.post(f"/consultations/{consultation.id}/sections/1", data={f"q{question.id}": typed})
    if page.status_code != 302:
        return page
    html = client.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
    return client.post(f"/consultations/{consultation.id}/check", data={"key": key})


def test_a_number_past_the_largest_is_refused_with_the_bound_in_words(app, hwb, officer):
    consultation, question = _counting_question(hwb, officer)
    for typed, message in (("1.7e308", TOO_BIG), ("1000000000000001", TOO_BIG), ("-2e15", TOO_SMALL)):
        response = _send(app.test_client(), consultation, question, typed)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and "There is a problem" in html and message in html, typed
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 0


def test_the_largest_numbers_are_stored_and_counted_exactly(app, hwb, officer):
    consultation, question = _counting_question(hwb, officer)
    for typed in ("1,000,000,000,000,000", "1000000000000000", "-1000000000000000", "0.5"):
        assert _send(app.test_client(), consultation, question, typed).status_code == 302, typed
    db.session.expire_all()
    total = db.session.scalar(
        select(func.sum(QuestionCount.total)).where(QuestionCount.question_id == question.id)
    )
    assert total == 1_000_000_000_000_000.5  # each step exact in a double


def test_the_question_editor_refuses_limits_no_answer_could_meet(client, hwb, officer):
    """Found in review: a smallest number of 2e15 was accepted, and then no answer could be (a required
    question: no response at all)."""
    consultation, question = _counting_question(hwb, officer)
    sign_in(client, officer)
    url = f"/manage/sections/{question.section_id}/questions/new"
    base = {"kind": "number", "label": "How many visits?"}
    for limits in ({"min_value": "2e15"}, {"max_value": "-9e15"}, {"max_value": "1e300"}):
        refused = client.post(url, data={**base, **limits})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400
        assert "Enter a number from -1,000,000,000,000,000 to 1,000,000,000,000,000" in html, limits
    assert client.post(url, data={**base, "min_value": "-1e15", "max_value": "1e15"}).status_code == 302


def test_a_limit_is_written_as_the_pages_language_writes_numbers(app, hwb, officer):
    """Found in review: Python's ``:g`` wrote a largest number of a million as "1e+06"; Polish groups with a
    space; on an Urdu page the minus sign drifted after the digits ("5-") unless the number is isolated, in
    the message and in the answer box."""
    consultation, question = _counting_question(hwb, officer, min_value=-5, max_value=1_000_000)
    url = f"/consultations/{consultation.id}/sections/1"
    expected = {
        "en": ("must be 1,000,000 or less", "must be -5 or more"),
        "pl": ("1\u00a0000\u00a0000", "-5"),
        "ur": ("\u20661,000,000\u2069", "\u2066-5\u2069"),
    }
    for language, (most, least) in expected.items():
        resident = app.test_client()
        resident.get(f"/language/{language}?next=/")
        too_many = resident.post(url, data={f"q{question.id}": "2000000"}).get_data(as_text=True)
        too_few = resident.post(url, data={f"q{question.id}": "-6"}).get_data(as_text=True)
        assert most in too_many and least in too_few, language
        assert "e+" not in too_many
        # The box itself reads left to right, so "-6" is not shown as "6-" on an Urdu page.
        assert re.search(rf'<input[^>]*id="q{question.id}"[^>]*dir="ltr"', too_few), language
