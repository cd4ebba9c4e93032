"""A resident's unsent answers: kept page by page, with a private link to come back to them later.

Anyone can start a draft without an account, so what is kept is bounded (issue 18: a script once grew the
database by 75 MB in 3 seconds, one draft per new cookie): only this page's questions, only values their
form could hold (a listed choice, at most as many as the question takes, text no longer than its box
accepts); new drafts are limited per network address (``ENGAGE_DRAFT_ADDRESS_LIMIT``) and per
consultation (``ENGAGE_DRAFT_LIMIT``, unsent drafts at once); a draft untouched for ``ENGAGE_DRAFT_DAYS``
is gone (no longer found, and deleted by the retention job).
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Delete, Integer, Select, String, and_, bindparam, delete, func, select
from sqlalchemy.orm import attributes, load_only
from werkzeug.datastructures import MultiDict

from engage import quotas
from engage.database import UTCDateTime, table_of, utcnow
from engage.dates import last_whole_day
from engage.extensions import db
from engage.respondents import respondent_hash
from engage.surveys import checked
from engage.surveys.models import Consultation, Question, QuestionKind, ResponseDraft, Section
from engage.surveys.questions import AGREEMENT, IMPORTANCE, OTHER, field_name, is_shown


class TooManyDrafts(Exception):
    """A new draft would pass the limit for this address or this consultation; nothing was kept."""


def _token_hash(consultation_id: int, token: str) -> str:
    """What a draft stores of this browser's token: its hash within the consultation (``respondent_hash``)."""
    return respondent_hash(token, f"consultation:{consultation_id}")


def _oldest_live() -> datetime:
    """Drafts changed since this moment (within ``ENGAGE_DRAFT_DAYS``) are live: an older one has expired,
    even before the retention job deletes it."""
    return utcnow() - timedelta(days=current_app.config["ENGAGE_DRAFT_DAYS"])


def _live():
    return ResponseDraft.updated_at >= _oldest_live()


def find_draft(consultation: Consultation, token: str) -> ResponseDraft | None:
    """The unsent answers this browser's token has kept in the consultation, if any (and not expired)."""
    return db.session.scalar(
        select(ResponseDraft).where(
            ResponseDraft.consultation_id == consultation.id,
            ResponseDraft.token_hash == _token_hash(consultation.id, token),
            _live(),
        )
    )


def forget_draft(consultation: Consultation, token: str) -> int:
    """Delete the unsent answers this browser's token kept in the consultation (just sent): one statement,
    built once; how many were deleted (0: gone already). A Core statement: it does not touch an ORM copy of
    the draft, so it is for a request that read the draft with ``draft_answers`` (the send), never one
    holding the draft from ``find_draft``."""
    found = db.session.connection().execute(_draft_statements().forget, draft_key(consultation, token))
    return found.rowcount


def draft_key(consultation: Consultation, token: str) -> dict[str, object]:
    """The values that find this browser's draft of the consultation, for ``forgetting``'s statement."""
    return {"consultation_id": consultation.id, "token_hash": _token_hash(consultation.id, token)}


def forgetting(*conditions) -> Delete:
    """``forget_draft``'s statement with more ``conditions`` (another statement's part, on PostgreSQL), its
    values from ``draft_key``."""
    return _draft_statements().forget.where(*conditions)


#: The consultation's columns a send reads (its title for the pages that may answer it): its long texts
#: (summary, purpose, privacy notice...) are loaded only if something asks for them.
SENDING = (
    Consultation.id,
    Consultation.board_id,
    Consultation.organisation_id,
    Consultation.title,
    Consultation.status,
    Consultation.opens_at,
    Consultation.closes_at,
    Consultation.counted_basis,
    Consultation.structure_version,
)


class _DraftStatements(NamedTuple):
    data: Select  # a live draft's answers and checked rows (data, checked), by consultation and token hash
    forget: Delete  # a draft deleted, by consultation and token hash
    #: The consultation (read afresh) with its live draft's data and checked rows, outer joined: by the
    #: consultation's id, the token hash and ``since``.
    with_consultation: Select


@functools.cache
def _draft_statements() -> _DraftStatements:
    """The statements a send reads and deletes its draft with, built once with their values as parameters
    (building them for every send cost more than the ORM's reading of the draft)."""
    table = table_of(ResponseDraft)
    token_hash = table.c.token_hash == bindparam("token_hash", type_=String)
    live = table.c.updated_at >= bindparam("since", type_=UTCDateTime())
    mine = (table.c.consultation_id == bindparam("consultation_id", type_=Integer), token_hash)
    data = select(table.c.data, table.c.checked).where(*mine, live)
    with_consultation = (
        select(Consultation, table.c.data, table.c.checked)
        .outerjoin(table, and_(table.c.consultation_id == Consultation.id, token_hash, live))
        .where(Consultation.id == bindparam("consultation_id", type_=Integer))
        .options(load_only(*SENDING))
        .execution_options(populate_existing=True)
    )
    return _DraftStatements(data, delete(table).where(*mine), with_consultation)


def _draft_or_new(
    consultation: Consultation, token: str, draft: ResponseDraft | None, address: str | None = None
) -> ResponseDraft:
    """``draft`` (what ``find_draft`` gave), or a new one when there is none."""
    if draft is None:
        _check_room_for_a_new_draft(consultation, address)
        token_hash = _token_hash(consultation.id, token)
        # An expired draft under this token gives way (the pair is unique).
        db.session.execute(
            delete(ResponseDraft).where(
                ResponseDraft.consultation_id == consultation.id, ResponseDraft.token_hash == token_hash
            ),
            execution_options={"synchronize_session": False},
        )
        draft = ResponseDraft(consultation_id=consultation.id, token_hash=token_hash)
        db.session.add(draft)
    return draft


def _check_room_for_a_new_draft(consultation: Consultation, address: str | None) -> None:
    """TooManyDrafts when this address has started too many drafts lately, or the consultation already holds
    ``ENGAGE_DRAFT_LIMIT`` unsent ones; otherwise count this one against the address."""
    config = current_app.config
    live = db.session.scalar(
        select(func.count())
        .select_from(ResponseDraft)
        .where(ResponseDraft.consultation_id == consultation.id, _live())
    )
    if live >= config["ENGAGE_DRAFT_LIMIT"] or not quotas.take(
        "ENGAGE_DRAFT_ADDRESS_LIMIT", "draft-from", address or "-"
    ):
        raise TooManyDrafts


class DraftColumns(NamedTuple):
    """A draft's ``data`` (its answers as JSON) and ``checked`` (engage.surveys.checked) columns; both None
    when there is no draft."""

    data: str | None
    checked: str | None

    @property
    def answers(self) -> MultiDict:
        """Everything the resident has posted so far, as form data."""
        return MultiDict(json.loads(self.data) if self.data else {})


def read_draft(consultation: Consultation, token: str | None) -> DraftColumns:
    """The columns of what ``find_draft`` finds (a live draft of this browser's token), read without the ORM
    object (one statement, built once)."""
    if not token:
        return DraftColumns(None, None)
    values = {**draft_key(consultation, token), "since": _oldest_live()}
    row = db.session.execute(_draft_statements().data, values).first()
    return DraftColumns(row.data, row.checked) if row is not None else DraftColumns(None, None)


def consultation_and_draft(
    consultation_id: int, token: str | None
) -> tuple[Consultation | None, DraftColumns]:
    """The consultation, read afresh (None when there is none), and what ``read_draft`` reads, in one
    statement: a send needs both before anything else."""
    values = {
        "consultation_id": consultation_id,
        "token_hash": _token_hash(consultation_id, token) if token else "",
        "since": _oldest_live(),
    }
    row = db.session.execute(_draft_statements().with_consultation, values).first()
    if row is None:
        return None, DraftColumns(None, None)
    return row[0], DraftColumns(row.data, row.checked)


def draft_answers(consultation: Consultation, token: str | None) -> MultiDict:
    """Everything the resident has posted so far, as form data (``read_draft``)."""
    return read_draft(consultation, token).answers


def answers_of(draft: ResponseDraft | None) -> MultiDict:
    """A draft's answers as form data (none for no draft)."""
    return MultiDict(json.loads(draft.data) if draft else {})


class SavedPage(NamedTuple):
    answers: MultiDict  # the draft's answers as they now are
    draft: ResponseDraft


def save_page(
    consultation: Consultation,
    token: str,
    section: Section,
    posted: MultiDict,
    priorities: list,
    address: str | None,
    found: ResponseDraft | None,
) -> SavedPage:
    """Keep one page's answers (replacing what that page said before), bounded to what the page's form could
    hold, and give the draft's answers as they now are. ``address`` is the sender's network address, for the
    limit on new drafts (TooManyDrafts); ``found`` is what ``find_draft`` gave this request (None: no draft
    yet), read once by the caller for the page and its saving. Rows kept from checking the answers before
    are dropped (``keep_checked`` keeps them again)."""
    draft = _draft_or_new(consultation, token, found, address)
    data = json.loads(draft.data or "{}")
    for question in section.questions:
        # Seen with this page's answers so far (a question can depend on one earlier on the page).
        shown = is_shown(question, MultiDict(data))
        for name in page_field_names(question, priorities):
            data.pop(name, None)
            values = _bounded(question, name, posted.getlist(name))
            if values and shown:  # a question this resident is not asked keeps nothing
                data[name] = values
    data[SAVED_PAGES] = sorted({*data.get(SAVED_PAGES, []), str(section.id)})
    draft.data = json.dumps(data)
    draft.checked = None
    # Written even when it was NULL as loaded: another request may have kept rows meanwhile, and rows of
    # answers since replaced must not stay behind (found in review, two tabs saving at once).
    attributes.flag_modified(draft, "checked")
    return SavedPage(MultiDict(data), draft)


def keep_checked(consultation: Consultation, draft: ResponseDraft, rows: list[dict]) -> None:
    """Keep the answer ``rows`` that the draft's answers, as saved, passed every page's checks with, for its
    send (engage.surveys.checked)."""
    draft.checked = checked.kept(consultation, draft.data, rows)


#: The draft's note of the pages the resident has been through (section ids), for coming back later.
SAVED_PAGES = "_pages_saved"


def saved_page_ids(answers: MultiDict) -> set[int]:
    return {int(v) for v in answers.getlist(SAVED_PAGES)}


def _bounded(question: Question, name: str, values: list[str]) -> list[str]:
    """The posted ``values`` of one field cut to what its form accepts: a listed choice (others dropped), no
    more values than the question takes, no text longer than its box allows. Not yet checked otherwise: a
    saved page is checked in full when the resident goes on."""
    most, longest, choices = _field_bounds(question, name)
    kept = [value[:longest] for value in values if choices is None or value in choices]
    return kept[:most]


def _field_bounds(question: Question, name: str) -> tuple[int, int, set[str] | None]:
    """(how many values, how many characters each, the values allowed or None for free text)."""
    kind = question.kind
    options = {str(option.id) for option in question.options}
    if name == field_name(question, "other"):
        return 1, 500, None
    if kind is QuestionKind.LONG_TEXT:
        return 1, 5000, None
    if kind is QuestionKind.SHORT_TEXT:
        return 1, 500, None
    if kind is QuestionKind.DATE:
        return 3, 10, None  # day, month and year boxes
    if kind is QuestionKind.NUMBER:
        return 1, 40, None
    if kind is QuestionKind.MULTIPLE:
        return max(len(options), 1), 20, options
    if kind is QuestionKind.SINGLE:
        return 1, 20, options | ({OTHER} if question.allow_other else set())
    if kind is QuestionKind.AGREEMENT:
        return 1, 20, {code for code, _ in AGREEMENT}
    if kind is QuestionKind.RATING:
        return 1, 2, {str(n) for n in range(11)}
    if kind is QuestionKind.RANKING:
        return 1, 4, {str(n) for n in range(1, len(options) + 1)}
    return 1, 1, {str(level) for level, _ in IMPORTANCE}  # importance grid


def page_field_names(question: Question, priorities: list) -> list[str]:
    if question.kind is QuestionKind.RANKING:
        return [field_name(question, f"o{option.id}") for option in question.options]
    if question.kind is QuestionKind.IMPORTANCE:
        return [field_name(question, f"p{p.id}") for p in priorities]
    if question.kind is QuestionKind.DATE:
        return [field_name(question)]  # the three boxes post under one name
    return [field_name(question), field_name(question, "other")]


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def save_for_later(consultation: Consultation, token: str) -> str:
    """A new private "come back later" secret for the resident's draft (an earlier link stops working).
    Only its hash is stored; the link lasts as long as the draft: ``ENGAGE_DRAFT_DAYS`` from this save (each
    save starts them again), until they send it, or the consultation closes."""
    draft = _draft_or_new(consultation, token, find_draft(consultation, token))
    secret = secrets.token_urlsafe(24)
    draft.resume_hash = _secret_hash(secret)
    draft.updated_at = utcnow()
    return secret


@dataclass(frozen=True)
class LinkLife:
    """How long a "come back later" link works, as the resident is told."""

    #: The last whole day, UK time, the link works.
    last_day: date
    #: True when that is the consultation's closing day (it closes before the draft would expire).
    until_closing: bool
    #: How many days each save gives the link again (``ENGAGE_DRAFT_DAYS``).
    days: int


def link_life(consultation: Consultation, secret: str) -> LinkLife | None:
    """How long the link holding ``secret`` works: until ``ENGAGE_DRAFT_DAYS`` after its draft was last saved,
    or until the consultation closes when that is sooner (a closed consultation opens no link). None when no
    unexpired draft holds it (sent, deleted, or replaced by a newer link)."""
    saved_at = db.session.scalar(
        select(ResponseDraft.updated_at).where(
            ResponseDraft.consultation_id == consultation.id,
            ResponseDraft.resume_hash == _secret_hash(secret),
            _live(),
        )
    )
    if saved_at is None:
        return None
    days = current_app.config["ENGAGE_DRAFT_DAYS"]
    expires = last_whole_day(saved_at + timedelta(days=days))
    closing = consultation.last_day
    if closing is not None and closing <= expires:
        return LinkLife(closing, True, days)
    return LinkLife(expires, False, days)


def resume(consultation: Consultation, secret: str, token: str) -> bool:
    """Move the draft whose link holds ``secret`` to this browser's ``token``; False when no draft has it
    (sent, deleted, or a mistyped link)."""
    draft = db.session.scalar(
        select(ResponseDraft).where(
            ResponseDraft.consultation_id == consultation.id,
            ResponseDraft.resume_hash == _secret_hash(secret),
            _live(),
        )
    )
    if draft is None:
        return False
    mine = find_draft(consultation, token)
    if mine is not None and mine.id != draft.id:
        db.session.delete(mine)  # this browser's own unsent answers give way to the saved ones
        db.session.flush()
    draft.token_hash = _token_hash(consultation.id, token)
    return True
