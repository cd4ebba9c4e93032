"""Residents' responses: storing one (from the pages, or one answer from a workshop or a show of
hands), finding it by its reference, its equality answers, and deleting it."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import Float, Integer, Text, exists, func, insert, literal, select, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ColumnElement

from engage.audit import service as audit
from engage.channels import Channel
from engage.database import insert_of, json_rows, json_rows_of, table_of, utcnow
from engage.equality.questions import store_answers
from engage.extensions import db
from engage.idempotency import submitter_key
from engage.service_errors import StateError
from engage.surveys import counts, logger
from engage.surveys.drafts import draft_key, forget_draft, forgetting
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    Question,
    QuestionKind,
)
from engage.surveys.questions import answers_from, single_answer
from engage.transactions import atomic

#: Letters and digits that cannot be mistaken for one another when read out or written down.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


#: Characters in a reference: 31 ** 8, about 8.5 x 10 ** 11 references.
REFERENCE_LENGTH = 8


def new_reference() -> str:
    """A random reference such as ``K7QD-2MXH``. It lets its resident delete their response, so it comes
    from the operating system's randomness (``secrets``), drawn as one number below 31 ** 8 whose base-31
    digits are the characters: one read of that randomness, not one per character (each read is a system
    call, and while it runs another thread takes the interpreter; eight of them were 4% of a served send).
    Each character is still equally likely and independent of the others."""
    number = secrets.randbelow(len(REFERENCE_ALPHABET) ** REFERENCE_LENGTH)
    characters = []
    for _place in range(REFERENCE_LENGTH):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        characters.append(REFERENCE_ALPHABET[digit])
    return f"{''.join(characters[:4])}-{''.join(characters[4:])}"


def response_with_key(consultation_id: int, idempotency_key: str) -> ConsultationResponse | None:
    """The response already stored under this key (a retry, or a workshop participant's second tap)."""
    return db.session.scalar(
        select(ConsultationResponse).where(
            ConsultationResponse.consultation_id == consultation_id,
            ConsultationResponse.idempotency_key == idempotency_key,
        )
    )


class DraftGone(Exception):
    """The resident's draft was no longer there when their response was to be stored (sent from another tab
    at the same moment, or moved to another device by its link): nothing was stored."""


@dataclass(frozen=True)
class StoredResponse:
    """A response as stored: enough to show the resident their reference, without loading it again."""

    id: int
    reference: str


def submit_response(
    consultation: Consultation,
    token: str,
    pages: list,
    *,
    idempotency_key: str,
    locale: str = "en",
    channel: Channel = Channel.ONLINE,
) -> StoredResponse:
    """Store a response from validated page forms (one per section), count it, and forget the draft: all
    or nothing. A retry with the same key (even at the same moment) returns the response already stored.

    The key is stored as an HMAC of it and the resident's cookie token, so it only ever finds the same
    resident's response: another person sending my key stores their own and is never shown mine.
    """
    return submit_checked(
        consultation,
        token,
        answer_values(pages),
        idempotency_key=idempotency_key,
        locale=locale,
        channel=channel,
    )


def submit_checked(
    consultation: Consultation,
    token: str,
    answers: list[dict],
    *,
    idempotency_key: str,
    locale: str = "en",
    channel: Channel = Channel.ONLINE,
    kinds: Mapping[int, QuestionKind] | None = None,
) -> StoredResponse:
    """``submit_response`` for answer rows already checked (``answer_values`` of validated page forms, or
    the rows engage.surveys.checked kept on the draft, with ``kinds``: the kind of each question they
    answer, so the consultation's questions need not be loaded to count them)."""
    if not consultation.accepting_responses():
        raise StateError(_("This consultation is not taking responses at the moment."))
    response = {
        "consultation_id": consultation.id,
        "reference": new_reference(),
        "channel": channel,
        "locale": locale,
        "idempotency_key": _scoped_key(consultation, token, idempotency_key),
    }
    stored = _store(consultation, response, answers, draft_token=token, kinds=kinds)
    # Not the response's id: with the request id, nginx's log would tie it to an address (docs/privacy.md).
    logger.info("a response to consultation %s", consultation.id)
    return stored


def _scoped_key(consultation: Consultation, token: str, client_key: str) -> str:
    return submitter_key(f"consultation:{consultation.id}", token, client_key)


def sent_with_key(consultation: Consultation, token: str, client_key: str) -> ConsultationResponse | None:
    """The response this resident (their cookie token) sent with this key, if any: never anyone else's."""
    return response_with_key(consultation.id, _scoped_key(consultation, token, client_key))


@functools.cache
def _response_insert(dialect: str, names: tuple[str, ...]):
    """A response's insert of ``names``, storing nothing when its key (or reference) is already stored; built
    once per dialect (``insert_of``)."""
    table = table_of(ConsultationResponse)
    return insert_of(dialect, table, names).on_conflict_do_nothing().returning(table.c.id)


def _store(
    consultation: Consultation,
    response: dict,
    answers: list[dict],
    draft_token: str | None = None,
    kinds: Mapping[int, QuestionKind] | None = None,
) -> StoredResponse:
    """Insert a response (its columns in ``response``) with its answers, count it and forget the resident's
    draft: all or nothing. A few statements: the response (its key's uniqueness is the idempotency check:
    no lookup first), every answer in one, the draft deleted, and the counts (engage.surveys.counts.add_new).
    On PostgreSQL they are one statement (``_stored_in_one_statement``), the counts but for a
    consultation's first response (its counts are then built from the rows, after it is stored).

    When the same key is already stored (sent twice, even at the same moment), nothing is written and the
    response stored first is returned. With ``draft_token``, a response is stored only with its draft's
    deletion: when the draft has gone meanwhile (two tabs sending the same answers with their own keys at
    the same moment, found in review: both were stored), DraftGone, and nothing remains.
    """
    with atomic():
        dialect = db.session.get_bind().dialect.name
        counting = None  # the counts' values, when the statement storing the response counts it too
        if dialect == "postgresql":
            # A column's Python default is not filled in for an insert inside a CTE: given here.
            row = {"submitted_at": utcnow(), **response}
            values = {**row, "answers": json_rows_of(answers, _ANSWER_COLUMNS)}
            if draft_token:
                values.update(draft_key(consultation, draft_token))
            counting = counts.counting_values(consultation, response["channel"], answers, kinds)
            values.update(counting or {})
            statement = _stored_in_one_statement(tuple(row), bool(draft_token), counting is not None)
            found = db.session.connection().execute(statement, values).one()
            response_id, forgotten = cast(int | None, found[0]), int(found[1])
        else:
            response_id = db.session.execute(_response_insert(dialect, tuple(response)), response).scalar()
            if response_id is not None and answers:
                rows = [{**row, "response_id": response_id} for row in answers]
                db.session.execute(insert(table_of(Answer)), rows)
            forgotten = (
                forget_draft(consultation, draft_token) if response_id is not None and draft_token else 0
            )
        if response_id is not None and draft_token and not forgotten:
            raise DraftGone  # the savepoint (or the transaction) goes, the response and answers with it
        if response_id is None:
            earlier = response_with_key(consultation.id, response["idempotency_key"])
            if earlier is None:  # another unique column clashed (a reference drawn twice): nothing stored
                raise RuntimeError(f"a response to consultation {consultation.id} could not be stored")
            return StoredResponse(earlier.id, earlier.reference)
        if counting is None:
            counts.add_new(consultation, response["channel"], answers, kinds)
    return StoredResponse(response_id, response["reference"])


#: An answer's columns, sent to PostgreSQL as one JSON list of every answer (``json_rows``).
_ANSWER_COLUMNS = {
    "question_id": Integer,
    "option_id": Integer,
    "priority_id": Integer,
    "text": Text,
    "number": Float,
}


@functools.cache
def _stored_in_one_statement(names: tuple[str, ...], forget: bool, count: bool = False):
    """PostgreSQL: the response's insert, its answers' insert (from one JSON list of them), with ``forget``
    the draft's deletion, and with ``count`` its counts (engage.surveys.counts.counting_ctes) as one
    statement of data-modifying CTEs, answering the new response's id, or nothing when its key was already
    stored (then no answer is stored or counted and the draft is kept, as when they were separate
    statements), with how many drafts it deleted (0 when the draft had gone meanwhile: the caller then
    undoes it all). Built once per set of response columns."""
    response = _response_insert("postgresql", names).cte("stored")
    each = json_rows("each", "answers", _ANSWER_COLUMNS)
    answers = (
        postgresql.insert(table_of(Answer))
        .from_select(
            ["response_id", *_ANSWER_COLUMNS],
            select(response.c.id, *(each.c[column] for column in _ANSWER_COLUMNS))
            .select_from(response)
            .join(each, true()),
        )
        .cte("answers")
    )
    # One row whether or not anything was stored: (the new response's id or NULL, drafts deleted).
    deleted: ColumnElement[int] = literal(0)
    if forget:
        forgotten = (
            forgetting(exists(select(response.c.id))).returning(literal(1).label("one")).cte("forgotten")
        )
        deleted = select(func.count()).select_from(forgotten).scalar_subquery()
    counted: list[Any] = []
    if count:
        _lock, counted = counts.counting_ctes(response)  # the upserts read the lock's CTE: it comes with them
    return select(select(response.c.id).scalar_subquery(), deleted).add_cte(answers, *counted)


def answer_values(pages: list) -> list[dict]:
    """The answer rows validated page forms hold (one per section), as column values."""
    return [
        {
            "question_id": question.id,
            "option_id": value.option_id,
            "priority_id": value.priority_id,
            "text": value.text,
            "number": value.number,
        }
        for form in pages
        for question in form.questions
        for value in answers_from(question, form, form.priorities)
    ]


def answer_rows(pages: list) -> list[Answer]:
    """The answer rows validated page forms hold (one per section)."""
    return [Answer(**values) for values in answer_values(pages)]


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
    response = {
        "consultation_id": consultation.id,
        "reference": new_reference(),
        "channel": channel,
        "locale": locale,
        "idempotency_key": idempotency_key,
        "workshop_session_id": workshop_session_id,
    }
    row = {"question_id": question.id, "option_id": answer.option_id, "priority_id": None}
    stored = _store(consultation, response, [{**row, "text": answer.text, "number": answer.number}])
    found = db.session.get(ConsultationResponse, stored.id)
    assert found is not None
    return found


#: Dashes a phone or a word processor may put in place of the hyphen.
_DASHES = str.maketrans("", "", "-\u2010\u2011\u2012\u2013\u2014\u2212")


def as_reference(typed: str) -> str:
    """A reference as the resident may type or read it out (any case, spaces anywhere, the hyphen left out)
    as it is stored, like ``K7QD-3MWX``; what is not 8 letters and digits comes back without a hyphen and so
    matches no reference."""
    code = "".join(typed.split()).translate(_DASHES).upper()
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


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
    """Delete a response (its answers and equality answers go with it) by its reference, as typed (see
    ``as_reference``); False if none.

    The reference is the resident's proof: it is shown once, on the confirmation page, and has about 8.5 *
    10^11 possible values, so it cannot be guessed at the rate the page allows.
    """
    response = response_by_reference(consultation, as_reference(reference))
    if response is None:
        return False
    counts.remove(consultation, [response.id])
    db.session.delete(response)
    logger.info("response deleted by its reference in consultation %s", consultation.id)
    audit.record("response_deleted", f"consultation_id={consultation.id}")
    return True
