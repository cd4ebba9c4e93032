"""Paper sheets: typed in for a round as channel "paper", one sheet one person; corrected with an audit
trail."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from engage.accounts.models import User
from engage.channels import Channel
from engage.database import utcnow
from engage.extensions import db
from engage.idempotency import server_key
from engage.jobs.cache import forget
from engage.prioritise.models import ExerciseKind, Outcome, PairwiseVote, Submission, SubmissionEntry
from engage.prioritise.pairwise import voting
from engage.prioritise.pairwise.counts import hold_pair_counts, rebuild_counts
from engage.prioritise.submissions import submitting
from engage.service_errors import StateError
from engage.surveys import counts
from engage.surveys.models import Answer, ConsultationResponse
from engage.surveys.responses import record_one_answer
from engage.transactions import atomic
from engage.workshops import logger
from engage.workshops.models import PaperSheet, WorkshopRound

Pairs = list[tuple[int, int, Outcome]]


def _record_hands(round_: WorkshopRound, hands: Mapping[str, int | None], keys) -> PaperSheet:
    """A show of hands: one paper response per raised hand, each holding that answer."""
    counts = {value: int(n or 0) for value, n in hands.items()}
    if not any(counts.values()):
        raise StateError("Enter how many hands went up for at least one answer")
    responses = [
        record_one_answer(
            round_.asked_question,
            value,
            idempotency_key=next(keys),
            channel=Channel.PAPER,
            workshop_session_id=round_.session_id,
        ).id
        for value, n in counts.items()
        for _hand in range(n)
    ]
    return PaperSheet(
        round_id=round_.id, payload=json.dumps({"hands": counts}), response_ids=json.dumps(responses)
    )


def _row_keys(sheet_key: str):
    """The idempotency keys of a sheet's rows: HMACs made from the sheet's own key (engage.idempotency), so
    nothing about them can be guessed or sent by anyone else."""
    number = 0
    while True:
        yield server_key("workshop-paper-row", sheet_key, number)
        number += 1


def _record(
    round_: WorkshopRound,
    pairs: Pairs | None,
    values: Mapping[int, int | None] | None,
    hands: Mapping[str, int | None] | None = None,
    sheet_key: str | None = None,
) -> PaperSheet:
    """Record one sheet's rows (through the exercise's or consultation's own rules) and the sheet."""
    token = secrets.token_urlsafe(32)
    keys = _row_keys(sheet_key or secrets.token_hex(32))
    if round_.question is not None:
        return _record_hands(round_, hands or {}, keys)
    if round_.voting_exercise.kind is ExerciseKind.PAIRWISE:
        if not pairs:
            raise StateError("Choose at least one answer from the sheet")
        votes = [
            voting.record_pairwise_vote(
                round_.voting_exercise,
                token,
                left_item_id=left,
                right_item_id=right,
                outcome=outcome,
                idempotency_key=next(keys),
                channel=Channel.PAPER,
                workshop_session_id=round_.session_id,
            ).vote.id
            for left, right, outcome in pairs
        ]
        payload = {"pairs": [[left, right, outcome.value] for left, right, outcome in pairs]}
        return PaperSheet(round_id=round_.id, payload=json.dumps(payload), vote_ids=json.dumps(votes))
    receipt = submitting.record_submission(
        round_.voting_exercise,
        token,
        dict(values or {}),
        idempotency_key=next(keys),
        channel=Channel.PAPER,
        workshop_session_id=round_.session_id,
    )
    entered = {"values": {str(k): v for k, v in (values or {}).items()}}
    return PaperSheet(round_id=round_.id, payload=json.dumps(entered), submission_id=receipt.submission_id)


def sheet_key(round_: WorkshopRound, user: User, form_key: str) -> str:
    """What is stored for the key of the form a sheet was typed into: an HMAC of the round, the person
    typing and the form's key, so only the same person's same form finds the sheet again."""
    return server_key("workshop-paper-sheet", round_.id, user.id, form_key)


def _sheet_with_key(round_: WorkshopRound, key: str) -> PaperSheet | None:
    return db.session.scalar(
        select(PaperSheet).where(PaperSheet.round_id == round_.id, PaperSheet.sheet_key == key)
    )


def enter_sheet(
    round_: WorkshopRound,
    user: User,
    pairs: Pairs | None = None,
    values=None,
    hands=None,
    form_key: str | None = None,
) -> PaperSheet:
    """Type in one sheet, for any round of the session (while it runs or after; after the end too): its
    rows and the sheet, all or nothing. The same form sent again (``form_key``) returns the sheet it stored
    the first time and stores nothing more, even when both arrive at once. A sheet whose 11th pair is
    refused (the per-person cap) leaves none of its votes behind, so typing it again never counts twice."""
    key = sheet_key(round_, user, form_key) if form_key else None
    if key is not None and (found := _sheet_with_key(round_, key)) is not None:
        return found
    try:
        with atomic():
            sheet = _record(round_, pairs, values, hands, key)
            sheet.entered_by_id = user.id
            sheet.sheet_key = key
            db.session.add(sheet)
            db.session.flush()
    except IntegrityError:
        # The same form, sent twice at once: the other request stored it (its rows are undone with ours).
        found = _sheet_with_key(round_, key) if key is not None else None
        if found is None:
            raise
        return found
    return sheet


def _remove_rows(sheet: PaperSheet) -> None:
    """Delete the sheet's votes, submission or responses. Their child rows are deleted by name rather than
    left to the database's cascade, so the session forgets them too: SQLite hands a deleted row's id to the
    next row inserted, and the replacement's rows are inserted next."""
    vote_ids = json.loads(sheet.vote_ids or "[]")
    exercise_ids = set(
        db.session.scalars(select(PairwiseVote.exercise_id).where(PairwiseVote.id.in_(vote_ids)))
    ) | set(db.session.scalars(select(Submission.exercise_id).where(Submission.id == sheet.submission_id)))
    for exercise_id in exercise_ids:  # their replacements may be given these rows' ids (SQLite)
        forget("exercise", exercise_id)
    if vote_ids:
        voters = db.session.execute(
            select(PairwiseVote.exercise_id, PairwiseVote.respondent_id)
            .where(PairwiseVote.id.in_(vote_ids))
            .distinct()
        ).all()
        db.session.execute(delete(PairwiseVote).where(PairwiseVote.id.in_(vote_ids)))
        for exercise_id, respondent_id in voters:  # the per-person cap counts what is left
            voting.recount_choices(exercise_id, [respondent_id])
    if sheet.submission_id is not None:
        db.session.execute(
            delete(SubmissionEntry).where(SubmissionEntry.submission_id == sheet.submission_id)
        )
        db.session.execute(delete(Submission).where(Submission.id == sheet.submission_id))
    response_ids = json.loads(sheet.response_ids or "[]")
    if response_ids:
        responses = db.session.scalars(
            select(ConsultationResponse).where(ConsultationResponse.id.in_(response_ids))
        ).all()
        for consultation in {response.consultation for response in responses}:
            counts.remove(consultation, [r.id for r in responses if r.consultation_id == consultation.id])
        db.session.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
        db.session.execute(delete(ConsultationResponse).where(ConsultationResponse.id.in_(response_ids)))
    sheet.vote_ids = sheet.response_ids = "[]"
    sheet.submission_id = None


def correct_sheet(
    sheet: PaperSheet,
    user: User,
    reason: str,
    pairs: Pairs | None = None,
    values=None,
    hands=None,
) -> PaperSheet:
    """Replace a sheet typed in wrongly, all or nothing: the old sheet's rows are removed, the new answers
    checked and recorded, the derived pair counts rebuilt; the old sheet keeps what it said, who corrected
    it, when and why. A refused correction leaves the old sheet and its rows as they were."""
    if not sheet.is_current:
        raise StateError("This sheet has already been corrected.")
    if not reason.strip():
        raise StateError("Say why the sheet is being corrected")
    round_ = sheet.round
    exercise = round_.exercise
    pairwise = exercise is not None and exercise.kind is ExerciseKind.PAIRWISE
    with atomic():
        if pairwise:  # before the sheet's respondents' rows are written (see hold_pair_counts)
            hold_pair_counts()
        _remove_rows(sheet)
        replacement = _record(round_, pairs, values, hands)
        replacement.entered_by_id = user.id
        db.session.add(replacement)
        db.session.flush()
        sheet.replaced_by_id = replacement.id
        sheet.corrected_by_id = user.id
        sheet.corrected_at = utcnow()
        sheet.correction_reason = reason.strip()
        if exercise is not None and pairwise:
            rebuild_counts(exercise)
    logger.info("paper sheet %s corrected as %s by user %s", sheet.id, replacement.id, user.id)
    return replacement


def sheet_counts(session) -> dict[int, int]:
    """{round id: sheets that count (corrected ones replaced)} for the session's rounds."""
    rows = db.session.execute(
        select(PaperSheet.round_id, func.count())
        .join(WorkshopRound, WorkshopRound.id == PaperSheet.round_id)
        .where(WorkshopRound.session_id == session.id, PaperSheet.replaced_by_id.is_(None))
        .group_by(PaperSheet.round_id)
    ).all()
    return {round_id: int(count) for round_id, count in rows}


def sheets_for(round_: WorkshopRound) -> list[PaperSheet]:
    return list(
        db.session.scalars(select(PaperSheet).where(PaperSheet.round_id == round_.id).order_by(PaperSheet.id))
    )
