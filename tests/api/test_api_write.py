"""POST /api/v1/indicators/values: a partner's system sends its own indicators' values with a write token:
all or nothing, 4xx with a clear JSON error, the same values again change nothing, every change audited and
kept in the value's history."""

import json

import pytest
from sqlalchemy import func, select

from engage.accounts.models import OrganisationKind, Role
from engage.api.models import TokenScope
from engage.api.tokens import issue_token
from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.indicators.models import Indicator, IndicatorValue, IndicatorValueChange, Polarity, ValueSource

URL = "/api/v1/indicators/values"


@pytest.fixture
def setting(make_organisation, make_board, make_priority, make_user):
    police = make_organisation("Westmarch Police", OrganisationKind.POLICE)
    council = make_organisation("Aldermoor Council", OrganisationKind.COUNCIL)
    board = make_board("Safer Communities", members=[police, council], short_code="SSC")
    priority = make_priority(board, "SSC-ASB", "Less anti-social behaviour")
    ours = Indicator(
        priority=priority, reference="NI 17", name="Perceptions of ASB", polarity=Polarity.LOWER, owner=police
    )
    theirs = Indicator(
        priority=priority, reference="NI 1", name="Cohesion", polarity=Polarity.HIGHER, owner=council
    )
    db.session.add_all([ours, theirs])
    admin = make_user(Role.ADMIN, organisation=council)
    write = issue_token(police, "Police warehouse", admin, scope=TokenScope.WRITE)[1]
    read = issue_token(police, "Police dashboard", admin)[1]
    db.session.commit()
    return {"ours": ours, "theirs": theirs, "write": write, "read": read}


def item(**changes):
    value = {
        "board": "SSC",
        "priority_code": "SSC-ASB",
        "reference": "NI 17",
        "period": "2025/26 Q3",
        "actual": 14.5,
        "target": 15,
        "polarity": "Lower is better",
        "status": "Green",
        "commentary": "Down on last quarter.",
    }
    value.update(changes)
    return value


def push(client, token, payload):
    return client.post(URL, json=payload, headers={"Authorization": f"Bearer {token}"})


def stored():
    return db.session.scalar(select(func.count()).select_from(IndicatorValue))


def test_a_partners_system_pushes_values_then_the_same_again_changes_nothing(client, setting):
    response = push(client, setting["write"], {"values": [item(), item(period="2025/26 Q2", actual="15.2%")]})
    assert response.status_code == 200, response.json
    assert (response.json["added"], response.json["updated"], response.json["unchanged"]) == (2, 0, 0)
    again = push(client, setting["write"], {"values": [item(), item(period="2025/26 Q2", actual="15.2%")]})
    assert (again.json["added"], again.json["updated"], again.json["unchanged"]) == (0, 0, 2)
    corrected = push(client, setting["write"], {"values": [item(actual=14.0)]})
    assert corrected.json["values"][0]["result"] == "updated"
    assert stored() == 2
    value = db.session.scalar(select(IndicatorValue).where(IndicatorValue.period == "2025/26 Q3"))
    assert value.actual == 14.0 and value.commentary == "Down on last quarter."
    changes = list(
        db.session.scalars(
            select(IndicatorValueChange)
            .where(IndicatorValueChange.value_id == value.id)
            .order_by(IndicatorValueChange.id)
        )
    )
    assert [c.source for c in changes] == [ValueSource.API, ValueSource.API]
    assert json.loads(changes[1].before)["actual"] == 14.5 and "Police warehouse" in changes[1].actor
    audits = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api.push_indicator_values"))
    )
    assert len(audits) == 2  # the two calls that changed something; the repeat changed nothing
    assert "Westmarch Police" in audits[0].actor


def test_a_value_sent_without_a_target_keeps_the_target_held_and_null_clears_it(client, setting):
    """Issue 21, item 14, for the API too: a partner's system that sends only its actuals must not wipe
    the targets imported for the year; an explicit null is a deliberate clearing."""
    push(client, setting["write"], {"values": [item(target=15)]})
    without = item(actual=13.0)
    del without["target"]
    assert push(client, setting["write"], {"values": [without]}).json["updated"] == 1
    value = db.session.scalar(select(IndicatorValue).where(IndicatorValue.period == "2025/26 Q3"))
    assert (value.actual, value.target) == (13.0, 15)
    assert push(client, setting["write"], {"values": [item(actual=13.0, target=None)]}).json["updated"] == 1
    db.session.refresh(value)
    assert value.target is None


def test_a_read_only_token_is_refused(client, setting):
    response = push(client, setting["read"], {"values": [item()]})
    assert response.status_code == 403
    assert response.json["error"]["message"].startswith("This token can only read")
    assert stored() == 0


def test_another_organisations_indicator_refuses_the_whole_request(client, setting):
    response = push(client, setting["write"], {"values": [item(), item(reference="NI 1", polarity="higher")]})
    assert response.status_code == 403
    assert "items 1" in response.json["error"]["message"]
    assert stored() == 0


def test_one_bad_value_saves_none_and_each_problem_is_named(client, setting):
    response = push(
        client,
        setting["write"],
        {
            "values": [
                item(),
                item(period="Q4", actual="lots"),
                item(),
                item(period="", colour="red"),
                "not an object",
                item(period="Q5", actual=True),
                item(period="Q6", actual=10**400),
            ]
        },
    )
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["message"].startswith("6 of the 7 values have problems")
    problems = {p["item"]: p["problems"] for p in error["problems"]}
    assert problems[1] == ["Actual value “lots” is not a number"]
    assert problems[2] == ["The same indicator and period are in item 0"]
    assert "Unknown field “colour”" in problems[3] and "Period is empty" in problems[3]
    assert problems[4] == ["Each value must be a JSON object"]
    assert "“actual” must be a number" in problems[5]
    assert "“actual” is too large" in problems[6]
    assert stored() == 0


def test_an_indicator_engage_does_not_hold_is_a_404(client, setting):
    response = push(
        client, setting["write"], {"values": [item(), item(reference="NI 999"), item(board="XYZ")]}
    )
    assert response.status_code == 404
    assert response.json["error"]["message"].startswith("Items 1, 2 name no indicator")
    problems = {p["item"]: p["problems"] for p in response.json["error"]["problems"]}
    assert "Board SSC has no indicator “NI 999”" in problems[1][0] and problems[2] == ["Unknown board “XYZ”"]
    assert stored() == 0


@pytest.mark.parametrize(
    "body",
    [None, [], {"values": []}, {"values": "x"}, {"values": [item()], "extra": 1}, {"values": [{}] * 1001}],
)
def test_a_body_of_the_wrong_shape_is_a_400(client, setting, body):
    if body is None:
        response = client.post(URL, data="not json", headers={"Authorization": f"Bearer {setting['write']}"})
    else:
        response = push(client, setting["write"], body)
    assert response.status_code == 400
    assert response.is_json and response.json["error"]["message"]
