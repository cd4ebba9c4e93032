"""The retention command deletes personal data past its date, keeps everything else, and is safe to rerun."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.extensions import db
from engage.prioritise.models import Respondent, RespondentProfile, UndoneVote
from engage.privacy.retention import apply_retention
from engage.surveys.models import ConsultationProfile, ConsultationResponse, ResponseDraft
from engage.workshops import service as workshops
from engage.workshops.models import Participant

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def personal_data(hwb, make_user, make_exercise, make_consultation):
    facilitator = make_user(Role.FACILITATOR)
    old = workshops.create_session(hwb, facilitator, "Spring workshop", date(2026, 3, 1), "Library")
    recent = workshops.create_session(hwb, facilitator, "Autumn workshop", date(2026, 11, 20), "Library")
    workshops.join(old, "token-a", "Asha")
    workshops.join(recent, "token-b", "Table 3")

    exercise = make_exercise()
    for token, created in [("old", NOW - timedelta(days=800)), ("new", NOW - timedelta(days=10))]:
        respondent = Respondent(exercise_id=exercise.id, token_hash=token, created_at=created)
        db.session.add(respondent)
        db.session.flush()
        db.session.add(RespondentProfile(respondent_id=respondent.id, dimension="age_band", category="25-34"))

    past, current = make_consultation(), make_consultation()
    past.retain_until, current.retain_until = date(2026, 11, 1), date(2027, 6, 30)
    for number, consultation in enumerate((past, current)):
        response = ConsultationResponse(
            consultation_id=consultation.id, reference=f"REF-{number}", idempotency_key=f"key-{number}"
        )
        db.session.add(response)
        db.session.flush()
        db.session.add(ConsultationProfile(response_id=response.id, dimension="sex", category="female"))
    for consultation, token, days in [(current, "stale", 45), (current, "fresh", 2), (past, "closed", 2)]:
        updated = NOW - timedelta(days=days)
        db.session.add(ResponseDraft(consultation_id=consultation.id, token_hash=token, updated_at=updated))
    db.session.commit()
    return {"recent_session": recent}


def test_what_is_past_its_date_goes_and_the_rest_stays(personal_data):
    report = apply_retention(now=NOW)
    assert (report.workshop_names, report.exercise_equality_answers) == (1, 1)
    assert (report.consultation_equality_answers, report.consultation_drafts) == (1, 2)
    labels = db.session.scalars(select(Participant.label).order_by(Participant.id)).all()
    assert labels == ["", "Table 3"]  # the spring workshop's name is gone, the person's vote rows stay
    assert count(Participant) == 2
    assert count(RespondentProfile) == 1 and count(Respondent) == 2
    assert count(ConsultationProfile) == 1 and count(ConsultationResponse) == 2  # answers are kept
    assert db.session.scalars(select(ResponseDraft.token_hash)).all() == ["fresh"]


def test_running_it_again_the_same_day_deletes_nothing(personal_data):
    apply_retention(now=NOW)
    assert apply_retention(now=NOW).total == 0


def test_a_dry_run_counts_but_deletes_nothing(personal_data):
    assert apply_retention(now=NOW, dry_run=True).total == 6  # with the past response's reference
    assert count(RespondentProfile) == 2 and count(ResponseDraft) == 3
    named = select(func.count()).select_from(Participant).where(Participant.label != "")
    assert db.session.scalar(named) == 2


def test_the_command_says_what_it_deleted(runner, personal_data):
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0
    assert "Would delete: " in result.output and "unsent consultation drafts" in result.output


def test_undated_consultations_lose_their_equality_answers_after_the_period(make_consultation):
    """Without a retention date the officer set, equality answers went nowhere: kept for ever. Now they go
    ENGAGE_EQUALITY_ANSWER_DAYS after the response, as an exercise's go after taking part."""
    undated = make_consultation()
    undated.retain_until = None
    for reference, days in [("OLD", 800), ("NEW", 10)]:
        response = ConsultationResponse(
            consultation_id=undated.id,
            reference=reference,
            idempotency_key=reference,
            submitted_at=NOW - timedelta(days=days),
        )
        db.session.add(response)
        db.session.flush()
        db.session.add(ConsultationProfile(response_id=response.id, dimension="sex", category="female"))
    db.session.commit()

    assert apply_retention(now=NOW).consultation_equality_answers == 1
    kept = db.session.scalars(
        select(ConsultationResponse.reference).join(ConsultationProfile).order_by(ConsultationResponse.id)
    ).all()
    assert kept == ["NEW"]
    assert count(ConsultationResponse) == 2  # the answers themselves stay


def test_keys_of_votes_taken_back_go_once_their_pair_offer_would_have_expired(app, make_exercise):
    """An undone vote's key stops a late copy of that vote being stored again; after the pair's offer has
    expired (ENGAGE_PAIR_OFFER_MAX_AGE, 12 hours) a copy is refused anyway, so the key goes."""
    exercise = make_exercise()
    for key, hours in [("old", 13), ("new", 11)]:
        undone_at = NOW - timedelta(hours=hours)
        db.session.add(UndoneVote(exercise_id=exercise.id, idempotency_key=key, undone_at=undone_at))
    db.session.commit()
    assert app.config["ENGAGE_PAIR_OFFER_MAX_AGE"] == 12 * 60 * 60
    assert apply_retention(now=NOW).undone_vote_keys == 1
    assert db.session.scalars(select(UndoneVote.idempotency_key)).all() == ["new"]


def test_the_privacy_notice_states_each_period_retention_applies(client, app):
    app.config.update(ENGAGE_DRAFT_DAYS=14, ENGAGE_ADDRESS_DAYS=1)
    page = client.get("/privacy").get_data(as_text=True)
    assert "How long we keep what you tell us" in page
    assert "answers you save to finish later: 14 days after you last save them" in page
    assert "internet address" in page and ": 1 day</li>" in page
    assert "answers to questions about you: 730 days" in page
    assert "names given at a workshop: 30 days after the workshop" in page
