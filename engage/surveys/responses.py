"""Residents' responses: storing one (from the pages, or one answer from a workshop or a show of
hands), finding it by its reference, its equality answers, and deleting it."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engage.audit import service as audit
from engage.channels import Channel
from engage.equality.questions import store_answers
from engage.extensions import db
from engage.idempotency import submitter_key
from engage.service_errors import StateError
from engage.surveys import counts, logger
from engage.surveys.drafts import find_draft
from engage.surveys.models import Answer, Consultation, ConsultationProfile, ConsultationResponse, Question
from engage.surveys.questions import answers_from, single_answer
from engage.transactions import atomic

#: Letters and digits that cannot be mistaken for one another when read out or written down.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def response_with_key(consultation_id: int, idempotency_key: str) -> ConsultationResponse | None:
    """The response already stored under this key (a retry, or a workshop participant's second tap)."""
    return db.session.scalar(
        select(ConsultationResponse).where(
            ConsultationResponse.consultation_id == consultation_id,
            ConsultationResponse.idempotency_key == idempotency_key,
        )
    )


def submit_response(
    consultation: Consultation,
    token: str,
    pages: list,
    *,
    idempotency_key: str,
    locale: str = "en",
    channel: Channel = Channel.ONLINE,
) -> ConsultationResponse:
    """Store a response from validated page forms (one per section), count it, and forget the draft: all
    or nothing. A retry with the same key (even at the same moment) returns the response already stored.

    The key is stored as an HMAC of it and the resident's cookie token, so it only ever finds the same
    resident's response: another person sending my key stores their own and is never shown mine.
    """
    idempotency_key = submitter_key(f"consultation:{consultation.id}", token, idempotency_key)
    earlier = response_with_key(consultation.id, idempotency_key)
    if earlier is not None:
        return earlier
    if not consultation.accepting_responses():
        raise StateError(_("This consultation is not taking responses at the moment."))
    response = ConsultationResponse(
        consultation_id=consultation.id,
        reference=new_reference(),
        channel=channel,
        locale=locale,
        idempotency_key=idempotency_key,
        answers=answer_rows(pages),
    )
    stored = _store(consultation, response, draft_token=token)
    logger.info("response %s to consultation %s", stored.id, consultation.id)
    return stored


def _store(
    consultation: Consultation, response: ConsultationResponse, draft_token: str | None = None
) -> ConsultationResponse:
    """Insert a response with its answers, count it and forget the resident's draft: all or nothing.

    When the same post was sent twice at once and the other copy's key is stored first, only this insert
    is undone and the response stored first is returned.
    """
    with atomic():
        try:
            with db.session.begin_nested():  # a clash undoes this insert only
                db.session.add(response)
        except IntegrityError:
            winner = response_with_key(consultation.id, response.idempotency_key)
            if winner is None:
                raise
            return winner
        draft = find_draft(consultation, draft_token) if draft_token else None
        if draft is not None:
            db.session.delete(draft)
        counts.add(consultation, [response.id])
    return response


def answer_rows(pages: list) -> list[Answer]:
    """The answer rows validated page forms hold (one per section)."""
    return [
        Answer(
            question_id=question.id,
            option_id=value.option_id,
            priority_id=value.priority_id,
            text=value.text,
            number=value.number,
        )
        for form in pages
        for question in form.questions
        for value in answers_from(question, form, form.priorities)
    ]


def record_one_answer(
    question: Question,
    value: str,
    *,
    idempotency_key: str,
    channel: Channel,
    workshop_session_id: int | None = None,
    locale: str = "en",
) -> ConsultationResponse:
    """A response holding one answer to one question (a closed or free-text question asked in a workshop,
    or a show of hands typed in), counted, all or nothing. A retry with the same key (a double tap, even
    at the same moment) returns the response already stored. The key is made by the server
    (``engage.idempotency.server_key`` or random), never taken from a request."""
    consultation = question.section.consultation
    earlier = response_with_key(consultation.id, idempotency_key)
    if earlier is not None:
        return earlier
    if not consultation.accepting_responses():
        raise StateError(_("This consultation is not taking responses at the moment."))
    answer = single_answer(question, value)
    response = ConsultationResponse(
        consultation_id=consultation.id,
        reference=new_reference(),
        channel=channel,
        locale=locale,
        idempotency_key=idempotency_key,
        workshop_session_id=workshop_session_id,
        answers=[
            Answer(
                question_id=question.id, option_id=answer.option_id, text=answer.text, number=answer.number
            )
        ],
    )
    return _store(consultation, response)


def response_by_reference(consultation: Consultation, reference: str) -> ConsultationResponse | None:
    return db.session.scalar(
        select(ConsultationResponse).where(
            ConsultationResponse.consultation_id == consultation.id,
            ConsultationResponse.reference == reference,
        )
    )


def save_profile(response: ConsultationResponse, answers: dict[str, str]) -> None:
    """Store (or replace) a response's optional equality answers, apart from its answers (and move it to
    its new cell in the counts), all or nothing."""
    with atomic():
        counts.remove(response.consultation, [response.id])
        store_answers(ConsultationProfile, "response_id", response.id, answers)
        counts.add(response.consultation, [response.id])


def delete_response(consultation: Consultation, reference: str) -> bool:
    """Delete a response (its answers and equality answers go with it) by its reference; False if none.

    The reference is the resident's proof: it is shown once, on the confirmation page, and has about 8.5 *
    10^11 possible values, so it cannot be guessed at the rate the page allows.
    """
    response = response_by_reference(consultation, reference.strip().upper())
    if response is None:
        return False
    counts.remove(consultation, [response.id])
    db.session.delete(response)
    logger.info("response deleted by its reference in consultation %s", consultation.id)
    audit.record("response_deleted", f"consultation_id={consultation.id}")
    return True
