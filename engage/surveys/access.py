"""Loading a consultation for a request: 404 when there is none (or residents may not see it yet), 403 when
the signed-in person may not act on it."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from engage import kept_structure
from engage.accounts.models import Role
from engage.accounts.permissions import can_manage_owned, can_read_results
from engage.boards.models import Board
from engage.extensions import db
from engage.surveys.drafts import DraftColumns, consultation_and_draft
from engage.surveys.models import Consultation, ConsultationStatus, Question, Section


def can_manage(consultation: Consultation) -> bool:
    """Whether the signed-in person may change the consultation (a board officer of its organisation, or an
    admin)."""
    return can_manage_owned(
        current_user, consultation.board, consultation.organisation_id, Role.BOARD_OFFICER
    )


def can_create_on(board: Board | None) -> bool:
    """Board officers of an organisation on the board (for their organisation), and admins."""
    return can_manage_owned(current_user, board, current_user.organisation_id, Role.BOARD_OFFICER)


def consultation_for(consultation_id: int, manage: bool) -> Consultation:
    """The consultation for an officer's page: 404 when there is none, 403 unless they may manage it
    (``manage``) or read its results."""
    consultation = db.get_or_404(Consultation, consultation_id)
    allowed = can_manage(consultation) if manage else can_read_results(current_user, consultation.board)
    if not allowed:
        abort(403)
    return consultation


#: A consultation with every page, question and option, and its board's priorities (an importance grid's
#: rows): one statement each, rather than one per page and per question as each is first read.
WITH_QUESTIONS = (
    selectinload(Consultation.sections).selectinload(Section.questions).selectinload(Question.options),
    joinedload(Consultation.board).selectinload(Board.priorities),
)


#: The consultation with its board, read afresh (its status and dates from the database even when the
#: request's session already holds it). Built once: ``Session.get`` with these options built the statement
#: and worked out its cache key anew on every request, about 0.1 ms of a consultation's send.
_WITH_BOARD = (
    select(Consultation)
    .options(joinedload(Consultation.board))
    .where(Consultation.id == bindparam("id"))
    .execution_options(populate_existing=True)
)


def public_consultation_or_404(consultation_id: int, with_questions: bool = False) -> Consultation:
    """Residents see anything but a draft; board members may preview a draft. ``with_questions`` gives it
    its pages, questions and options and its board's priorities (:func:`load_questions`), and reads its row
    afresh with its board (its status and dates from the database even when the request's session already
    holds it)."""
    if with_questions:
        consultation = db.session.execute(_WITH_BOARD, {"id": consultation_id}).scalar_one_or_none()
        if consultation is None:
            abort(404)
    else:
        consultation = db.get_or_404(Consultation, consultation_id)
    _shown_or_404(consultation)
    if with_questions:
        load_questions(consultation)
    return consultation


def public_consultation_and_draft_or_404(
    consultation_id: int, token: str | None
) -> tuple[Consultation, DraftColumns]:
    """``public_consultation_or_404``, its row read afresh, and the draft of this browser's token
    (``drafts.read_draft``), read in one statement: a send needs both before anything else. The board is
    not read with it (loaded when asked for)."""
    consultation, draft = consultation_and_draft(consultation_id, token)
    if consultation is None:
        abort(404)
    _shown_or_404(consultation)
    return consultation, draft


def _shown_or_404(consultation: Consultation) -> None:
    """Residents see anything but a draft; board members may preview a draft."""
    if consultation.status is ConsultationStatus.DRAFT and not (
        current_user.is_authenticated and can_read_results(current_user, consultation.board)
    ):
        abort(404)


def load_questions(consultation: Consultation) -> None:
    """Give the consultation its pages, questions and options and its board's priorities (WITH_QUESTIONS),
    from this worker's copy while the consultation's stamp says it is current (engage.kept_structure)."""
    kept_structure.load(
        consultation,
        (consultation.structure_version, consultation.board_id),
        ("sections", "board.priorities"),
        lambda: db.session.get(Consultation, consultation.id, options=WITH_QUESTIONS, populate_existing=True),
    )
