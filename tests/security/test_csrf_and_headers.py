"""Every response carries the security headers (walking the app's URL map, so a new route is covered the day
it is added), and the CSRF handler's fallback. The CSRF sweep of every POST route is test_csrf_sweep.py."""

from __future__ import annotations

from flask import redirect
from wtforms import StringField

from engage.forms import EngageForm, form_page
from tests.security.routes import demo_values, url_for_rule


def test_a_form_page_that_redirects_when_refused_gets_the_timed_out_page(app_factory):
    """A ``@form_page`` view that answers a refused form with a redirect would lose the message (and what was
    typed): the one CSRF handler shows the "session has timed out" page instead."""
    app = app_factory(fresh=True, WTF_CSRF_ENABLED=True)

    class NoteForm(EngageForm):
        note = StringField("Note")

    @app.post("/test-only/note")
    @form_page
    def note():
        if NoteForm().validate_on_submit():
            return "saved"
        return redirect("/")

    with app.app_context():
        response = app.test_client().post("/test-only/note", data={"note": "kept?"})
    assert response.status_code == 400
    assert "Your session has timed out" in response.get_data(as_text=True)


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
