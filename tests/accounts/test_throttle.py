"""Sign-in is throttled per account as well as per address (finding: throttling was per address only, so
guesses spread over many addresses were never slowed)."""

from __future__ import annotations

import os
import re
import uuid

import pytest

from engage.accounts.models import Role
from engage.audit.models import AuditEvent
from engage.extensions import db
from tests.conftest import PASSWORD, totp_code

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "ENGAGE_SIGN_IN_LIMIT": "1000 per minute",  # the per-address limit out of the way
    "ENGAGE_SIGN_IN_ACCOUNT_LIMIT": "3 per 15 minutes",
    "ENGAGE_SIGN_IN_CODE_LIMIT": "3 per 15 minutes",
}


def attempt(client, email: str, password: str, address: str):
    return client.post(
        "/sign-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_failures_from_many_addresses_lock_the_account_for_strangers(app_factory, make_user):
    app = app_factory(**LIMITS)
    user = make_user(Role.BOARD_OFFICER)
    with app.app_context():
        statuses = [
            attempt(app.test_client(), user.email, "wrong guess", f"203.0.113.{n}").status_code
            for n in range(3)
        ]
        assert statuses == [400, 400, 400]
        # A fourth address, and even the right password: refused until the window ends.
        refused = attempt(app.test_client(), user.email, PASSWORD, "198.51.100.7")
    assert refused.status_code == 429
    message = refused.get_data(as_text=True)
    assert "Too many attempts to sign in with this email address. Wait 15 minutes" in message
    # The answer says when to try again, as every 429 must (the view answers it itself, not the limiter).
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert refused.headers.get("Location") is None
    # Another account is not affected.
    other = make_user(Role.BOARD_OFFICER)
    with app.app_context():
        assert attempt(app.test_client(), other.email, PASSWORD, "198.51.100.7").status_code == 302
    refusals = db.session.query(AuditEvent).filter_by(action="sign_in_refused").all()
    assert [e.target for e in refusals] == [f"user_id={user.id} ({user.email})"]


def test_the_message_does_not_say_whether_the_account_exists(app_factory, make_user):
    app = app_factory(**LIMITS)
    user = make_user(Role.BOARD_OFFICER)
    pages = {}
    with app.app_context():
        for email in (user.email, "nobody@partner.example"):
            for n in range(3):
                attempt(app.test_client(), email, "wrong guess", f"203.0.113.{n}")
            response = attempt(app.test_client(), email, "wrong guess", "203.0.113.99")
            page = response.get_data(as_text=True).replace(email, "EMAIL")
            pages[email] = (response.status_code, re.sub(r'(csrf-token" content|value)="[^"]*"', "", page))
    assert pages[user.email] == pages["nobody@partner.example"]
    assert pages[user.email][0] == 429


def test_the_owners_usual_browser_keeps_its_own_allowance(app_factory, make_user):
    """Strangers cannot lock a colleague out by typing their email: a browser that has signed in to the
    account before (it holds a device cookie) is counted apart."""
    app = app_factory(**LIMITS)
    user = make_user(Role.BOARD_OFFICER)
    owner = app.test_client()
    with app.app_context():
        assert attempt(owner, user.email, PASSWORD, "192.0.2.1").status_code == 302
        owner.post("/sign-out")
        for n in range(5):
            attempt(app.test_client(), user.email, "stranger's guess", f"203.0.113.{n}")
        assert attempt(app.test_client(), user.email, PASSWORD, "203.0.113.50").status_code == 429
        assert attempt(owner, user.email, "owner's typo", "192.0.2.1").status_code == 400
        assert attempt(owner, user.email, PASSWORD, "192.0.2.1").status_code == 302


def test_a_device_cookie_for_another_account_or_forged_does_not_help(app_factory, make_user):
    app = app_factory(**LIMITS)
    user, other = make_user(Role.BOARD_OFFICER), make_user(Role.BOARD_OFFICER)
    browser = app.test_client()
    with app.app_context():
        attempt(browser, other.email, PASSWORD, "192.0.2.1")
        browser.post("/sign-out")
        for n in range(3):
            attempt(app.test_client(), user.email, "guess", f"203.0.113.{n}")
        assert attempt(browser, user.email, PASSWORD, "192.0.2.1").status_code == 429
        forged = app.test_client()
        forged.set_cookie("engage_device", "eyJhIjoiMTIzIn0.forged.signature")
        assert attempt(forged, user.email, PASSWORD, "192.0.2.2").status_code == 429


def test_wrong_codes_are_throttled_per_account(app_factory, make_user):
    app = app_factory(**LIMITS)
    admin = make_user(Role.ADMIN)
    wrong = "123456" if totp_code() != "123456" else "654321"
    with app.app_context():
        for n in range(3):
            client = app.test_client()
            attempt(client, admin.email, PASSWORD, f"203.0.113.{n}")
            assert client.post("/sign-in/code", data={"code": wrong}).status_code == 400
        client = app.test_client()
        attempt(client, admin.email, PASSWORD, "203.0.113.9")
        refused = client.post("/sign-in/code", data={"code": totp_code()})
    assert refused.status_code == 429 and "Too many wrong codes" in refused.get_data(as_text=True)


def test_wrong_current_passwords_on_the_account_pages_count_too(app_factory, make_user):
    """A stolen session cannot be used to guess the password through the change-password form."""
    app = app_factory(**LIMITS)
    user = make_user(Role.ANALYST)
    client = app.test_client()
    with app.app_context():
        attempt(client, user.email, PASSWORD, "192.0.2.1")
        new = {
            "new_password": "violet kettle under moonlight",
            "confirm_password": "violet kettle under moonlight",
        }
        here = {"REMOTE_ADDR": "192.0.2.1"}
        for _ in range(3):
            response = client.post(
                "/account/password", data={"current_password": "guess", **new}, environ_base=here
            )
            assert "Your current password is not right" in response.get_data(as_text=True)
        response = client.post(
            "/account/password", data={"current_password": PASSWORD, **new}, environ_base=here
        )
    assert "Too many wrong passwords" in response.get_data(as_text=True)


def test_account_throttling_is_shared_between_workers_through_redis(app_factory, make_user):
    redis_url = os.environ.get("ENGAGE_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("set ENGAGE_TEST_REDIS_URL (CI does) to test Redis-backed rate limits")
    settings = {
        **LIMITS,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"engage-test-{uuid.uuid4().hex}",
    }
    user = make_user(Role.BOARD_OFFICER)
    workers = [app_factory(**settings), app_factory(fresh=True, **settings)]
    statuses = []
    for n in range(4):
        worker = workers[n % 2]
        with worker.app_context():
            statuses.append(attempt(worker.test_client(), user.email, "guess", f"203.0.113.{n}").status_code)
    assert statuses == [400, 400, 400, 429]
