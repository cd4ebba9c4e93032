"""Every state change needs a CSRF token (htmx requests included), and every response carries the security
headers. Both walk the app's URL map, so a new route is covered the day it is added."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from engage.extensions import db
from tests.security.routes import NOT_REACHABLE, demo_values, url_for_rule

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


@contextmanager
def writes_recorded():
    """Collect every INSERT, UPDATE and DELETE the app sends to the database."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if WRITE.match(statement):
            seen.append(statement.split("\n")[0][:100])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def admin_client(app_factory, demo):
    """Signed in as the demo administrator, on an app with CSRF protection on (as in production)."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        passwords = demo.passwords
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        email = "admin@aldermoor.example"
        signed = client.post(
            "/sign-in", data={"email": email, "password": passwords[email], "csrf_token": token}
        )
        assert signed.status_code == 302
        yield app, client


def test_no_state_change_happens_without_a_csrf_token(admin_client):
    app, client = admin_client
    values = demo_values()
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(rules) > 40
    problems, statuses = [], []
    for rule in rules:
        path = url_for_rule(rule, values)
        for headers in ({}, {"HX-Request": "true"}):
            with writes_recorded() as writes:
                response = client.post(path, data={"choice": "left", "text": "x"}, headers=headers)
            kind = "htmx " if headers else ""
            statuses.append((response.status_code, rule.endpoint))
            if writes:
                problems.append(f"{kind}POST {path} ({rule.endpoint}) wrote without a token: {writes}")
            if response.status_code >= 500:
                problems.append(f"{kind}POST {path} ({rule.endpoint}) answered {response.status_code}")
    assert problems == [], "\n".join(problems)
    # The check above only means something if the requests reached the views: most are refused outright
    # (400, the CSRF page); forms that check their own token answer with the form and its message.
    assert [code for code, _ in statuses].count(400) > len(statuses) / 2, sorted(statuses)
    not_found = {endpoint for code, endpoint in statuses if code == 404} - NOT_REACHABLE
    assert not_found == set(), "a URL in this test is wrong, so its route was not really tried"


def test_every_get_route_sends_the_security_headers(demo, app, client):
    values = demo_values()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        response = client.get(url_for_rule(rule, values))
        response.close()  # a static file's response holds the file open
        headers = response.headers
        where = f"{rule.endpoint} ({response.status_code})"
        csp = headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "script-src 'self' 'unsafe-inline'" not in csp, where
        assert "frame-ancestors 'none'" in csp, where
        assert headers.get("X-Content-Type-Options") == "nosniff", where
        assert headers.get("Referrer-Policy") == "same-origin", where


def test_session_cookie_is_httponly_samesite_and_secure_over_https(app_factory, make_user):
    app = app_factory(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        response = app.test_client().get("/?lang=cy")  # choosing a language sets the session cookie
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
