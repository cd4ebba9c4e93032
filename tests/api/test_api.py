"""/api/v1: tokens, boards, priorities, versions, ETags, JSON errors, the call log, and the CSV round trip."""

import csv
import io

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.api.models import ApiCall, ApiToken
from engage.api.tokens import issue_token
from engage.extensions import db
from engage.weights import service
from tests.conftest import sign_in
from tests.factories_weights import publish_weights


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, organisation=council)


@pytest.fixture
def token(council, admin):
    token = issue_token(council, "Pentana nightly import", admin)[1]
    db.session.commit()
    return token


def get(client, url, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(url, headers=headers)


@pytest.fixture
def two_versions(make_weight_set, analyst):
    first = make_weight_set()
    publish_weights(first, analyst)
    second = make_weight_set({f"exercise-{first.sources[1].exercise_id}": 100})
    publish_weights(second, analyst)
    db.session.commit()
    return first, second


def test_without_a_token_every_route_is_a_json_401(client, hwb):
    for url in [
        "/api/v1/boards",
        "/api/v1/boards/health-and-wellbeing/priorities",
        "/api/v1/boards/health-and-wellbeing/weights/latest",
    ]:
        response = client.get(url)
        assert response.status_code == 401
        assert response.is_json
        assert "Authorization header" in response.json["error"]["message"]
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert get(client, "/api/v1/boards", "engage_not-a-real-token").status_code == 401


def test_a_revoked_token_stops_working(client, hwb, council, admin):
    row, token = issue_token(council, "Old script", admin)
    db.session.commit()
    assert get(client, "/api/v1/boards", token).status_code == 200
    sign_in(client, admin)
    revoked = client.post(f"/manage/api-tokens/{row.id}/revoke")
    assert revoked.status_code == 302, revoked.get_data(as_text=True)
    response = get(client, "/api/v1/boards", token)
    assert response.status_code == 401
    assert "revoked" in response.json["error"]["message"]


def test_boards_and_priorities(client, hwb, make_board, token):
    make_board("Not ours")
    response = get(client, "/api/v1/boards", token)
    assert response.status_code == 200
    assert [b["slug"] for b in response.json["boards"]] == ["health-and-wellbeing"]
    priorities = get(client, "/api/v1/boards/health-and-wellbeing/priorities", token).json
    assert [p["code"] for p in priorities["priorities"]] == [
        "HWB-ACTIVE",
        "HWB-ALCOHOL",
        "HWB-LONELINESS",
        "HWB-SMOKING",
    ]


def test_a_board_the_organisation_does_not_sit_on_is_403_and_an_unknown_one_404(
    client, hwb, make_board, token
):
    make_board("Not ours")
    response = get(client, "/api/v1/boards/not-ours/priorities", token)
    assert response.status_code == 403 and response.is_json
    assert "does not sit on this board" in response.json["error"]["message"]
    response = get(client, "/api/v1/boards/nowhere/weights/latest", token)
    assert response.status_code == 404 and response.is_json


def test_versions_latest_and_by_number(client, two_versions, token):
    versions = get(client, "/api/v1/boards/health-and-wellbeing/weights", token).json["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    latest = get(client, "/api/v1/boards/health-and-wellbeing/weights/latest", token).json
    assert latest["version"] == 2
    # The budget alone, 30 people all giving 40/30/20/10: the top priority's chance of getting more
    # than another is the mean of expit(L/2), expit(L), expit(3L/2), L = log 61 (see test_service.py).
    assert latest["weights"][0]["weight"] == pytest.approx(0.478045, abs=1e-6)
    first = get(client, "/api/v1/boards/health-and-wellbeing/weights/1", token).json
    assert first["version"] == 1 and first["status"] == "published"
    assert "These weights blend 3 sources" in first["method_statement"]
    assert get(client, "/api/v1/boards/health-and-wellbeing/weights/3", token).status_code == 404
    bad = get(client, "/api/v1/boards/health-and-wellbeing/weights/two", token)
    assert bad.status_code == 400 and "whole number or 'latest'" in bad.json["error"]["message"]


def test_no_weights_yet_is_a_404_with_a_message(client, hwb, token):
    response = get(client, "/api/v1/boards/health-and-wellbeing/weights/latest", token)
    assert response.status_code == 404
    assert response.json["error"]["message"] == "This board has not published any weights yet."


def test_etags_answer_304_until_something_changes(client, two_versions, token, analyst):
    url = "/api/v1/boards/health-and-wellbeing/weights/latest"
    first = get(client, url, token)
    etag = first.headers["ETag"]
    assert get(client, url, token, **{"If-None-Match": etag}).status_code == 304
    service.withdraw(two_versions[1], analyst, "Wrong source")
    db.session.commit()
    changed = get(client, url, token, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["version"] == 1


def test_what_the_csv_says_equals_what_the_api_says_for_every_version(client, two_versions, token):
    for weight_set in two_versions:
        api = get(client, f"/api/v1/boards/health-and-wellbeing/weights/{weight_set.version}", token).json
        rows = list(
            csv.DictReader(
                io.StringIO(
                    client.get(f"/boards/health-and-wellbeing/weights/{weight_set.version}.csv").get_data(
                        as_text=True
                    )
                )
            )
        )
        assert len(rows) == len(api["weights"])
        for row, item in zip(rows, api["weights"], strict=True):
            assert row["priority_code"] == item["priority_code"]
            assert row["priority_title"] == item["priority_title"]
            for column in ("weight", "weight_low", "weight_high"):
                assert float(row[column]) == item[column]
            assert int(row["rank"]) == item["rank"]
            assert int(row["respondents"]) == item["respondents"]
            assert int(row["version"]) == api["version"]
            assert row["published_at"] == api["published_at"]
            assert row["method"] == api["method"]


def test_every_call_is_logged_with_its_token(client, hwb, council, admin):
    row, token = issue_token(council, "Logger", admin)
    db.session.commit()
    get(client, "/api/v1/boards", token)
    get(client, "/api/v1/boards")  # no valid token: no row (issue 18)
    get(client, "/api/v1/boards", "engage_made-up")
    get(client, "/api/v1/boards/nowhere/priorities", token)
    calls = db.session.execute(
        select(ApiCall.token_id, ApiCall.path, ApiCall.status).order_by(ApiCall.id)
    ).all()
    assert [(c.token_id, c.path, c.status) for c in calls] == [
        (row.id, "/api/v1/boards", 200),
        (row.id, "/api/v1/boards/nowhere/priorities", 404),
    ]
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_the_openapi_document_covers_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = set(document["paths"])
    routes = {
        rule.rule.replace("<slug>", "{slug}").replace("<version>", "{version}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == documented


def test_admin_creates_a_token_shown_once_and_stored_hashed(client, admin, council):
    sign_in(client, admin)
    response = client.post("/manage/api-tokens", data={"organisation": council.id, "name": "Pentana import"})
    text = response.get_data(as_text=True)
    assert response.status_code == 201
    assert "Copy it now: it will not be shown again." in text
    token = text.split('id="new-token">')[1].split("<")[0]
    stored = db.session.scalars(select(ApiToken)).one()
    assert token.startswith("engage_") and stored.token_hash != token and token not in stored.token_hash
    assert token not in client.get("/manage/api-tokens").get_data(as_text=True)
    assert client.get("/api/v1/boards", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_only_admins_manage_tokens(client, make_user, council):
    sign_in(client, make_user(Role.ANALYST, organisation=council))
    assert client.get("/manage/api-tokens").status_code == 403
    assert (
        client.post("/manage/api-tokens", data={"organisation": council.id, "name": "x"}).status_code == 403
    )
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_token_form_problems(client, admin, council):
    sign_in(client, admin)
    response = client.post("/manage/api-tokens", data={"organisation": council.id, "name": " "})
    assert response.status_code == 400
    assert "Say what the token is for" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
