"""Data-protection commands are all or nothing with their audit record: a deletion that cannot be recorded in
the audit log does not happen (a controller must be able to show what was deleted, when and by whom).

Both tests fail on the code before "one transaction per action", which committed the deletions before the
audit record was written.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.accounts.models import Role
from engage.audit import service as audit
from engage.database import utcnow
from engage.extensions import db
from engage.surveys.models import Answer, ConsultationProfile, ConsultationResponse, ResponseDraft
from engage.workshops import service as workshops
from engage.workshops.models import Participant
from tests.all_or_nothing import count


@pytest.fixture
def audit_log_refuses(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("the audit log cannot be written")

    return lambda: monkeypatch.setattr(audit, "record", refuse)


def test_a_retention_run_is_kept_only_with_its_audit_record(
    runner, hwb, make_user, make_consultation, audit_log_refuses, monkeypatch
):
    old = workshops.create_session(
        hwb, make_user(Role.FACILITATOR), "Spring", (utcnow() - timedelta(days=60)).date(), "Library"
    )
    workshops.join(old, "token-a", "Asha")
    stale = utcnow() - timedelta(days=45)
    db.session.add(ResponseDraft(consultation_id=make_consultation().id, token_hash="t", updated_at=stale))
    db.session.commit()
    audit_log_refuses()

    result = runner.invoke(args=["retention"])

    assert result.exit_code == 1 and "the audit log cannot be written" in str(result.exception)
    db.session.expire_all()
    assert count(ResponseDraft) == 1
    assert db.session.scalars(select(Participant.label)).all() == ["Asha"]

    monkeypatch.undo()
    assert runner.invoke(args=["retention"]).exit_code == 0
    assert count(ResponseDraft) == 0 and db.session.scalars(select(Participant.label)).all() == [""]


def test_a_deletion_by_reference_is_kept_only_with_its_audit_record(
    runner, make_consultation, audit_log_refuses
):
    consultation = make_consultation()
    question = consultation.sections[0].questions[0]
    response = ConsultationResponse(
        consultation_id=consultation.id, reference="K7QD-3MWX", idempotency_key="k"
    )
    response.answers = [Answer(question_id=question.id, option_id=question.options[1].id)]
    db.session.add(response)
    db.session.flush()
    db.session.add(ConsultationProfile(response_id=response.id, dimension="age_band", category="35-44"))
    db.session.commit()
    audit_log_refuses()

    result = runner.invoke(args=["delete-response", "--yes", "K7QD-3MWX"])

    assert result.exit_code == 1
    db.session.expire_all()
    assert (count(ConsultationResponse), count(Answer), count(ConsultationProfile)) == (1, 1, 1)
