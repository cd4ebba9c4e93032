"""Signing in and out: hashed passwords, clear failures, rate limits and expired forms."""

import os
import re
import uuid

import pytest
from sqlalchemy import select

from engage.accounts.models import Role, User
from engage.extensions import db
from tests.conftest import PASSWORD, sign_in, totp_code


def test_sign_in_page_shows_email_and_password_fields(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert 'autocomplete="email"' in html and 'type="password"' in html


def test_correct_password_signs_in_and_goes_to_manage(client, make_user):
    user = make_user(Role.BOARD_OFFICER, email="bina@council.example")
    response = client.post("/sign-in", data={"email": "  Bina@Council.example ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage"
    assert "Hello, Test User" in client.get("/manage").get_data(as_text=True)
    db.session.refresh(user)
    assert user.last_sign_in_at is not None


def test_password_is_stored_hashed(make_user):
    user = make_user(Role.ANALYST)
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2id$")


def test_wrong_password_gets_a_clear_message_and_keeps_the_email(client, make_user):
    make_user(Role.ADMIN, email="alex@council.example")
    response = client.post("/sign-in", data={"email": "alex@council.example", "password": "wrong"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert 'value="alex@council.example"' in html
    assert "Error:" in html  # in the page title, so screen readers hear it first


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client):
    html = client.post("/sign-in", data={"email": "nobody@x.example", "password": "wrong"}).get_data(
        as_text=True
    )
    assert "Enter a correct email address and password" in html


def test_empty_fields_are_each_named(client):
    html = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address" in html and "Enter your password" in html
    assert 'href="#email"' in html and 'href="#password"' in html


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user(Role.ADMIN, active=False)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_next_parameter_returns_to_the_page_asked_for_but_never_off_site(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.post("/sign-in?next=/manage/users", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/sign-in/code"  # the page asked for waits for the code
    assert client.post("/sign-in/code", data={"code": totp_code()}).headers["Location"] == "/manage/users"
    client.post("/sign-out")
    officer = make_user(Role.BOARD_OFFICER)
    response = client.post(
        "/sign-in?next=https://evil.example/", data={"email": officer.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/manage"


def test_signed_in_user_visiting_sign_in_goes_to_manage(client, signed_in):
    signed_in(Role.ANALYST)
    assert client.get("/sign-in").headers["Location"] == "/manage"


def test_sign_out(client, signed_in):
    signed_in(Role.ANALYST)
    response = client.post("/sign-out", follow_redirects=True)
    assert "You have signed out." in response.get_data(as_text=True)
    assert client.get("/manage").status_code == 302


def test_sign_in_attempts_are_rate_limited(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True, ENGAGE_SIGN_IN_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        for _ in range(3):
            assert client.post("/sign-in", data={"email": "a@b.example", "password": "x"}).status_code == 400
        response = client.post("/sign-in", data={"email": "a@b.example", "password": "x"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 61
    assert "Wait 1 minute, then try again." in response.get_data(as_text=True)
    # Reading the page is not limited
    assert client.get("/sign-in").status_code == 200


def test_expired_csrf_token_is_a_message_on_the_form_with_the_email_kept(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        client.get("/sign-in")
        response = client.post(
            "/sign-in", data={"email": "kept@x.example", "password": "pw", "csrf_token": "stale"}
        )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form was open too long" in html
    assert 'value="kept@x.example"' in html


def form_token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("session_lost", [False, True], ids=["session-kept", "session-cookie-lost"])
def test_sign_in_works_with_a_real_csrf_token(app_factory, make_user, session_lost):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = make_user(Role.ADMIN)
        html = client.get("/sign-in").get_data(as_text=True)
        credentials = {"email": user.email, "password": PASSWORD}
        if session_lost:  # a browser restoring its tabs: refused once, then the form that came back works
            client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
            refused = client.post("/sign-in", data={**credentials, "csrf_token": form_token(html)})
            html = refused.get_data(as_text=True)
            assert refused.status_code == 400 and "This form was open too long" in html
        response = client.post("/sign-in", data={**credentials, "csrf_token": form_token(html)})
    assert response.status_code == 302


def test_post_without_csrf_token_outside_a_form_is_refused(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        make_user(Role.ADMIN)
        response = client.post("/sign-out")
    assert response.status_code == 400
    assert "Your session has timed out" in response.get_data(as_text=True)


def test_sign_in_helper_really_signs_in(client, make_user):
    user = make_user(Role.ADMIN)
    sign_in(client, user)
    assert db.session.scalar(select(User).where(User.id == user.id)).last_sign_in_at is not None


def test_sign_in_limit_is_shared_between_workers_through_redis(app_factory):
    """Two app processes (workers) behind one load balancer count attempts together when Redis is set."""
    redis_url = os.environ.get("ENGAGE_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("set ENGAGE_TEST_REDIS_URL (CI does) to test Redis-backed rate limits")
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"engage-test-{uuid.uuid4().hex}",
        "ENGAGE_SIGN_IN_LIMIT": "3 per minute",
    }
    workers = [app_factory(**settings).test_client() for _ in range(2)]
    attempt = {"email": "a@b.example", "password": "x"}
    statuses = [workers[i % 2].post("/sign-in", data=attempt).status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_the_too_many_attempts_page_says_how_long_to_wait_from_the_limit(app_factory):
    """It said "Wait a minute" whatever the limit: an hourly one answered Retry-After: 3600 beside it."""
    app = app_factory(RATELIMIT_ENABLED=True, ENGAGE_SIGN_IN_LIMIT="1 per hour")
    client = app.test_client()
    with app.app_context():
        client.post("/sign-in", data={"email": "a@b.example", "password": "x"})
        response = client.post("/sign-in", data={"email": "a@b.example", "password": "x"})
        welsh = client.post(
            "/sign-in", data={"email": "a@b.example", "password": "x"}, headers={"Accept-Language": "cy"}
        )
    assert response.status_code == 429 and 3500 < int(response.headers["Retry-After"]) <= 3601
    html = response.get_data(as_text=True)
    assert "Wait 60 minutes, then try again." in html and "Wait a minute" not in html
    assert "Arhoswch 60 munud, yna rhowch gynnig arall arni." in welsh.get_data(as_text=True)
