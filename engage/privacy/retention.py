"""Delete personal data whose retention period has ended. Safe to run every day: it only ever deletes what
is past its date, all of it or (when anything fails) none of it, and a second run the same day finds nothing.

What is kept, why and for how long is in docs/privacy.md; the periods are settings (engage/config.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from engage.database import utcnow
from engage.extensions import db
from engage.prioritise.models import Respondent, RespondentProfile
from engage.surveys.models import Consultation, ConsultationProfile, ConsultationResponse, ResponseDraft
from engage.workshops.models import Participant, WorkshopSession


@dataclass
class RetentionReport:
    """How many of each kind of record were (or, on a dry run, would be) deleted or cleared."""

    workshop_names: int = 0
    exercise_equality_answers: int = 0
    consultation_equality_answers: int = 0
    consultation_drafts: int = 0
    respondent_addresses: int = 0

    @property
    def total(self) -> int:
        return (
            self.workshop_names
            + self.exercise_equality_answers
            + self.consultation_equality_answers
            + self.consultation_drafts
            + self.respondent_addresses
        )


def apply_retention(today: date | None = None, now: datetime | None = None, dry_run: bool = False):
    """Delete what is past its retention date; return the counts. Nothing is written on a dry run."""
    now = now or utcnow()
    today = today or now.date()
    config = current_app.config
    name_cutoff = today - timedelta(days=config["ENGAGE_WORKSHOP_NAME_DAYS"])
    answer_cutoff = now - timedelta(days=config["ENGAGE_EQUALITY_ANSWER_DAYS"])
    draft_cutoff = now - timedelta(days=config["ENGAGE_DRAFT_DAYS"])
    address_cutoff = now - timedelta(days=config["ENGAGE_ADDRESS_DAYS"])

    old_sessions = select(WorkshopSession.id).where(WorkshopSession.held_on < name_cutoff)
    old_respondents = select(Respondent.id).where(Respondent.created_at < answer_cutoff)
    past_consultations = select(Consultation.id).where(Consultation.retain_until < today)
    past_responses = select(ConsultationResponse.id).where(
        ConsultationResponse.consultation_id.in_(past_consultations)
    )
    statements = {
        "workshop_names": update(Participant)
        .where(Participant.session_id.in_(old_sessions), Participant.label != "")
        .values(label=""),
        "exercise_equality_answers": delete(RespondentProfile).where(
            RespondentProfile.respondent_id.in_(old_respondents)
        ),
        "consultation_equality_answers": delete(ConsultationProfile).where(
            ConsultationProfile.response_id.in_(past_responses)
        ),
        "respondent_addresses": update(Respondent)
        .where(Respondent.created_at < address_cutoff, Respondent.address_hash.is_not(None))
        .values(address_hash=None),
        "consultation_drafts": delete(ResponseDraft).where(
            (ResponseDraft.updated_at < draft_cutoff) | ResponseDraft.consultation_id.in_(past_consultations)
        ),
    }
    # Their equality answers go, so their counts' cells do too: rebuilt when next read.
    recount = (
        update(Consultation)
        .where(
            Consultation.id.in_(
                select(ConsultationResponse.consultation_id).where(
                    ConsultationResponse.id.in_(
                        select(ConsultationProfile.response_id).where(
                            ConsultationProfile.response_id.in_(past_responses)
                        )
                    )
                )
            )
        )
        .values(counted_basis=None)
    )
    report = RetentionReport()
    # A savepoint, so that a dry run can undo exactly its own statements; a real run is kept or undone
    # with the rest of its unit of work (the command's, which also records it in the audit log).
    with db.session.begin_nested() as savepoint:
        db.session.execute(recount, execution_options={"synchronize_session": False})
        for name, statement in statements.items():
            setattr(
                report,
                name,
                db.session.execute(statement, execution_options={"synchronize_session": False}).rowcount,
            )
        if dry_run:
            savepoint.rollback()
    return report
