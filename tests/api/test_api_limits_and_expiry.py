"""Issue 18's API findings: tokens never expired, the API had no rate limit, and every unauthenticated call
wrote a row to the call log."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from engage.accounts.models import Role
from engage.api.models import ApiCall, ApiToken
from engage.api.tokens import issue_token
from engage.database import utcnow
from engage.extensions import db
from tests.conftest import sign_in


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def calls_logged():
    return db.session.scalar(select(func.count()).select_from(ApiCall))


def test_a_token_stops_working_when_it_expires(client, hwb, council, make_user):
    row, token = issue_token(council, "Nightly import", make_user(Role.ADMIN, organisation=council), 30)
    assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
    assert client.get("/api/v1/boards", headers=bearer(token)).status_code == 200
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = client.get("/api/v1/boards", headers=bearer(token))
    assert expired.status_code == 401 and "expired" in expired.json["error"]["message"]


def test_the_expiry_is_chosen_and_shown_when_the_token_is_made(client, council, make_user):
    sign_in(client, make_user(Role.ADMIN, organisation=council))
    page = client.get("/manage/api-tokens").get_data(as_text=True)
    assert "How long should it work?" in page and "365 days" in page
    made = client.post(
        "/manage/api-tokens", data={"organisation": council.id, "name": "Import", "days": "180"}
    )
    html = made.get_data(as_text=True)
    stored = db.session.scalars(select(ApiToken)).one()
    assert made.status_code == 201 and "It works until" in html and "Works until" in html
    assert timedelta(days=179) < stored.expires_at - utcnow() <= timedelta(days=180)
    refused = client.post(
        "/manage/api-tokens", data={"organisation": council.id, "name": "X", "days": "9999"}
    )
    assert refused.status_code == 400


def test_calls_without_a_valid_token_write_nothing(client, hwb):
    for n in range(20):
        client.get("/api/v1/boards")
        client.get("/api/v1/boards", headers=bearer(f"engage_made-up-{n}"))
    assert calls_logged() == 0


@pytest.fixture
def limited(app_factory, app):
    # Made after the default app: the rate limiter is bound to the last app made.
    return app_factory(
        RATELIMIT_ENABLED=True, ENGAGE_API_LIMIT="3 per minute", ENGAGE_API_ADDRESS_LIMIT="8 per minute"
    )


def test_each_token_has_a_rate_limit(limited, hwb, council, make_user):
    admin = make_user(Role.ADMIN, organisation=council)
    (_, first), (_, second) = issue_token(council, "One", admin), issue_token(council, "Two", admin)
    client = limited.test_client()
    codes = [client.get("/api/v1/boards", headers=bearer(first)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/boards", headers=bearer(first))
    assert refused.is_json and "Retry-After" in refused.headers
    assert client.get("/api/v1/boards", headers=bearer(second)).status_code == 200  # its own allowance


def test_made_up_tokens_do_not_escape_the_limit_per_address(limited, hwb):
    client = limited.test_client()
    codes = [client.get("/api/v1/boards", headers=bearer(f"engage_guess-{n}")).status_code for n in range(9)]
    assert codes == [401] * 8 + [429]
