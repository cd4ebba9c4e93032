"""Building consultations (details, sections, questions, options, their order), copying, opening, closing
and publishing them, and the queries the pages make about them."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from engage.accounts.models import User
from engage.boards.models import Board, Priority, PriorityStatus
from engage.extensions import db
from engage.service_errors import StateError
from engage.surveys import logger
from engage.surveys.models import (
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
    Question,
    QuestionKind,
    QuestionOption,
    Section,
)
from engage.surveys.questions import (
    OPTION_KINDS,
    condition_choices,
)
from engage.transactions import atomic


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


def priorities_for(consultation: Consultation) -> list[Priority]:
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
    return db.session.execute(
        select(func.count())
        .select_from(ConsultationResponse)
        .where(ConsultationResponse.consultation_id == consultation.id)
    ).scalar_one()


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
    db.session.flush()  # a new consultation's id, for its page
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
    db.session.flush()  # the caller gets the page with its id
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
    whole_number: bool = False,
    earliest_date: date | None = None,
    latest_date: date | None = None,
    not_in_future: bool = False,
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
    question.whole_number = whole_number and kind is QuestionKind.NUMBER
    dated = kind is QuestionKind.DATE
    question.earliest_date, question.latest_date = (earliest_date, latest_date) if dated else (None, None)
    question.not_in_future = not_in_future and dated
    _set_options(question, options if kind in OPTION_KINDS else [])
    db.session.flush()  # the caller gets the question and its options with their ids (a later condition)
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


def _swap(items: list, item, direction: str, stays) -> None:
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


@atomic()
def duplicate(consultation: Consultation, user: User, organisation_id: int) -> Consultation:
    """A new draft with the same details, pages, questions, options and conditions, to start from: no
    dates, no responses, no decision. All or nothing: never a copy with half its pages or conditions."""
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
                whole_number=question.whole_number,
                earliest_date=question.earliest_date,
                latest_date=question.latest_date,
                not_in_future=question.not_in_future,
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
    logger.info("consultation %s results published", consultation.id)


def set_status(consultation: Consultation, status: ConsultationStatus) -> None:
    if consultation.status is ConsultationStatus.PUBLISHED:
        raise StateError(_("The results are published, so the consultation cannot reopen"))
    if status is ConsultationStatus.OPEN and not consultation.questions:
        raise StateError(_("Add at least one question before opening the consultation"))
    if status is ConsultationStatus.CLOSED and consultation.status is ConsultationStatus.DRAFT:
        raise StateError(_("A draft consultation has not opened, so it cannot close"))
    consultation.status = status
    logger.info("consultation %s is now %s", consultation.id, status.value)
