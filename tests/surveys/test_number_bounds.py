"""A number answer stays within ±LARGEST_NUMBER whatever bounds the officer set (found in review: two answers
near the largest double overflowed the running total the counts keep, and PostgreSQL refused the second
resident's whole response)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engage.extensions import db
from engage.surveys import authoring
from engage.surveys.models import ConsultationResponse, ConsultationStatus, QuestionCount, QuestionKind

TOO_BIG = "must be 1,000,000,000,000,000 or less"
TOO_SMALL = "must be -1,000,000,000,000,000 or more"


def _counting_question(hwb, officer):
    consultation = authoring.save_consultation(
        None,
        board=hwb,
        organisation_id=officer.organisation_id,
        user=officer,
        title="Household costs",
        summary="What your household spends.",
        purpose="To plan support.",
    )
    page = authoring.save_section(consultation, None, title="Costs")
    question = authoring.save_question(page, None, kind=QuestionKind.NUMBER, label="Yearly costs in pounds")
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
