"""Consultations: build them (sections, questions, options), open and close them, and take responses."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from engage.accounts.models import User
from engage.audit import service as audit
from engage.boards.models import Board, PriorityStatus
from engage.equality import store_answers
from engage.extensions import db
from engage.prioritise.models import Channel
from engage.respondents import respondent_hash
from engage.service_errors import StateError
from engage.surveys import logger
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    ConsultationStatus,
    Question,
    QuestionKind,
    QuestionOption,
    ResponseDraft,
    Section,
)
from engage.surveys.questions import answers_from, closed_answer, field_name

#: Letters and digits that cannot be mistaken for one another when read out or written down.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def consultations_for_board(board: Board) -> list[Consultation]:
    return list(
        db.session.scalars(
            select(Consultation).where(Consultation.board_id == board.id).order_by(Consultation.id.desc())
        )
    )


def open_consultations(now: datetime | None = None) -> list[Consultation]:
    candidates = db.session.scalars(
        select(Consultation).where(Consultation.status == ConsultationStatus.OPEN).order_by(Consultation.id)
    )
    return [c for c in candidates if c.accepting_responses(now)]


def priorities_for(consultation: Consultation) -> list:
    """The priorities an importance grid asks about: the board's active ones (none when partnership-wide)."""
    if consultation.board is None:
        return []
    return [p for p in consultation.board.priorities if p.status is PriorityStatus.ACTIVE]


def has_responses(consultation: Consultation) -> bool:
    if consultation.id is None:
        return False
    first = (
        select(ConsultationResponse.id)
        .where(ConsultationResponse.consultation_id == consultation.id)
        .limit(1)
    )
    return db.session.scalar(first) is not None


def response_count(consultation: Consultation) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ConsultationResponse)
        .where(ConsultationResponse.consultation_id == consultation.id)
    )


def _refuse_changes_once_answered(consultation: Consultation) -> None:
    if has_responses(consultation):
        raise StateError(
            _(
                "People have already responded, so the questions cannot change: their answers were given to "
                "these questions. Close this consultation and start a new one to ask something different."
            )
        )


def save_consultation(
    consultation: Consultation | None,
    *,
    board: Board | None,
    organisation_id: int,
    user: User | None,
    title: str,
    summary: str = "",
    audience: str = "",
    purpose: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    retain_until: date | None = None,
    privacy_notice: str = "",
) -> Consultation:
    """Create a consultation, or change its details (its questions are changed one by one)."""
    if consultation is None:
        consultation = Consultation(board=board, organisation_id=organisation_id, created_by=user)
        db.session.add(consultation)
    consultation.title, consultation.summary = title.strip(), summary.strip()
    consultation.audience, consultation.purpose = audience.strip(), purpose.strip()
    consultation.opens_at, consultation.closes_at = opens_at, closes_at
    consultation.retain_until, consultation.privacy_notice = retain_until, privacy_notice.strip()
    db.session.commit()
    logger.info("saved consultation %s", consultation.id)
    return consultation


def save_section(
    consultation: Consultation, section: Section | None, *, title: str, introduction: str = ""
) -> Section:
    if section is None:
        _refuse_changes_once_answered(consultation)
        section = Section(consultation=consultation, position=len(consultation.sections) + 1)
        db.session.add(section)
    section.title, section.introduction = title.strip(), introduction.strip()
    db.session.commit()
    return section


def save_question(
    section: Section,
    question: Question | None,
    *,
    kind: QuestionKind,
    label: str,
    hint: str = "",
    required: bool = False,
    options: list[str] | None = None,
    allow_other: bool = False,
    max_choices: int | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
) -> Question:
    """Add or change a question. Refused once anyone has responded."""
    _refuse_changes_once_answered(section.consultation)
    if question is None:
        question = Question(section=section, position=len(section.questions) + 1, kind=kind)
        db.session.add(question)
    question.kind, question.label, question.hint, question.required = (
        kind,
        label.strip(),
        hint.strip(),
        required,
    )
    choice = kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
    question.allow_other = allow_other and kind is QuestionKind.SINGLE
    question.max_choices = max_choices if kind is QuestionKind.MULTIPLE else None
    question.min_value, question.max_value = (
        (min_value, max_value) if kind is QuestionKind.NUMBER else (None, None)
    )
    question.options = (
        [QuestionOption(position=k, label=text, code=str(k)) for k, text in enumerate(options or [], start=1)]
        if choice
        else []
    )
    db.session.commit()
    return question


def move_question(question: Question, direction: str) -> None:
    """Swap a question with its neighbour in its section ('up' or 'down')."""
    _refuse_changes_once_answered(question.section.consultation)
    siblings = question.section.questions
    k = siblings.index(question)
    other = k - 1 if direction == "up" else k + 1
    if 0 <= other < len(siblings):
        siblings[k].position, siblings[other].position = siblings[other].position, siblings[k].position
        db.session.commit()


def publish(consultation: Consultation, we_did: str) -> None:
    """Publish a closed consultation's results with what was decided ("we did"); the text can be corrected
    later, the publication not undone."""
    if consultation.status not in {ConsultationStatus.CLOSED, ConsultationStatus.PUBLISHED}:
        raise StateError(_("Close the consultation before publishing its results"))
    if not we_did.strip():
        raise StateError(_("Say what was decided before publishing"))
    consultation.we_did = we_did.strip()
    consultation.status = ConsultationStatus.PUBLISHED
    db.session.commit()
    logger.info("consultation %s results published", consultation.id)


def set_status(consultation: Consultation, status: ConsultationStatus) -> None:
    if consultation.status is ConsultationStatus.PUBLISHED:
        raise StateError(_("The results are published, so the consultation cannot reopen"))
    if status is ConsultationStatus.OPEN and not consultation.questions:
        raise StateError(_("Add at least one question before opening the consultation"))
    if status is ConsultationStatus.CLOSED and consultation.status is ConsultationStatus.DRAFT:
        raise StateError(_("A draft consultation has not opened, so it cannot close"))
    consultation.status = status
    db.session.commit()
    logger.info("consultation %s is now %s", consultation.id, status.value)


# -- a resident's response ---------------------------------------------------------------------------


def _scope(consultation: Consultation) -> str:
    return f"consultation:{consultation.id}"


def _draft(consultation: Consultation, token: str) -> ResponseDraft | None:
    return db.session.scalar(
        select(ResponseDraft).where(
            ResponseDraft.consultation_id == consultation.id,
            ResponseDraft.token_hash == respondent_hash(token, _scope(consultation)),
        )
    )


def draft_answers(consultation: Consultation, token: str | None) -> MultiDict:
    """Everything the resident has posted so far, as form data."""
    draft = _draft(consultation, token) if token else None
    return MultiDict(json.loads(draft.data) if draft else {})


def save_page(
    consultation: Consultation, token: str, section: Section, posted: MultiDict, priorities: list
) -> None:
    """Keep one page's answers (replacing what that page said before)."""
    draft = _draft(consultation, token)
    if draft is None:
        draft = ResponseDraft(
            consultation_id=consultation.id, token_hash=respondent_hash(token, _scope(consultation))
        )
        db.session.add(draft)
    data = json.loads(draft.data or "{}")
    names = [name for question in section.questions for name in page_field_names(question, priorities)]
    for name in names:
        data.pop(name, None)
        values = posted.getlist(name)
        if values:
            data[name] = values
    draft.data = json.dumps(data)
    db.session.commit()


def page_field_names(question: Question, priorities: list) -> list[str]:
    if question.kind is QuestionKind.IMPORTANCE:
        return [field_name(question, f"p{p.id}") for p in priorities]
    if question.kind is QuestionKind.DATE:
        return [field_name(question)]  # the three boxes post under one name
    return [field_name(question), field_name(question, "other")]


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
    """Store a response from validated page forms (one per section), and forget the draft.

    A retry with the same key returns the response already stored.
    """
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
    )
    for form in pages:
        for question in form.section.questions:
            for value in answers_from(question, form, form.priorities):
                response.answers.append(
                    Answer(
                        question_id=question.id,
                        option_id=value.option_id,
                        priority_id=value.priority_id,
                        text=value.text,
                        number=value.number,
                    )
                )
    db.session.add(response)
    draft = _draft(consultation, token)
    if draft is not None:
        db.session.delete(draft)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        winner = response_with_key(consultation.id, idempotency_key)
        if winner is None:
            raise
        return winner
    logger.info("response %s to consultation %s", response.id, consultation.id)
    return response


def record_closed_answer(
    question: Question,
    value: str,
    *,
    idempotency_key: str,
    channel: Channel,
    workshop_session_id: int | None = None,
    locale: str = "en",
) -> ConsultationResponse:
    """A response holding one answer to one closed question (asked in a workshop, or a show of hands typed
    in). A retry with the same key returns the response already stored."""
    consultation = question.section.consultation
    earlier = response_with_key(consultation.id, idempotency_key)
    if earlier is not None:
        return earlier
    if not consultation.accepting_responses():
        raise StateError(_("This consultation is not taking responses at the moment."))
    answer = closed_answer(question, value)
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
    db.session.add(response)
    db.session.commit()
    return response


def response_by_reference(consultation: Consultation, reference: str) -> ConsultationResponse | None:
    return db.session.scalar(
        select(ConsultationResponse).where(
            ConsultationResponse.consultation_id == consultation.id,
            ConsultationResponse.reference == reference,
        )
    )


def save_profile(response: ConsultationResponse, answers: dict[str, str]) -> None:
    """Store (or replace) a response's optional equality answers, apart from its answers."""
    store_answers(ConsultationProfile, "response_id", response.id, answers)


def delete_response(consultation: Consultation, reference: str) -> bool:
    """Delete a response (its answers and equality answers go with it) by its reference; False if none.

    The reference is the resident's proof: it is shown once, on the confirmation page, and has about 8.5 *
    10^11 possible values, so it cannot be guessed at the rate the page allows.
    """
    response = response_by_reference(consultation, reference.strip().upper())
    if response is None:
        return False
    db.session.delete(response)
    db.session.commit()
    logger.info("response deleted by its reference in consultation %s", consultation.id)
    audit.record("response_deleted", f"consultation_id={consultation.id}")
    return True
