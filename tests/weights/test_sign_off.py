"""Partnership boards decide, networks advise: submitting for sign-off, approving, sending back, who may, and
what the exports, the API and the public pages say afterwards."""

from __future__ import annotations

import csv
import io
import json
import re
import threading

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engage.accounts.models import Role
from engage.audit.models import AuditEvent
from engage.boards import accountable
from engage.boards import service as boards
from engage.boards.models import AccountableMember, BoardKind
from engage.extensions import db
from engage.service_errors import FieldConflict, StateError
from engage.weights import service, sign_off
from engage.weights.models import SignOff, SignOffOutcome, WeightSet, WeightSetStatus, WeightStanding
from engage.weights.preview import compute_preview
from tests.conftest import sign_in
from tests.factories_weights import confirmation, councillor_for, publish_weights


@pytest.fixture
def submitted(make_weight_set, analyst):
    weight_set = make_weight_set()
    waiting = sign_off.submit(weight_set, analyst)
    db.session.commit()
    return waiting


def approval(weight_set, minute="Board meeting 3 March 2027, minute 4") -> dict[str, str]:
    return {"minute_reference": minute, "fingerprint": compute_preview(weight_set).fingerprint()}


def decisions() -> int:
    return db.session.scalar(
        select(func.count()).select_from(SignOff).where(SignOff.outcome == SignOffOutcome.APPROVED)
    )


# The service --------------------------------------------------------------------------------------------


def test_a_partnership_boards_weights_cannot_be_published_without_sign_off(make_weight_set, analyst):
    weight_set = make_weight_set()
    with pytest.raises(service.NeedsSignOff):
        service.publish(weight_set, analyst)
    assert weight_set.is_draft and weight_set.version is None


def test_approval_publishes_the_set_as_the_boards_decision(submitted):
    weight_set = submitted.weight_set
    councillor = councillor_for(weight_set.board)
    # Waiting: the draft cannot change and is not public.
    with pytest.raises(StateError, match="waiting for sign-off"):
        service.save_draft(weight_set.board, weight_set.created_by, {}, ["online"], False, weight_set)
    with pytest.raises(StateError, match="waiting for sign-off"):
        service.delete_draft(weight_set)
    assert weight_set.standing is None

    sign_off.approve(submitted, councillor, " Minute 12 ", "Agreed unanimously", None)

    assert weight_set.status is WeightSetStatus.PUBLISHED and weight_set.version == 1
    assert weight_set.standing is WeightStanding.DECIDED
    decision = weight_set.decision
    assert decision.decided_by == councillor and decision.decided_by_title == "Chair of the board"
    assert decision.decided_by_name == "Cllr Test Member" and decision.minute_reference == "Minute 12"
    assert decision.decided_at is not None and decision.comment == "Agreed unanimously"
    assert weight_set.published_by == weight_set.created_by  # the analyst who made it


def test_a_networks_weights_are_published_as_advisory_without_sign_off(make_weight_set, analyst):
    weight_set = make_weight_set()
    weight_set.board.kind = BoardKind.NETWORK
    with pytest.raises(StateError, match="network"):
        sign_off.submit(weight_set, analyst)
    service.publish(weight_set, analyst)
    assert weight_set.standing is WeightStanding.ADVISORY and weight_set.decision is None


@pytest.mark.parametrize("who", ["submitter", "admin", "officer", "other_board", "other_organisation"])
def test_only_the_boards_accountable_members_approve(
    submitted, who, analyst, make_user, make_board, make_organisation, council, officer
):
    board = submitted.weight_set.board
    if who == "submitter":
        person = analyst  # an analyst cannot approve their own submission
    elif who == "admin":
        person = make_user(Role.ADMIN, organisation=council)
    elif who == "officer":
        person = officer
    elif who == "other_board":  # the chair of another board the council sits on
        person = make_user(organisation=council)
        accountable.grant(make_board("Other", members=[council]), person, "Chair of the board", person)
    else:  # given the role for this board, then their organisation left it
        elsewhere = make_organisation("Elsewhere Housing")
        person = make_user(organisation=elsewhere)
        board.members.append(elsewhere)
        accountable.grant(board, person, "Chair of the board", person)
        board.members.remove(elsewhere)
    with pytest.raises(sign_off.NotAccountable):
        sign_off.approve(submitted, person, "Minute 1", "", None)
    with pytest.raises(sign_off.NotAccountable):
        sign_off.send_back(submitted, person, "No")
    assert submitted.outcome is SignOffOutcome.PENDING and submitted.weight_set.is_draft


def test_whoever_submitted_the_weights_never_signs_them_off_too(make_weight_set, analyst, make_user):
    """Four eyes: an analyst who is also the board's chair submits, and another member decides."""
    weight_set = make_weight_set()
    councillor = councillor_for(weight_set.board)
    analyst_chair = analyst
    accountable.grant(weight_set.board, analyst_chair, "Vice-chair of the board", analyst)
    waiting = sign_off.submit(weight_set, analyst_chair)
    with pytest.raises(StateError, match="another accountable member"):
        sign_off.approve(waiting, analyst_chair, "Minute 2", "", None)
    assert weight_set.is_draft and waiting.outcome is SignOffOutcome.PENDING
    sign_off.approve(waiting, councillor, "Minute 2", "", None)
    assert weight_set.standing is WeightStanding.DECIDED


def test_an_administrator_cannot_be_given_the_accountable_role(make_weight_set, make_user):
    from engage.accounts.models import Role
    from engage.service_errors import FieldConflict

    board = make_weight_set().board
    admin = make_user(Role.ADMIN, organisation=board.members[0])
    with pytest.raises(FieldConflict, match="administrator cannot be an accountable member"):
        accountable.grant(board, admin, "Chair of the board", admin)


def test_sending_back_needs_a_comment_and_lets_the_draft_change(submitted):
    councillor = councillor_for(submitted.weight_set.board)
    with pytest.raises(StateError, match="Say why"):
        sign_off.send_back(submitted, councillor, "  ")
    sign_off.send_back(submitted, councillor, "Leave the workshop answers out")
    weight_set = submitted.weight_set
    assert submitted.outcome is SignOffOutcome.SENT_BACK and weight_set.is_draft
    assert weight_set.last_sign_off.comment == "Leave the workshop answers out"
    service.save_draft(
        weight_set.board,
        weight_set.created_by,
        {service.source_key(s): s.blend for s in weight_set.sources},
        ["online", "paper"],
        False,
        weight_set,
    )
    again = sign_off.submit(weight_set, weight_set.created_by)
    assert again.outcome is SignOffOutcome.PENDING and len(weight_set.sign_offs) == 2


@pytest.mark.real_commits  # threads with their own connections
def test_two_accountable_members_approving_at_once_record_one_decision(
    app, make_weight_set, analyst, council, make_user
):
    weight_set = make_weight_set()
    waiting = sign_off.submit(weight_set, analyst)
    chair = councillor_for(weight_set.board)
    deputy = make_user(organisation=council)
    accountable.grant(weight_set.board, deputy, "Vice-chair of the board", deputy)
    db.session.commit()
    url = f"/manage/weights/{weight_set.id}/sign-off/approve"
    data = approval(weight_set)
    clients = [app.test_client(), app.test_client()]
    sign_in(clients[0], chair)
    sign_in(clients[1], deputy)
    start, statuses = threading.Barrier(2), []

    def send(client) -> None:
        start.wait()
        statuses.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    db.session.expire_all()
    assert decisions() == 1
    assert db.session.get(SignOff, waiting.id).outcome is SignOffOutcome.APPROVED
    assert (
        db.session.scalar(select(func.count()).select_from(WeightSet).where(WeightSet.version.is_not(None)))
        == 1
    )


def test_the_database_keeps_one_decision_and_one_waiting_submission_per_set(submitted):
    weight_set = submitted.weight_set
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(SignOff(weight_set_id=weight_set.id, fingerprint="x"))
    sign_off.approve(submitted, councillor_for(weight_set.board), "Minute 1", "", None)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            SignOff(
                weight_set_id=weight_set.id,
                fingerprint="x",
                outcome=SignOffOutcome.APPROVED,
                minute_reference="Minute 2",
            )
        )


def test_an_approval_without_a_minute_reference_is_refused(submitted):
    with pytest.raises(StateError, match="minute reference"):
        sign_off.approve(submitted, councillor_for(submitted.weight_set.board), " ", "", None)
    assert submitted.outcome is SignOffOutcome.PENDING


def test_changing_a_boards_kind_is_audited_and_keeps_what_was_published(make_weight_set, analyst, hwb):
    decided = make_weight_set()
    publish_weights(decided, analyst)

    def change(kind):
        boards.save_board(
            hwb,
            name=hwb.name,
            slug=hwb.slug,
            short_code=hwb.short_code,
            remit=hwb.remit,
            kind=kind,
            members=hwb.members,
        )

    change(BoardKind.NETWORK)
    advisory = make_weight_set()
    service.publish(advisory, analyst)
    change(BoardKind.PARTNERSHIP)
    db.session.expire_all()
    assert db.session.get(WeightSet, decided.id).standing is WeightStanding.DECIDED
    assert db.session.get(WeightSet, advisory.id).standing is WeightStanding.ADVISORY
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "board_kind_changed").order_by(AuditEvent.id)
    ).all()
    assert [e.detail for e in events] == ["partnership -> network", "network -> partnership"]


def test_a_submission_left_waiting_when_the_board_became_a_network(submitted, hwb, analyst):
    hwb.kind = BoardKind.NETWORK
    with pytest.raises(StateError, match="now a network"):
        sign_off.approve(submitted, councillor_for(hwb), "Minute 1", "", None)
    service.publish(submitted.weight_set, analyst)
    assert submitted.outcome is SignOffOutcome.WITHDRAWN
    assert submitted.weight_set.standing is WeightStanding.ADVISORY


def test_accountable_members_come_from_the_organisations_on_the_board(
    hwb, make_user, make_organisation, council
):
    outsider = make_user(organisation=make_organisation("Elsewhere Housing"))
    with pytest.raises(FieldConflict):
        accountable.grant(hwb, outsider, "Chair", outsider)
    member = make_user(organisation=council)
    accountable.grant(hwb, member, "Chair of the board", member)
    with pytest.raises(FieldConflict, match="already"):
        accountable.grant(hwb, member, "Chair of the board", member)
    assert [m.user for m in accountable.accountable_members(hwb)] == [member]
    assert accountable.is_accountable_member(member, hwb)
    member.active = False
    assert not accountable.is_accountable_member(member, hwb)


# Exports and the API ------------------------------------------------------------------------------------


def test_every_download_states_decided_with_the_decision_or_advisory(client, make_weight_set, analyst):
    decided = make_weight_set()
    publish_weights(decided, analyst)
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/boards/health-and-wellbeing/weights/1.csv").text)))
    assert {r["standing"] for r in rows} == {"decided"}
    assert {r["decided_by"] for r in rows} == {"Cllr Test Member (Chair of the board)"}
    assert {r["minute_reference"] for r in rows} == {"Minute 1"}
    document = json.loads(client.get("/boards/health-and-wellbeing/weights/1.json").text)
    assert document["standing"] == "decided"
    assert document["decision"]["decided_by_role"] == "Chair of the board"
    assert document["decision"]["minute_reference"] == "Minute 1"
    sheet = load_workbook(io.BytesIO(client.get("/boards/health-and-wellbeing/weights/1.xlsx").data))[
        "Method"
    ]
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["Standing"] == "decided" and cells["Minute reference"] == "Minute 1"
    page = client.get("/boards/health-and-wellbeing/weights/1").text
    assert "Decided" in page and "Minute 1" in page
    assert '<bdi lang="en">Cllr Test Member</bdi> (<bdi lang="en">Chair of the board</bdi>)' in page
    assert "Minute 1" in client.get("/boards/health-and-wellbeing").text

    decided.board.kind = BoardKind.NETWORK
    advisory = make_weight_set()
    service.publish(advisory, analyst)
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/boards/health-and-wellbeing/weights/2.csv").text)))
    assert {(r["standing"], r["decided_by"], r["minute_reference"]) for r in rows} == {("advisory", "", "")}
    document = json.loads(client.get("/boards/health-and-wellbeing/weights/2.json").text)
    assert document["standing"] == "advisory" and document["decision"] is None
    assert "Advisory" in client.get("/boards/health-and-wellbeing/weights/2").text


# The pages, per role ------------------------------------------------------------------------------------


def test_the_councillor_reads_what_they_sign_off_and_approves_it(client, submitted):
    weight_set = submitted.weight_set
    councillor = councillor_for(weight_set.board)
    db.session.commit()
    sign_in(client, councillor)
    page = client.get(f"/manage/weights/{weight_set.id}/sign-off").text
    assert "Weights to be published" in page  # the preview
    assert "How robust is the order?" in page  # the sensitivity view
    assert "How these weights were made" in page and "These weights blend 3 sources" in page
    assert "Approve and publish as the board" in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []  # two forms: each field its own id and label
    oversight = client.get("/manage/oversight").text
    assert "Waiting for sign-off" in oversight and f"/manage/weights/{weight_set.id}/sign-off" in oversight

    missing = client.post(f"/manage/weights/{weight_set.id}/sign-off/approve", data=approval(weight_set, ""))
    assert missing.status_code == 400 and "Enter the meeting or minute reference" in missing.text
    done = client.post(
        f"/manage/weights/{weight_set.id}/sign-off/approve", data=approval(weight_set), follow_redirects=True
    )
    assert "published as the board" in done.text
    again = client.post(f"/manage/weights/{weight_set.id}/sign-off/approve", data=approval(weight_set))
    assert again.status_code == 302
    db.session.expire_all()
    assert decisions() == 1 and db.session.get(WeightSet, weight_set.id).version == 1
    oversight = client.get("/manage/oversight").text
    assert "Nothing is waiting for sign-off." in oversight and "minute 4" in oversight


def test_a_councillor_approving_stale_weights_is_asked_to_read_them_again(client, submitted):
    weight_set = submitted.weight_set
    sign_in(client, councillor_for(weight_set.board))
    db.session.commit()
    response = client.post(
        f"/manage/weights/{weight_set.id}/sign-off/approve",
        data={"minute_reference": "Minute 1", "fingerprint": "not what is there now"},
    )
    assert response.status_code == 400 and "Read them again before approving" in response.text
    assert db.session.get(WeightSet, weight_set.id).is_draft


@pytest.mark.parametrize("who", ["analyst", "admin", "other_board_chair", "second_organisation"])
def test_others_can_read_but_not_approve_or_send_back(
    client, submitted, who, analyst, make_user, make_organisation, make_board, council
):
    weight_set = submitted.weight_set
    expected_read = 200
    if who == "analyst":
        person = analyst
    elif who == "admin":
        person = make_user(Role.ADMIN, organisation=council)
    elif who == "other_board_chair":
        elsewhere = make_organisation("Elsewhere Housing")
        person = make_user(organisation=elsewhere)
        accountable.grant(make_board("Other", members=[elsewhere]), person, "Chair", person)
        expected_read = 403
    else:
        person = make_user(Role.ANALYST, organisation=make_organisation("Second Council"))
        expected_read = 403
    db.session.commit()
    sign_in(client, person)
    page = client.get(f"/manage/weights/{weight_set.id}/sign-off")
    assert page.status_code == expected_read
    if expected_read == 200:
        assert "Only the board" in page.text and "Approve and publish" not in page.text
    url = f"/manage/weights/{weight_set.id}/sign-off"
    assert client.post(url + "/approve", data=approval(weight_set)).status_code == 403
    assert client.post(url + "/send-back", data={"reason": "No"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(SignOff, submitted.id).outcome is SignOffOutcome.PENDING
    oversight = client.get("/manage/oversight").status_code
    assert oversight == (200 if who in {"admin", "other_board_chair"} else 403)


def test_the_other_boards_chair_does_not_see_this_boards_decisions(
    client, submitted, make_user, make_board, council
):
    person = make_user(organisation=council)
    accountable.grant(make_board("Other", members=[council]), person, "Chair", person)
    db.session.commit()
    sign_in(client, person)
    assert "Nothing is waiting for sign-off." in client.get("/manage/oversight").text


def test_the_analyst_submits_sees_it_waiting_takes_it_back_and_reads_a_comment(
    client, make_weight_set, analyst
):
    weight_set = make_weight_set()
    sign_in(client, analyst)
    page = client.get(f"/manage/weights/{weight_set.id}").text
    assert "Check and submit for sign-off" in page
    confirm = client.get(f"/manage/weights/{weight_set.id}/publish").text
    assert "Check before submitting for sign-off" in confirm and "Submit for sign-off" in confirm
    done = client.post(
        f"/manage/weights/{weight_set.id}/publish", data=confirmation(weight_set), follow_redirects=True
    )
    assert "Submitted for sign-off" in done.text and "Waiting for sign-off" in done.text
    assert client.get(f"/manage/weights/{weight_set.id}/edit").status_code == 302
    assert (
        client.post(f"/manage/weights/{weight_set.id}/publish", data=confirmation(weight_set)).status_code
        == 302
    )
    assert db.session.scalar(select(func.count()).select_from(SignOff)) == 1
    assert (
        "/boards/health-and-wellbeing/weights/1"
        not in client.get("/boards/health-and-wellbeing/weights").text
    )
    taken = client.post(f"/manage/weights/{weight_set.id}/sign-off/take-back", follow_redirects=True)
    assert "Took the submission back" in taken.text
    db.session.expire_all()
    assert db.session.scalars(select(SignOff)).one().outcome is SignOffOutcome.WITHDRAWN

    again = sign_off.submit(db.session.get(WeightSet, weight_set.id), analyst)
    sign_off.send_back(again, councillor_for(weight_set.board), "Add the paper answers")
    db.session.commit()
    page = client.get(f"/manage/weights/{weight_set.id}").text
    assert "Sent back by Cllr Test Member (Chair of the board)" in page and "Add the paper answers" in page


def test_administrators_give_and_take_away_the_role(
    app, client, hwb, make_user, council, make_organisation, officer
):
    admin = make_user(Role.ADMIN, organisation=council)
    member = make_user(organisation=council)
    outsider = make_user(organisation=make_organisation("Elsewhere Housing"))
    db.session.commit()
    url = "/manage/boards/health-and-wellbeing/accountable-members"
    officers = app.test_client()
    sign_in(officers, officer)
    assert officers.get(url).status_code == 403
    assert officers.post(url, data={"user": member.id, "title": "Chair"}).status_code == 403
    sign_in(client, admin)
    page = client.get(url).text
    assert f'value="{member.id}"' in page and f'value="{outsider.id}"' not in page
    refused = client.post(url, data={"user": outsider.id, "title": "Chair"})
    assert (
        refused.status_code == 400 and "Choose a person from the organisations on this board" in refused.text
    )
    assert client.post(url, data={"user": member.id, "title": ""}).status_code == 400
    assert client.post(url, data={"user": member.id, "title": "Chair of the board"}).status_code == 302
    grant = db.session.scalars(select(AccountableMember)).one()
    assert grant.user_id == member.id and grant.granted_by_id == admin.id
    audited = db.session.scalars(select(AuditEvent.action)).all()
    assert "board_accountable_member_added" in audited
    assert client.post(f"{url}/{grant.id}/remove").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AccountableMember)) == 0
