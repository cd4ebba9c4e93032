"""Consultations: build them (sections, questions, options), open and close them, and take responses."""

from __future__ import annotations

import hashlib
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
from engage.channels import Channel
from engage.equality.questions import store_answers
from engage.extensions import db
from engage.respondents import respondent_hash
from engage.service_errors import StateError
from engage.surveys import counts, logger
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
from engage.surveys.questions import (
    OPTION_KINDS,
    answers_from,
    closed_answer,
    condition_choices,
    field_name,
    is_shown,
)

#: Letters and digits that cannot be mistaken for one another when read out or written down.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def consultations_for_board(board: Board) -> list[Consultation]:
    return list(
        db.session.scalars(
            select(Consultation).where(Consultation.board_id == board.id).order_by(Consultation.id.desc())
        )
    )


def partnership_consultations() -> list[Consultation]:
    """Consultations for the whole partnership (on no board), newest first."""
    return list(
        db.session.scalars(
            select(Consultation).where(Consultation.board_id.is_(None)).order_by(Consultation.id.desc())
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
    show_if_option_id: int | None = None,
) -> Question:
    """Add or change a question. Refused once anyone has responded.

    ``show_if_option_id`` makes it conditional: asked only of people who chose that option of a single or
    multiple choice question before it (on an earlier page, or earlier on its own page).
    """
    _refuse_changes_once_answered(section.consultation)
    if show_if_option_id is not None and str(show_if_option_id) not in {
        value for value, _label in condition_choices(question, section)
    }:
        raise StateError(_("A question can only depend on a choice question that comes before it"))
    if question is None:
        question = Question(section=section, position=len(section.questions) + 1, kind=kind)
        db.session.add(question)
    question.kind, question.label, question.hint, question.required = (
        kind,
        label.strip(),
        hint.strip(),
        required,
    )
    question.show_if_option_id = show_if_option_id
    question.allow_other = allow_other and kind is QuestionKind.SINGLE
    question.max_choices = max_choices if kind is QuestionKind.MULTIPLE else None
    question.min_value, question.max_value = (
        (min_value, max_value) if kind is QuestionKind.NUMBER else (None, None)
    )
    _set_options(question, options if kind in OPTION_KINDS else [])
    db.session.commit()
    return question


def _set_options(question: Question, labels: list[str] | None) -> None:
    """Relabel the options in place, adding or removing at the end, so a question that depends on one of
    them (and its code in exports) still points at the same option after an edit."""
    labels = labels or []
    kept = question.options[: len(labels)]
    for option, label in zip(kept, labels, strict=False):
        option.label = label
    extra = [
        QuestionOption(position=k, label=text, code=str(k))
        for k, text in enumerate(labels[len(kept) :], start=len(kept) + 1)
    ]
    question.options = kept + extra


def move_question(question: Question, direction: str) -> None:
    """Swap a question with its neighbour in its section ('up' or 'down'), unless it depends on that
    neighbour's answer (or the neighbour on its)."""
    _refuse_changes_once_answered(question.section.consultation)

    def stays(first: Question, second: Question) -> str | None:
        if second.show_if_option is not None and second.show_if_option.question is first:
            return _(
                "“%(later)s” depends on the answer to “%(earlier)s”, so it must stay after it. Change its "
                "condition before moving it.",
                later=second.label,
                earlier=first.label,
            )
        return None

    _swap(question.section.questions, question, direction, stays)


def move_section(section: Section, direction: str) -> None:
    """Swap a page with its neighbour ('up' or 'down'), unless a conditional question would then come before
    the question it depends on."""
    _refuse_changes_once_answered(section.consultation)

    def stays(first: Section, second: Section) -> str | None:
        if any(
            q.show_if_option is not None and q.show_if_option.question.section is first
            for q in second.questions
        ):
            return _(
                "A question on “%(later)s” depends on an answer on “%(earlier)s”, so that page must stay "
                "first. Change the question's condition before moving the pages.",
                later=second.title,
                earlier=first.title,
            )
        return None

    _swap(section.consultation.sections, section, direction, stays)


def _swap(items: list, item, direction: str, stays) -> None:  # noqa: ANN001
    """Swap ``item`` with its neighbour in ``items`` (ordered by position), unless ``stays(first, second)``
    gives the reason the first of the two must stay first."""
    k = items.index(item)
    other = k - 1 if direction == "up" else k + 1
    if not 0 <= other < len(items):
        return
    reason = stays(*sorted((items[k], items[other]), key=lambda entry: entry.position))
    if reason:
        raise StateError(reason)
    items[k].position, items[other].position = items[other].position, items[k].position
    db.session.commit()


def duplicate(consultation: Consultation, user: User, organisation_id: int) -> Consultation:
    """A new draft with the same details, pages, questions, options and conditions, to start from: no
    dates, no responses, no decision."""
    copy = Consultation(
        board=consultation.board,
        organisation_id=organisation_id,
        created_by=user,
        title=_("Copy of %(title)s", title=consultation.title)[:200],
        summary=consultation.summary,
        audience=consultation.audience,
        purpose=consultation.purpose,
        privacy_notice=consultation.privacy_notice,
    )
    options = {}
    conditions = []
    for section in consultation.sections:
        new_section = Section(
            position=section.position, title=section.title, introduction=section.introduction
        )
        copy.sections.append(new_section)
        for question in section.questions:
            new_question = Question(
                position=question.position,
                kind=question.kind,
                label=question.label,
                hint=question.hint,
                required=question.required,
                allow_other=question.allow_other,
                max_choices=question.max_choices,
                min_value=question.min_value,
                max_value=question.max_value,
            )
            new_section.questions.append(new_question)
            for option in question.options:
                options[option.id] = QuestionOption(
                    position=option.position, label=option.label, code=option.code
                )
                new_question.options.append(options[option.id])
            if question.show_if_option_id is not None:
                conditions.append((new_question, question.show_if_option_id))
    db.session.add(copy)
    db.session.flush()
    for new_question, option_id in conditions:
        new_question.show_if_option_id = options[option_id].id
    db.session.commit()
    logger.info("consultation %s duplicated as %s", consultation.id, copy.id)
    return copy


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


def _draft_or_new(consultation: Consultation, token: str) -> ResponseDraft:
    draft = _draft(consultation, token)
    if draft is None:
        draft = ResponseDraft(
            consultation_id=consultation.id, token_hash=respondent_hash(token, _scope(consultation))
        )
        db.session.add(draft)
    return draft


def draft_answers(consultation: Consultation, token: str | None) -> MultiDict:
    """Everything the resident has posted so far, as form data."""
    draft = _draft(consultation, token) if token else None
    return MultiDict(json.loads(draft.data) if draft else {})


def save_page(
    consultation: Consultation, token: str, section: Section, posted: MultiDict, priorities: list
) -> None:
    """Keep one page's answers (replacing what that page said before)."""
    draft = _draft_or_new(consultation, token)
    data = json.loads(draft.data or "{}")
    for question in section.questions:
        # Seen with this page's answers so far (a question can depend on one earlier on the page).
        shown = is_shown(question, MultiDict(data))
        for name in page_field_names(question, priorities):
            data.pop(name, None)
            values = posted.getlist(name)
            if values and shown:  # a question this resident is not asked keeps nothing
                data[name] = values
    data[SAVED_PAGES] = sorted({*data.get(SAVED_PAGES, []), str(section.id)})
    draft.data = json.dumps(data)
    db.session.commit()


#: The draft's note of the pages the resident has been through (section ids), for coming back later.
SAVED_PAGES = "_pages_saved"


def saved_page_ids(answers: MultiDict) -> set[int]:
    return {int(v) for v in answers.getlist(SAVED_PAGES)}


def page_field_names(question: Question, priorities: list) -> list[str]:
    if question.kind is QuestionKind.RANKING:
        return [field_name(question, f"o{option.id}") for option in question.options]
    if question.kind is QuestionKind.IMPORTANCE:
        return [field_name(question, f"p{p.id}") for p in priorities]
    if question.kind is QuestionKind.DATE:
        return [field_name(question)]  # the three boxes post under one name
    return [field_name(question), field_name(question, "other")]


def save_for_later(consultation: Consultation, token: str) -> str:
    """A new private "come back later" secret for the resident's draft (an earlier link stops working).
    Only its hash is stored; the link lasts as long as the draft (until they send it, or the retention
    job deletes an unsent draft)."""
    draft = _draft_or_new(consultation, token)
    secret = secrets.token_urlsafe(24)
    draft.resume_hash = hashlib.sha256(secret.encode()).hexdigest()
    db.session.commit()
    return secret


def resume(consultation: Consultation, secret: str, token: str) -> bool:
    """Move the draft whose link holds ``secret`` to this browser's ``token``; False when no draft has it
    (sent, deleted, or a mistyped link)."""
    draft = db.session.scalar(
        select(ResponseDraft).where(
            ResponseDraft.consultation_id == consultation.id,
            ResponseDraft.resume_hash == hashlib.sha256(secret.encode()).hexdigest(),
        )
    )
    if draft is None:
        return False
    mine = _draft(consultation, token)
    if mine is not None and mine.id != draft.id:
        db.session.delete(mine)  # this browser's own unsent answers give way to the saved ones
        db.session.flush()
    draft.token_hash = respondent_hash(token, _scope(consultation))
    db.session.commit()
    return True


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
        answers=answer_rows(pages),
    )
    db.session.add(response)
    draft = _draft(consultation, token)
    if draft is not None:
        db.session.delete(draft)
    try:
        db.session.flush()
        counts.add(consultation, [response.id])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        winner = response_with_key(consultation.id, idempotency_key)
        if winner is None:
            raise
        return winner
    logger.info("response %s to consultation %s", response.id, consultation.id)
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
    db.session.flush()
    counts.add(consultation, [response.id])
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
    """Store (or replace) a response's optional equality answers, apart from its answers (and move it to
    its new cell in the counts)."""
    counts.remove(response.consultation, [response.id])
    store_answers(ConsultationProfile, "response_id", response.id, answers, commit=False)
    counts.add(response.consultation, [response.id])
    db.session.commit()


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
    db.session.commit()
    logger.info("response deleted by its reference in consultation %s", consultation.id)
    audit.record("response_deleted", f"consultation_id={consultation.id}")
    return True
