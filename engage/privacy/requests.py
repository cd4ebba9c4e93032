"""Data-protection requests about a consultation response: find it by the resident's reference number,
export everything stored with it, delete it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engage.extensions import db
from engage.surveys import responses
from engage.surveys.models import (
    ConsultationProfile,
    ConsultationResponse,
    Question,
    QuestionOption,
)


def find_response(reference: str) -> ConsultationResponse | None:
    """The response with this reference as the resident may read it out (any case, spaces anywhere, the
    hyphen left out): the same reading as deleting it from the consultation's page."""
    wanted = responses.as_reference(reference)
    return db.session.scalar(select(ConsultationResponse).where(ConsultationResponse.reference == wanted))


def response_record(response: ConsultationResponse) -> dict[str, Any]:
    """Everything stored with a response, readable without Engage (for a subject access request)."""
    questions = {
        q.id: q
        for q in db.session.scalars(
            select(Question).where(Question.id.in_([a.question_id for a in response.answers]))
        )
    }
    options = {
        o.id: o.label
        for o in db.session.scalars(
            select(QuestionOption).where(
                QuestionOption.id.in_([a.option_id for a in response.answers if a.option_id])
            )
        )
    }
    answers = []
    for answer in sorted(response.answers, key=lambda a: (questions[a.question_id].position, a.id)):
        value: str | float | None = options.get(answer.option_id) if answer.option_id else answer.text
        if value is None and answer.number is not None:
            value = answer.number
        row: dict[str, object] = {"question": questions[answer.question_id].label, "answer": value}
        if answer.priority is not None:
            row["priority"] = answer.priority.title
        answers.append(row)
    profile = db.session.scalars(
        select(ConsultationProfile).where(ConsultationProfile.response_id == response.id)
    )
    return {
        "reference": response.reference,
        "consultation": response.consultation.title,
        "submitted_at": response.submitted_at.isoformat(),
        "channel": response.channel.value,
        "language": response.locale,
        "answers": answers,
        "about_you": {p.dimension: p.category for p in profile},
    }


def delete_by_reference(reference: str) -> bool:
    """Delete the response with this reference (answers and equality answers with it); False if none."""
    response = find_response(reference)
    if response is None:
        return False
    return responses.delete_response(response.consultation, response.reference)
