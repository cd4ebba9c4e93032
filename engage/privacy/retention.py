"""Delete personal data whose retention period has ended. Safe to run every day: it only ever deletes what
is past its date, all of it or (when anything fails) none of it, and a second run the same day finds nothing.

What is kept, why and for how long is in docs/privacy.md; the periods are settings (engage/config.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast as typed

from flask import current_app
from sqlalchemy import CursorResult, String, cast, delete, literal, select, update

from engage.database import utcnow
from engage.extensions import db
from engage.prioritise.models import (
    Comment,
    Respondent,
    RespondentProfile,
    Suggestion,
    SuggestionStatus,
    UndoneVote,
)
from engage.surveys import counts
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    Question,
    QuestionKind,
    ResponseDraft,
)
from engage.workshops.models import Participant, WorkshopSession


@dataclass
class RetentionReport:
    """How many of each kind of record were (or, on a dry run, would be) deleted or cleared."""

    workshop_names: int = 0
    exercise_equality_answers: int = 0
    consultation_equality_answers: int = 0
    consultation_drafts: int = 0
    respondent_addresses: int = 0
    consultation_free_text: int = 0
    consultation_references: int = 0
    exercise_comments: int = 0
    exercise_suggestions: int = 0
    undone_vote_keys: int = 0

    @property
    def total(self) -> int:
        return (
            self.workshop_names
            + self.exercise_equality_answers
            + self.consultation_equality_answers
            + self.consultation_drafts
            + self.respondent_addresses
            + self.consultation_free_text
            + self.consultation_references
            + self.exercise_comments
            + self.exercise_suggestions
            + self.undone_vote_keys
        )


#: What a response's reference becomes once its retention period is over: not a secret any more, so it
#: deletes nothing and ties nothing to anyone (unique, as the column must be).
SPENT_REFERENCE = "spent-"

#: Question kinds whose answer is what the resident wrote (an "Other" answer of a single choice too).
WRITTEN = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


def apply_retention(today: date | None = None, now: datetime | None = None, dry_run: bool = False):
    """Delete what is past its retention date; return the counts. Nothing is written on a dry run."""
    now = now or utcnow()
    today = today or now.date()
    config = current_app.config
    name_cutoff = today - timedelta(days=config["ENGAGE_WORKSHOP_NAME_DAYS"])
    answer_cutoff = now - timedelta(days=config["ENGAGE_EQUALITY_ANSWER_DAYS"])
    draft_cutoff = now - timedelta(days=config["ENGAGE_DRAFT_DAYS"])
    address_cutoff = now - timedelta(days=config["ENGAGE_ADDRESS_DAYS"])
    text_cutoff = now - timedelta(days=config["ENGAGE_FREE_TEXT_DAYS"])
    # An undone vote's key only has to outlive the pair's offer: a copy of the vote sent later is refused
    # as an expired offer anyway (voting.check_offer), and the offer was made before the undo.
    undone_cutoff = now - timedelta(seconds=config["ENGAGE_PAIR_OFFER_MAX_AGE"])

    old_sessions = select(WorkshopSession.id).where(WorkshopSession.held_on < name_cutoff)
    old_respondents = select(Respondent.id).where(Respondent.created_at < answer_cutoff)
    past_consultations = select(Consultation.id).where(Consultation.retain_until < today)
    # Free text and references go at the consultation's retention date, or ENGAGE_FREE_TEXT_DAYS after
    # the response when the consultation has none.
    undated = select(Consultation.id).where(Consultation.retain_until.is_(None))
    spent_responses = select(ConsultationResponse.id).where(
        ConsultationResponse.consultation_id.in_(past_consultations)
        | (
            ConsultationResponse.consultation_id.in_(undated)
            & (ConsultationResponse.submitted_at < text_cutoff)
        )
    )
    # Equality answers go at the consultation's retention date, or ENGAGE_EQUALITY_ANSWER_DAYS after the
    # response when the consultation has none (as an exercise's do after taking part).
    profiled_responses = select(ConsultationResponse.id).where(
        ConsultationResponse.consultation_id.in_(past_consultations)
        | (
            ConsultationResponse.consultation_id.in_(undated)
            & (ConsultationResponse.submitted_at < answer_cutoff)
        )
    )
    written_questions = select(Question.id).where(Question.kind.in_(WRITTEN))
    other_questions = select(Question.id).where(Question.kind == QuestionKind.SINGLE)
    statements = {
        "workshop_names": update(Participant)
        .where(Participant.session_id.in_(old_sessions), Participant.label != "")
        .values(label=""),
        "exercise_equality_answers": delete(RespondentProfile).where(
            RespondentProfile.respondent_id.in_(old_respondents)
        ),
        "consultation_equality_answers": delete(ConsultationProfile).where(
            ConsultationProfile.response_id.in_(profiled_responses)
        ),
        "respondent_addresses": update(Respondent)
        .where(Respondent.created_at < address_cutoff, Respondent.address_hash.is_not(None))
        .values(address_hash=None),
        "consultation_drafts": delete(ResponseDraft).where(
            (ResponseDraft.updated_at < draft_cutoff) | ResponseDraft.consultation_id.in_(past_consultations)
        ),
        "consultation_free_text": update(Answer)
        .where(
            Answer.response_id.in_(spent_responses),
            Answer.text != "",
            Answer.question_id.in_(written_questions)
            | (Answer.question_id.in_(other_questions) & Answer.option_id.is_(None)),
        )
        .values(text=""),
        "consultation_references": update(ConsultationResponse)
        .where(
            ConsultationResponse.id.in_(spent_responses),
            ConsultationResponse.reference.not_like(SPENT_REFERENCE + "%"),
        )
        .values(reference=literal(SPENT_REFERENCE) + cast(ConsultationResponse.id, String)),
        "exercise_comments": delete(Comment).where(Comment.created_at < text_cutoff),
        "exercise_suggestions": update(Suggestion)
        .where(
            Suggestion.created_at < text_cutoff,
            Suggestion.status != SuggestionStatus.PENDING,
            Suggestion.text != "",
        )
        .values(text=""),
        "undone_vote_keys": delete(UndoneVote).where(UndoneVote.undone_at < undone_cutoff),
    }
    # Their equality answers go, so their counts' cells go too, in the same transaction: the counts of
    # their consultations are rebuilt from the rows once the answers are deleted. (Left to the next read of
    # the results, a closed consultation that no one reads kept counts per equality cell that the deleted
    # answers made.)
    recounted = (
        select(ConsultationResponse.consultation_id)
        .where(
            ConsultationResponse.id.in_(
                select(ConsultationProfile.response_id).where(
                    ConsultationProfile.response_id.in_(profiled_responses)
                )
            )
        )
        .distinct()
    )
    report = RetentionReport()
    # A savepoint, so that a dry run can undo exactly its own statements; a real run is kept or undone
    # with the rest of its unit of work (the command's, which also records it in the audit log).
    with db.session.begin_nested() as savepoint:
        consultation_ids = db.session.scalars(recounted).all()
        for name, statement in statements.items():
            setattr(
                report,
                name,
                typed(
                    CursorResult,
                    db.session.execute(statement, execution_options={"synchronize_session": False}),
                ).rowcount,
            )
        for consultation in db.session.scalars(
            select(Consultation).where(Consultation.id.in_(consultation_ids))
        ):
            counts.rebuild(consultation)
        if dry_run:
            savepoint.rollback()
    return report
