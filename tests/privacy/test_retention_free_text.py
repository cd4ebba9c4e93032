"""Issue 18: retention never deleted what residents wrote, nor the references that delete responses. Now
written answers, "Other" answers, exercise comments and moderated suggestions' text are blanked, and
references spent, at the consultation's retention date (or ENGAGE_FREE_TEXT_DAYS when there is none)."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.models import Comment, Respondent, Suggestion, SuggestionStatus
from engage.privacy.retention import apply_retention
from engage.surveys.models import Answer, ConsultationResponse, QuestionKind

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _respond(consultation, reference, when, texts):
    response = ConsultationResponse(
        consultation_id=consultation.id, reference=reference, idempotency_key=reference, submitted_at=when
    )
    db.session.add(response)
    db.session.flush()
    for question, text, option in texts:
        db.session.add(Answer(response_id=response.id, question_id=question.id, text=text, option_id=option))
    return response


def _by_kind(consultation, kind):
    return next(q for q in consultation.questions if q.kind is kind)


def test_written_answers_comments_suggestions_and_references_go_after_their_period(
    make_consultation, make_exercise
):
    past, current, undated = make_consultation(), make_consultation(), make_consultation()
    past.retain_until, current.retain_until, undated.retain_until = date(2026, 11, 1), date(2027, 6, 30), None
    for consultation, reference, days in [
        (past, "PAST-1", 10),
        (current, "KEEP-1", 10),
        (undated, "OLD-1", 800),
    ]:
        single = _by_kind(consultation, QuestionKind.SINGLE)
        agreement = _by_kind(consultation, QuestionKind.AGREEMENT)
        _respond(
            consultation,
            reference,
            NOW - timedelta(days=days),
            [
                (
                    _by_kind(consultation, QuestionKind.LONG_TEXT),
                    "My neighbour at 4 Elm Road needs help",
                    None,
                ),
                (_by_kind(consultation, QuestionKind.SHORT_TEXT), "Aldermoor", None),
                (single, "My GP, Dr Patel", None),  # an "Other" answer
                (single, None, single.options[0].id),
                (agreement, "agree", None),  # a code, not what they wrote
            ],
        )
    exercise = make_exercise()
    respondent = Respondent(exercise_id=exercise.id, token_hash="t", created_at=NOW - timedelta(days=800))
    db.session.add(respondent)
    db.session.flush()
    for days in (800, 10):
        created = NOW - timedelta(days=days)
        db.session.add(
            Comment(
                exercise_id=exercise.id, respondent_id=respondent.id, text="I am a carer", created_at=created
            )
        )
        for status in (SuggestionStatus.REJECTED, SuggestionStatus.PENDING):
            db.session.add(
                Suggestion(exercise_id=exercise.id, text="Fix my street", status=status, created_at=created)
            )
    db.session.commit()

    report = apply_retention(now=NOW)
    assert (report.consultation_free_text, report.consultation_references) == (6, 2)
    assert (report.exercise_comments, report.exercise_suggestions) == (1, 1)
    texts = {
        ref: sorted(
            t or ""
            for t in db.session.scalars(
                select(Answer.text)
                .join(ConsultationResponse)
                .where(ConsultationResponse.consultation_id == c.id)
            )
        )
        for ref, c in [("past", past), ("current", current), ("undated", undated)]
    }
    assert texts["past"] == texts["undated"] == ["", "", "", "", "agree"]
    assert "My GP, Dr Patel" in texts["current"] and "Aldermoor" in texts["current"]
    references = set(db.session.scalars(select(ConsultationResponse.reference)))
    assert "KEEP-1" in references and not references & {"PAST-1", "OLD-1"}
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
    kept = db.session.scalars(select(Suggestion.text).order_by(Suggestion.id)).all()
    assert kept == ["", "Fix my street", "Fix my street", "Fix my street"]
    assert apply_retention(now=NOW).total == 0  # a second run finds nothing


def test_the_consultation_form_promises_only_what_retention_does(client, officer, hwb):
    from tests.conftest import sign_in

    sign_in(client, officer)
    html = client.get(f"/manage/boards/{hwb.slug}/consultations/new").get_data(as_text=True)
    assert "Any email address a resident gives is deleted" not in html  # none is ever stored
    assert "written answers and response reference numbers are deleted" in html
    assert "Email addresses are never stored." in html
