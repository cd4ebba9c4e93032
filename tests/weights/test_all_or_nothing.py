"""Weight sets are changed all or nothing: a step that fails part-way leaves nothing of the action behind.

Each test fails on the code before "one transaction per action": the service's writes stayed in the
request's session when a later step raised, and the request committed them.
"""

from engage.audit import service as audit
from engage.extensions import db
from engage.service_errors import StateError
from engage.weights import service, sign_off
from engage.weights.models import SignOff, SignOffOutcome, WeightEntry, WeightSet, WeightSetStatus
from engage.weights.versions import current_weight_set, is_superseded
from tests.all_or_nothing import count, errors_as_in_production
from tests.conftest import sign_in
from tests.factories_weights import confirmation, councillor_for, publish_weights


def refused_on_call(monkeypatch, name: str, number: int, message: str) -> list[dict]:
    """Make the service's ``name`` model refuse (StateError) the ``number``-th object it is asked to make."""
    real = getattr(service, name)
    made: list[dict] = []

    def make(**fields):
        if len(made) == number - 1:
            raise StateError(message)
        made.append(fields)
        return real(**fields)

    monkeypatch.setattr(service, name, make)
    return made


def test_an_approval_failing_while_freezing_its_entries_decides_and_publishes_nothing(
    client, make_weight_set, analyst, monkeypatch
):
    current = make_weight_set()
    publish_weights(current, analyst)
    draft = make_weight_set()
    submitted = sign_off.submit(draft, analyst)
    councillor = councillor_for(draft.board)
    db.session.commit()
    frozen = refused_on_call(monkeypatch, "WeightEntry", 3, "The third entry could not be frozen.")
    sign_in(client, councillor)
    approval = {"minute_reference": "Minute 9", "fingerprint": confirmation(draft)["fingerprint"]}

    response = client.post(
        f"/manage/weights/{draft.id}/sign-off/approve", data=approval, follow_redirects=True
    )

    assert "The third entry could not be frozen." in response.get_data(as_text=True)
    assert len(frozen) == 2  # two entries were made before the step failed
    db.session.expire_all()
    draft = db.session.get(WeightSet, draft.id)
    assert draft.status is WeightSetStatus.DRAFT and draft.version is None
    assert draft.published_by is None and draft.published_at is None
    assert draft.parameters == "" and draft.method_statement == ""
    assert all(source.respondents is None and source.snapshot == "" for source in draft.sources)
    assert count(WeightEntry, WeightEntry.weight_set_id == draft.id) == 0
    # No decision was recorded: the submission is still waiting, and version 1 is still current.
    waiting = db.session.get(SignOff, submitted.id)
    assert waiting.outcome is SignOffOutcome.PENDING and waiting.decided_at is None
    assert waiting.minute_reference == "" and draft.standing is None
    assert current_weight_set(draft.board) == current and not is_superseded(current)

    monkeypatch.undo()
    client.post(f"/manage/weights/{draft.id}/sign-off/approve", data=approval)
    db.session.expire_all()
    assert db.session.get(WeightSet, draft.id).version == 2 and is_superseded(current)
    assert count(WeightEntry, WeightEntry.weight_set_id == draft.id) == 4
    assert db.session.get(SignOff, submitted.id).outcome is SignOffOutcome.APPROVED


def test_an_edit_of_a_draft_failing_part_way_keeps_the_draft_as_it_was(
    client, make_weight_set, analyst, board_with_answers, monkeypatch
):
    b = board_with_answers
    draft = make_weight_set()
    before = [(s.exercise_id, s.question_id, s.blend) for s in draft.sources]
    refused_on_call(monkeypatch, "WeightSource", 2, "The second source could not be stored.")
    sign_in(client, analyst)

    response = client.post(
        f"/manage/weights/{draft.id}/edit",
        data={
            f"blend_exercise_{b['pairwise'].id}": "",
            f"blend_exercise_{b['budget'].id}": "60",
            f"blend_question_{b['question'].id}": "40",
            "channels": ["online"],
        },
    )

    assert response.status_code == 400
    assert "The second source could not be stored." in response.get_data(as_text=True)
    db.session.expire_all()
    draft = db.session.get(WeightSet, draft.id)
    assert [(s.exercise_id, s.question_id, s.blend) for s in draft.sources] == before
    assert draft.channels == "online,workshop,paper"


def test_a_withdrawal_is_kept_only_with_its_audit_record(app, client, make_weight_set, analyst, monkeypatch):
    published = make_weight_set()
    publish_weights(published, analyst)
    db.session.commit()
    sign_in(client, analyst)  # signing in is audited too: before the audit log breaks
    errors_as_in_production(app)

    def audit_log_refuses(*args, **kwargs):
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr(audit, "record", audit_log_refuses)

    response = client.post(
        f"/manage/weights/{published.id}/withdraw", data={"reason": "Counted a test batch"}
    )

    assert response.status_code == 500
    db.session.expire_all()
    published = db.session.get(WeightSet, published.id)
    assert published.status is WeightSetStatus.PUBLISHED
    assert published.withdrawn_at is None and published.withdrawn_reason == ""
    assert current_weight_set(published.board) == published
