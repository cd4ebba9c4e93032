"""Issuing an API token is all or nothing, and every API call leaves exactly one row in the call log.

A token is shown once, on the page that issues it: when that page fails, the token must not be kept (nobody
has seen it, so nobody could use or revoke it knowingly). This fails on the code before "one transaction
per action", which committed the token before the page was made.
"""

from sqlalchemy import select

from engage.accounts.models import Role
from engage.api import views_tokens
from engage.api.models import ApiCall, ApiToken
from engage.api.tokens import issue_token
from engage.extensions import db
from tests.all_or_nothing import count, errors_as_in_production


def test_a_token_whose_page_fails_is_not_kept(app, client, signed_in, council, monkeypatch):
    signed_in(Role.ADMIN, organisation=council)
    errors_as_in_production(app)

    def tokens_cannot_be_listed():
        raise RuntimeError("the list of tokens cannot be read")

    monkeypatch.setattr(views_tokens, "all_tokens", tokens_cannot_be_listed)
    response = client.post("/manage/api-tokens", data={"organisation": council.id, "name": "Pentana import"})
    assert response.status_code == 500
    assert "engage_" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(ApiToken) == 0


def test_a_refused_call_leaves_its_row_though_its_unit_of_work_is_abandoned(client, hwb, council, make_user):
    """The decision: refusals are what a call log is for, so a refused call's row is written on its own
    after the call's unit of work was abandoned; an answered call's row is part of the call's. Only calls
    with a valid token are logged (anyone can send the others: issue 18)."""
    _row, token = issue_token(council, "Refused", make_user(Role.ADMIN, organisation=council))
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/boards/nowhere/priorities", headers=bearer).status_code == 404
    assert client.get("/api/v1/boards/health-and-wellbeing/weights/v99", headers=bearer).status_code == 400
    db.session.rollback()  # nothing uncommitted is counted: the rows were committed
    calls = db.session.execute(select(ApiCall.path, ApiCall.status).order_by(ApiCall.id))
    assert [tuple(c) for c in calls] == [
        ("/api/v1/boards/nowhere/priorities", 404),
        ("/api/v1/boards/health-and-wellbeing/weights/v99", 400),
    ]
