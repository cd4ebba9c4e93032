"""A resident's unsent answers: kept page by page, with a private link to come back to them later."""

from __future__ import annotations

import hashlib
import json
import secrets

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engage.extensions import db
from engage.respondents import respondent_hash
from engage.surveys.models import Consultation, Question, QuestionKind, ResponseDraft, Section
from engage.surveys.questions import field_name, is_shown


def _scope(consultation: Consultation) -> str:
    return f"consultation:{consultation.id}"


def find_draft(consultation: Consultation, token: str) -> ResponseDraft | None:
    """The unsent answers this browser's token has kept in the consultation, if any."""
    return db.session.scalar(
        select(ResponseDraft).where(
            ResponseDraft.consultation_id == consultation.id,
            ResponseDraft.token_hash == respondent_hash(token, _scope(consultation)),
        )
    )


def _draft_or_new(consultation: Consultation, token: str) -> ResponseDraft:
    draft = find_draft(consultation, token)
    if draft is None:
        draft = ResponseDraft(
            consultation_id=consultation.id, token_hash=respondent_hash(token, _scope(consultation))
        )
        db.session.add(draft)
    return draft


def draft_answers(consultation: Consultation, token: str | None) -> MultiDict:
    """Everything the resident has posted so far, as form data."""
    draft = find_draft(consultation, token) if token else None
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
    mine = find_draft(consultation, token)
    if mine is not None and mine.id != draft.id:
        db.session.delete(mine)  # this browser's own unsent answers give way to the saved ones
        db.session.flush()
    draft.token_hash = respondent_hash(token, _scope(consultation))
    return True
