"""CSRF in one place, proved: a valid post to any POST route, without its token, changes nothing.

Every POST rule of the app has a row in ``tests.security.sweep_cases.CASES`` (a new route without one fails
``test_every_post_route_is_swept``). For each, ``tests.security.csrf_sweep.check_route`` shows that the
payload is valid (with its token it does what the route does) and that without its token, as a plain form
and as htmx, nothing is written and the answer is the "session has timed out" page or, for a ``@form_page``
view, the form with its message and what was typed. The mutation tests show the check fails when a view
stops checking its token.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from engage import mail
from engage.surveys.models import Consultation, ConsultationStatus
from tests.security.csrf_sweep import Sweep, check_route, view_stops_checking, writes_recorded
from tests.security.routes import demo_values
from tests.security.sweep_cases import CASES, WORKSHOP_CONTROLS


@pytest.fixture
def sweep(app_factory, demo, monkeypatch) -> Sweep:
    """The demo partnership on an app with CSRF protection on, as in production; email is recorded."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    outbox: list = []
    monkeypatch.setattr(mail, "send", lambda to, subject, body: outbox.append((to, subject)))
    with app.app_context():
        values = demo_values()
        published = select(Consultation.id).where(Consultation.status == ConsultationStatus.PUBLISHED)
        values["published_id"] = app.extensions["sqlalchemy"].session.scalar(published)
        yield Sweep(app, values, demo.passwords, outbox, demo.admin_totp_secret)


#: The token API: authenticated by a bearer token sent in a header, never by a cookie, so a forged
#: cross-site post carries no credential; its one POST route is exempt from the CSRF check
#: (``test_the_api_write_route_takes_no_cookie`` proves a signed-in browser alone gets nothing).
API = "/api/v1/"


def post_rules(app: Flask) -> dict[str, object]:
    return {
        rule.rule: rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith(API)
    }


def test_the_api_write_route_takes_no_cookie(sweep):
    """The exempt API route: a signed-in administrator's browser, with its cookies and even the CSRF token,
    but no bearer token, is refused (401) and writes nothing."""
    api_posts = [
        r.rule for r in sweep.app.url_map.iter_rules() if "POST" in r.methods and r.rule.startswith(API)
    ]
    assert api_posts == ["/api/v1/indicators/values"]
    client = sweep.client("admin")
    with writes_recorded() as writes:
        response = client.post(
            "/api/v1/indicators/values",
            json={
                "values": [
                    {
                        "board": "HWB",
                        "priority_code": "HWB-ACTIVE",
                        "reference": "NI 8",
                        "period": "2030 Q1",
                        "actual": 1,
                        "polarity": "higher",
                    }
                ]
            },
        )
    assert response.status_code == 401
    assert [w for w in writes if "staff_sessions" not in w] == []


def sweep_rule(sweep: Sweep, rule_text: str) -> tuple[list[str], bool]:
    endpoint = post_rules(sweep.app)[rule_text].endpoint
    view = sweep.app.view_functions[endpoint]
    return check_route(sweep, CASES[rule_text], form_page=getattr(view, "engage_form_page", False))


def test_every_post_route_is_swept(sweep):
    rules = post_rules(sweep.app)
    assert len(rules) > 60
    assert sorted(rules.keys() - CASES.keys()) == [], "a POST route with no row in sweep_cases.CASES"
    assert sorted(CASES.keys() - rules.keys()) == [], "a row in sweep_cases.CASES for a route that is gone"
    # Each row posts to its own rule (with the demo's ids; ids the steps make are checked by the sweep).
    adapter = sweep.app.url_map.bind("localhost")
    for text, case in CASES.items():
        path = sweep.path(re.sub(r"\{new_\w+\}", "1", case.action or case.page))
        rule, _args = adapter.match(path, method="POST", return_rule=True)
        assert rule.rule == text, f"the row for {text} posts to {rule.rule}"


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_valid_post_without_its_token_changes_nothing(sweep, rule):
    problems, valid = sweep_rule(sweep, rule)
    assert problems == []
    assert valid


@pytest.mark.parametrize(
    "rule",
    [
        "/exercises/<int:exercise_id>/vote",  # a resident's form, posted by htmx on the page
        "/consultations/<int:consultation_id>/sections/<int:number>",  # a resident's form page
        "/manage/boards/<slug>/priorities/new",  # a staff form
        WORKSHOP_CONTROLS,  # a facilitator's button
        "/exercises/<int:exercise_id>/allocate/total",  # htmx only, stores nothing
    ],
)
def test_the_sweep_fails_when_a_view_stops_checking_its_token(sweep, rule):
    endpoint = post_rules(sweep.app)[rule].endpoint
    with view_stops_checking(sweep.app, endpoint):
        problems, valid = sweep_rule(sweep, rule)
    assert valid
    assert any("without a token" in problem for problem in problems), problems
    if CASES[rule].shows is None:
        assert any("without a token wrote" in problem for problem in problems), problems
