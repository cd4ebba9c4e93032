"""Partners enter and correct their own indicators' values: the importer's checks, a history per value that
a correction never overwrites, only the owning organisation's staff (or admins), missing returns."""

import json

import pytest
from sqlalchemy import func, select

from engage.accounts.models import OrganisationKind, Role
from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.indicators.entry import missing_returns
from engage.indicators.models import Indicator, IndicatorValue, IndicatorValueChange, Polarity, Rag
from tests.conftest import sign_in


@pytest.fixture
def partners(make_organisation, make_board, make_priority, make_user):
    police = make_organisation("Westmarch Police", OrganisationKind.POLICE)
    council = make_organisation("Aldermoor Council", OrganisationKind.COUNCIL)
    outsider = make_organisation("Elsewhere Fire", OrganisationKind.FIRE)
    board = make_board("Safer Communities", members=[police, council], short_code="SSC")
    priority = make_priority(board, "SSC-ASB", "Less anti-social behaviour")
    burglary = Indicator(
        priority=priority,
        reference="LOCAL 9",
        name="Burglaries per 1,000 homes",
        unit="per 1000",
        polarity=Polarity.LOWER,
        owner=police,
    )
    other = Indicator(
        priority=priority,
        reference="LOCAL 10",
        name="Street lights fixed",
        polarity=Polarity.HIGHER,
        owner=council,
    )
    db.session.add_all([burglary, other])
    db.session.add(IndicatorValue(indicator=other, period="2025/26 Q2", actual=90, commentary=""))
    db.session.commit()

    class Partners:
        pass

    p = Partners()
    p.board, p.burglary, p.other = board, burglary, other
    p.police_analyst = make_user(Role.ANALYST, organisation=police)
    p.council_officer = make_user(Role.BOARD_OFFICER, organisation=council)
    p.council_analyst = make_user(Role.ANALYST, organisation=council)
    p.outsider_analyst = make_user(Role.ANALYST, organisation=outsider)
    return p


def enter(client, indicator_id, **fields):
    data = {
        "period": "2025/26 Q2",
        "actual": "4.2",
        "target": "5",
        "polarity": "lower",
        "status": "green",
        "commentary": "Fewer break-ins after the lighting scheme.",
    }
    data.update(fields)
    return client.post(f"/manage/indicators/{indicator_id}/values/new", data=data)


def test_a_police_analyst_enters_and_corrects_and_the_council_sees_the_history(client, partners):
    sign_in(client, partners.police_analyst)
    assert client.get(f"/manage/indicators/{partners.burglary.id}/values/new").status_code == 200
    response = enter(client, partners.burglary.id)
    assert response.status_code == 302, response.get_data(as_text=True)
    value = db.session.scalar(
        select(IndicatorValue).where(IndicatorValue.indicator_id == partners.burglary.id)
    )
    assert (value.actual, value.target, value.status) == (4.2, 5.0, Rag.GREEN)
    correction = {
        "actual": "4,5",
        "target": "5",
        "polarity": "lower",
        "status": "amber",
        "commentary": "Late returns",
    }
    response = client.post(f"/manage/indicators/{partners.burglary.id}/values/{value.id}", data=correction)
    assert response.status_code == 400  # "4,5" is not a number: the importer's check
    assert "Actual value “4,5” is not a number" in response.get_data(as_text=True)
    correction["actual"] = "4.5"
    response = client.post(f"/manage/indicators/{partners.burglary.id}/values/{value.id}", data=correction)
    assert response.status_code == 302
    changes = list(
        db.session.scalars(
            select(IndicatorValueChange)
            .where(IndicatorValueChange.value_id == value.id)
            .order_by(IndicatorValueChange.id)
        )
    )
    assert len(changes) == 2
    assert changes[0].before is None and json.loads(changes[0].after)["actual"] == 4.2
    assert json.loads(changes[1].before)["actual"] == 4.2 and json.loads(changes[1].after)["actual"] == 4.5
    assert json.loads(changes[1].after)["status"] == "amber"
    # Saving the same figures again adds no history.
    client.post(f"/manage/indicators/{partners.burglary.id}/values/{value.id}", data=correction)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(IndicatorValueChange)
            .where(IndicatorValueChange.value_id == value.id)
        )
        == 2
    )
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("indicators.%_value"))
        )
        == 2
    )

    client.post("/sign-out")
    sign_in(client, partners.council_officer)
    page = client.get(f"/manage/indicators/{partners.burglary.id}").get_data(as_text=True)
    assert "Westmarch Police" in page and "Late returns" in page
    assert "4.2 → 4.5" in page and "Green → Amber" in page
    assert "Correct the figures" not in page  # the council reads, it does not correct
    assert partners.police_analyst.name in page


def test_another_organisations_analyst_gets_403(client, partners):
    for user in (partners.council_analyst, partners.outsider_analyst):
        sign_in(client, user)
        assert client.get(f"/manage/indicators/{partners.burglary.id}/values/new").status_code == 403
        assert enter(client, partners.burglary.id).status_code == 403
        client.post("/sign-out")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(IndicatorValue)
            .where(IndicatorValue.indicator_id == partners.burglary.id)
        )
        == 0
    )
    sign_in(client, partners.outsider_analyst)  # not on the board: cannot even read it
    assert client.get(f"/manage/indicators/{partners.burglary.id}").status_code == 403
    assert client.get(f"/manage/boards/{partners.board.slug}/missing-returns").status_code == 403


def test_correcting_another_indicators_value_through_ones_own_is_refused(client, partners):
    sign_in(client, partners.police_analyst)
    theirs = partners.other.values[0]
    response = client.post(
        f"/manage/indicators/{partners.burglary.id}/values/{theirs.id}",
        data={"actual": "1", "polarity": "lower"},
    )
    assert response.status_code == 404
    assert db.session.get(IndicatorValue, theirs.id).actual == 90


def test_a_period_already_held_is_corrected_not_entered_again(client, partners):
    sign_in(client, partners.police_analyst)
    assert enter(client, partners.burglary.id).status_code == 302
    response = enter(client, partners.burglary.id, actual="9")
    assert response.status_code == 400
    assert "There is already a value for 2025/26 Q2" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"period": ""}, "Period is empty"),
        ({"period": "x" * 41}, "Period must be 40 characters or fewer"),
        ({"actual": ""}, "Actual value is empty"),
        ({"target": "lots"}, "Target “lots” is not a number"),
        ({"polarity": ""}, "Polarity (which direction is better) is empty"),
        ({"polarity": "sideways"}, "Unknown polarity “sideways”"),
        ({"status": "purple"}, "Unknown status “purple”"),
        ({"commentary": "x" * 2001}, "Commentary must be 2,000 characters or fewer"),
    ],
)
def test_the_form_makes_the_importers_checks(client, partners, fields, message):
    sign_in(client, partners.police_analyst)
    response = enter(client, partners.burglary.id, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not partners.burglary.values


def test_missing_returns_lists_indicators_without_a_value_for_the_last_period(client, partners):
    returns = missing_returns(partners.board)
    assert returns.period == "2025/26 Q2"
    assert [i.reference for i, _latest in returns.missing] == ["LOCAL 9"]
    sign_in(client, partners.council_officer)
    page = client.get(f"/manage/boards/{partners.board.slug}/missing-returns").get_data(as_text=True)
    assert "LOCAL 9" in page and "LOCAL 10" not in page and "2025/26 Q2" in page


def test_only_admins_change_an_indicators_owner(client, partners, make_user):
    sign_in(client, partners.police_analyst)
    assert (
        client.post(f"/manage/indicators/{partners.other.id}/owner", data={"owner": "0"}).status_code == 403
    )
    client.post("/sign-out")
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    police_id = partners.burglary.owner_organisation_id
    response = client.post(f"/manage/indicators/{partners.other.id}/owner", data={"owner": str(police_id)})
    assert response.status_code == 302
    assert db.session.get(Indicator, partners.other.id).owner_organisation_id == police_id


def test_an_import_cannot_change_another_organisations_indicator(client, partners):
    from engage.indicators.models import IndicatorImport
    from engage.indicators.service import import_rows, preview_rows

    csv = (
        b"Indicator Ref,Indicator Name,Board,Priority Code,Period,Actual,Target,Polarity\n"
        b"LOCAL 10,Street lights fixed,SSC,SSC-ASB,2025/26 Q2,1,95,Higher is better\n"
        b"LOCAL 9,Burglaries,SSC,SSC-ASB,2025/26 Q2,4.1,5,Lower is better\n"
        b"LOCAL 11,New police measure,SSC,SSC-ASB,2025/26 Q2,7,8,Lower is better\n"
    )
    preview = preview_rows(csv, None, partners.police_analyst)
    assert [row.problems for row in preview.rows] == [
        [
            "Indicator “LOCAL 10” is entered by another organisation, so your organisation cannot import "
            "its values"
        ],
        [],
        [],
    ]
    import_rows(IndicatorImport(filename="p.csv", organisation=partners.police_analyst.organisation), preview)
    assert db.session.get(IndicatorValue, partners.other.values[0].id).actual == 90
    new = db.session.scalar(select(Indicator).where(Indicator.reference == "LOCAL 11"))
    assert new.owner_organisation_id == partners.police_analyst.organisation_id  # the importer's


def test_the_demo_has_values_entered_by_two_partners(demo, app):
    from engage.indicators.models import ValueSource

    entered = list(
        db.session.scalars(
            select(IndicatorValueChange).where(IndicatorValueChange.source == ValueSource.FORM)
        )
    )
    assert {change.user.organisation.name for change in entered} == {
        "Aldermoor and District Integrated Care Board",
        "Aldermoor Borough Council",
    }
    assert all(json.loads(c.before)["actual"] == json.loads(c.after)["actual"] for c in entered)
