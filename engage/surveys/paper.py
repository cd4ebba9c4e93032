"""Paper responses: typed in by staff through the same questions as online (channel "paper"), then, if the
board wants the assurance, typed again by a second person and compared question by question."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from engage.accounts.models import User
from engage.channels import Channel
from engage.extensions import db
from engage.idempotency import server_key
from engage.paging import one_page
from engage.service_errors import StateError
from engage.surveys import counts, logger
from engage.surveys.authoring import priorities_for
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
    PaperCheck,
    Question,
    QuestionKind,
)
from engage.surveys.questions import OTHER, display, field_name
from engage.surveys.responses import answer_rows, new_reference
from engage.transactions import atomic

#: A consultation takes paper sheets while open, and after closing for sheets posted before the close.
TAKES_PAPER = {ConsultationStatus.OPEN, ConsultationStatus.CLOSED}


def enter(consultation: Consultation, pages: list, *, sheet: str, user: User) -> ConsultationResponse:
    """Store one paper sheet's answers (validated page forms, every question optional). Each sheet number
    is typed in once per consultation."""
    if consultation.status not in TAKES_PAPER:
        raise StateError(_("Paper responses can be typed in while the consultation is open or closed"))
    sheet = sheet.strip()
    if sheet_response(consultation, sheet) is not None:
        raise StateError(
            _("Sheet %(sheet)s has already been typed in. To check it, use its “Check” link.", sheet=sheet)
        )
    response = ConsultationResponse(
        consultation_id=consultation.id,
        reference=new_reference(),
        channel=Channel.PAPER,
        # Made by the server and not guessable from the sheet number (the sheet's own column keeps it unique).
        idempotency_key=server_key("paper-sheet", consultation.id, sheet),
        paper_sheet=sheet,
        entered_by_id=user.id,
        answers=answer_rows(pages),
    )
    with atomic():  # the sheet's response and its counts together
        try:
            with db.session.begin_nested():  # a clash undoes this insert only
                db.session.add(response)
        except IntegrityError:  # the same sheet typed in at the same moment elsewhere
            raise StateError(
                _(
                    "Sheet %(sheet)s has already been typed in. To check it, use its “Check” link.",
                    sheet=sheet,
                )
            ) from None
        counts.add(consultation, [response.id])
    logger.info("paper sheet typed in for consultation %s", consultation.id)
    return response


def sheet_response(consultation: Consultation, sheet: str) -> ConsultationResponse | None:
    return db.session.scalar(
        select(ConsultationResponse).where(
            ConsultationResponse.consultation_id == consultation.id,
            ConsultationResponse.paper_sheet == sheet.strip(),
        )
    )


#: Paper sheets listed on a page: a large consultation has hundreds typed in.
SHEETS_PER_PAGE = 50


@dataclass(frozen=True)
class SheetTally:
    """How many sheets are typed in, how many a second person has checked, and how many of those differ."""

    typed: int
    checked: int
    differ: int


def paper_sheets(consultation: Consultation, page: int = 1) -> tuple[Pagination, SheetTally]:
    """One page of the paper sheets typed in, newest first, each with its second-person check if it has one
    (``items``: (response, check or None)), and the tally of all of them."""
    sheets = (
        select(ConsultationResponse)
        .where(
            ConsultationResponse.consultation_id == consultation.id,
            ConsultationResponse.channel == Channel.PAPER,
            ConsultationResponse.paper_sheet.is_not(None),
        )
        .order_by(ConsultationResponse.id.desc())
    )
    found = one_page(sheets, page, SHEETS_PER_PAGE)
    checks = {
        check.response_id: check
        for check in db.session.scalars(
            select(PaperCheck).where(PaperCheck.response_id.in_([r.id for r in found.items]))
        )
    }
    found.items = [(response, checks.get(response.id)) for response in found.items]
    checked = (
        select(func.count(), func.count().filter(PaperCheck.differences != "[]"))
        .select_from(PaperCheck)
        .where(PaperCheck.response_id.in_(sheets.with_only_columns(ConsultationResponse.id).order_by(None)))
    )
    checked_count, differ = db.session.execute(checked).one()
    return found, SheetTally(typed=found.total or 0, checked=checked_count, differ=differ)


def stored_formdata(question: Question, answers: list[Answer]) -> MultiDict:
    """The form data that would give these stored answers (so they can be shown and compared as words)."""
    data: MultiDict[str, str] = MultiDict()
    mine = [a for a in answers if a.question_id == question.id]
    kind = question.kind
    for answer in mine:
        if kind is QuestionKind.IMPORTANCE:
            assert answer.number is not None, "an importance answer is its level"
            data.add(field_name(question, f"p{answer.priority_id}"), str(int(answer.number)))
        elif kind is QuestionKind.RANKING:
            assert answer.number is not None, "a ranking answer is its place"
            data.add(field_name(question, f"o{answer.option_id}"), str(int(answer.number)))
        elif kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE} and answer.option_id is not None:
            data.add(field_name(question), str(answer.option_id))
        elif kind is QuestionKind.SINGLE:
            data.add(field_name(question), OTHER)
            data.add(field_name(question, "other"), answer.text or "")
        elif kind in {QuestionKind.RATING, QuestionKind.NUMBER}:
            data.add(field_name(question), f"{answer.number:g}")
        else:
            data.add(field_name(question), answer.text or "")
    return data


def differences(response: ConsultationResponse, pages: list) -> list[dict[str, object]]:
    """Where a second typing (validated page forms) differs from the stored sheet, question by question,
    as the words each typing gives."""
    from engage.surveys.forms import PageForm

    priorities = priorities_for(response.consultation)
    found = []
    for second in pages:
        stored: MultiDict[str, str] = MultiDict()
        for question in second.questions:
            stored.update(stored_formdata(question, response.answers))
        first = PageForm.build(second.section, priorities, formdata=stored, meta={"csrf": False})
        first.validate()
        for question in second.questions:
            was, now = display(question, first, priorities), display(question, second, priorities)
            if [str(line) for line in was] != [str(line) for line in now]:
                found.append(
                    {
                        "question": question.label,
                        "first": [str(x) for x in was],
                        "second": [str(x) for x in now],
                    }
                )
    return found


def check(response: ConsultationResponse, pages: list, *, user: User) -> PaperCheck:
    """Record a second person's typing of a sheet and how it compares. The person who typed the sheet in
    cannot check it; a sheet is checked once (delete and re-type a sheet that was wrong)."""
    if response.entered_by_id == user.id:
        raise StateError(_("Someone other than the person who typed this sheet in must check it"))
    existing = db.session.scalar(select(PaperCheck).where(PaperCheck.response_id == response.id))
    if existing is not None:
        raise StateError(_("This sheet has already been checked"))
    result = PaperCheck(
        response_id=response.id, checked_by_id=user.id, differences=json.dumps(differences(response, pages))
    )
    try:
        with db.session.begin_nested():  # two people checking at the same moment: the first one counts
            db.session.add(result)
    except IntegrityError:
        raise StateError(_("This sheet has already been checked")) from None
    return result


def delete_sheet(response: ConsultationResponse, user: User) -> None:
    """Remove a sheet typed in wrongly (with its answers and check), so it can be typed in again."""
    consultation_id = response.consultation_id
    counts.remove(response.consultation, [response.id])
    db.session.delete(response)
    logger.info("paper sheet deleted from consultation %s by user %s", consultation_id, user.id)
