"""The CSRF sweep's check of one POST route: a valid post without its token changes nothing.

For each route, as someone allowed to use it, the sweep reads the form the real page shows for the route,
fills it as a person would (``Case.fill``) and posts it three times, each in a SAVEPOINT rolled back
afterwards, so all three start from the same data:

1. without the token, as a plain form post;
2. without the token, as an htmx request;
3. with the token (the form's hidden field, or for htmx the page's ``<meta name="csrf-token">`` in the
   ``X-CSRFToken`` header, as ``engage.js`` sends it).

Post 3 proves the payload valid: it must do what the route does (write to the database, or change the
visitor's session where the route keeps a draft there, or send an email) and answer with a redirect or a
success, never a form error. Posts 1 and 2 must write nothing, leave the session as it was, send nothing
and answer with the "session has timed out" page (400), or, for a ``@form_page`` view, the form again with
"This form was open too long..." and what was typed still in it.

Writes are seen as SQL (every INSERT, UPDATE or DELETE sent, or WITH that does one: the audit log's rule,
``engage.audit.service.WRITES``), so a view that writes and then rolls back
(a ``@form_page`` view changing something before its form is valid, undone by the CSRF handler) is caught.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pyotp
from flask import Flask, g, request
from flask.testing import FlaskClient
from sqlalchemy import Connection, event, update
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from engage.accounts.models import User
from engage.audit.service import WRITES
from engage.extensions import csrf, db
from engage.forms import CSRF_EXPIRED
from tests.security.page_forms import Control, PageForm, forms_on

META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
TIMED_OUT = "Your session has timed out"
#: Form controls whose value a person does not type (or a page never sends back).
NOT_TYPED = {"hidden", "password", "file", "submit", "button", "reset", "image"}


@contextmanager
def writes_recorded() -> Iterator[list[str]]:
    """Collect every INSERT, UPDATE and DELETE the app sends to the database."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if WRITES.match(statement):
            seen.append(" ".join(statement.split())[:90])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a SAVEPOINT of the test's connection, and undo everything it wrote."""
    connection = db.engines[None]  # the test's connection (tests/conftest.py swaps it in)
    assert isinstance(connection, Connection), "needs a test in a rolled-back transaction (not real_commits)"
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        db.session.remove()
        savepoint.rollback()


@contextmanager
def view_stops_checking(app: Flask, endpoint: str) -> Iterator[None]:
    """A mutation: the view no longer checks the CSRF token, as if someone had exempted it.

    ``csrf.exempt`` takes the view out of the global check; its forms would still check the token
    themselves (a FlaskForm does when the global check has not passed), so the request is also marked as
    checked for this endpoint only, which is what an exempted view whose forms ignore the token looks like.
    Both are undone afterwards.
    """
    view = app.view_functions[endpoint]
    name = f"{view.__module__}.{view.__name__}"
    assert name not in csrf._exempt_views, f"{endpoint} is already exempt"

    def trust_the_post() -> None:
        if request.endpoint == endpoint:
            g.csrf_valid = True

    csrf.exempt(view)
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.append(trust_the_post)
    try:
        yield
    finally:
        hooks.remove(trust_the_post)
        csrf._exempt_views.discard(name)


Fill = dict[str, Any] | Callable[[PageForm, "Sweep"], dict[str, Any]]


def filled(form: PageForm, fill: dict[str, Any], button: tuple[str, str] | None) -> list[tuple[str, str]]:
    """What a person sends: the page's values, a choice made where a set of radios has none, and ``fill``
    (a value, or a list for a field sent several times) typed over them."""
    sent = form.values(button=_button(form, button))
    named_radios: dict[str, list[Control]] = {}
    for control in form.controls:
        if control.type == "radio":
            named_radios.setdefault(control.name, []).append(control)
    for name, radios in named_radios.items():
        if not any(r.checked for r in radios) and name not in fill:
            sent.append((name, radios[0].value))
    sent = [(name, value) for name, value in sent if name not in fill]
    for name, value in fill.items():
        values = value if isinstance(value, list) else [value]
        sent += [(name, v if isinstance(v, tuple) else str(v)) for v in values]
    return sent


def _button(form: PageForm, chosen: tuple[str, str] | None) -> Control | None:
    """The button pressed: the one named, else the form's main one (``submit``, or the only one)."""
    buttons = form.buttons
    if chosen is not None:
        return next(b for b in buttons if (b.name, b.value) == chosen)
    main = [b for b in buttons if b.name in {"", "submit"}]
    return (main or buttons or [None])[0]


@dataclass
class Posted:
    response: TestResponse
    writes: list[str]
    session_changed: bool
    mails: int

    @property
    def html(self) -> str:
        return self.response.get_data(as_text=True)


@dataclass
class Sweep:
    """One test's sweep: the app, a client per person, the demo's ids and what earlier steps made."""

    app: Flask
    values: dict[str, Any]
    #: Each demo user's password, by email.
    passwords: dict[str, str]
    #: Messages the app sent (``engage.mail.send`` is replaced by a recorder).
    outbox: list
    #: The demo administrator's authenticator key (the admin signs in with a code as well).
    admin_totp_secret: str = ""
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    #: Ids the steps made (a draft, a sheet), for paths: ``{draft_id}``.
    made: dict[str, Any] = field(default_factory=dict)

    def client(self, who: str) -> FlaskClient:
        """``admin`` (or a demo user's email) signed in; ``resident`` or ``visitor`` not signed in."""
        if who not in self.clients:
            client = self.app.test_client()
            email = "admin@aldermoor.example" if who == "admin" else who
            if "@" in email:
                self._sign_in(client, email)
            self.clients[who] = client
        return self.clients[who]

    def _sign_in(self, client: FlaskClient, email: str) -> None:
        form, _html = self.form(client, "/sign-in")
        data = filled(form, {"email": email, "password": self.passwords[email]}, None)
        response = client.post("/sign-in", data=MultiDict(data))
        assert response.status_code == 302
        if response.location.endswith("/sign-in/code"):
            form, _html = self.form(client, "/sign-in/code")
            data = filled(form, {"code": self.admin_code()}, None)
            assert client.post("/sign-in/code", data=MultiDict(data)).status_code == 302

    def admin_code(self) -> str:
        """The demo administrator's code now, usable again (a code is accepted once per 30-second step, and
        the sweep signs the administrator in for each test: forget the step last used, as waiting would)."""
        forget = update(User).where(User.email == "admin@aldermoor.example").values(totp_last_step=None)
        db.session.execute(forget)
        db.session.commit()
        return pyotp.TOTP(self.admin_totp_secret).now()

    def path(self, template: str) -> str:
        return template.format(**{**self.values, **self.made})

    def typed(self, form: PageForm, fill: Fill | None) -> dict[str, Any]:
        """What a person types into ``form``: ``fill``, with the demo's ids put into its names and text."""
        given = fill(form, self) if callable(fill) else dict(fill or {})
        return {self.path(name): self.path(v) if isinstance(v, str) else v for name, v in given.items()}

    def form(self, client: FlaskClient, page: str, action: str | None = None) -> tuple[PageForm, str]:
        """The form on ``page`` that posts to ``action`` (default: the page itself), and the page."""
        response = client.get(page)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, f"GET {page}: {response.status_code} {response.location}"
        target = action or page
        forms = [f for f in forms_on(html, page) if f.posts_to(target)]
        assert forms, f"no form on {page} posts to {target}"
        return forms[0], html

    def submit(
        self,
        who: str,
        page: str,
        action: str | None = None,
        fill: Fill | None = None,
        button: tuple[str, str] | None = None,
    ) -> TestResponse:
        """A step before the route under test: post a form as ``who`` would, with its token."""
        client = self.client(who)
        page, action = self.path(page), self.path(action) if action else None
        form, _html = self.form(client, page, action)
        response = client.post(action or page, data=_form_data(filled(form, self.typed(form, fill), button)))
        problems = _error_texts(response.get_data(as_text=True))
        assert response.status_code in {200, 201, 302, 303}, f"{page}: {response.status_code} {problems}"
        assert not problems, f"{page}: {problems}"
        return response

    def session_of(self, client: FlaskClient) -> dict:
        cookie = client.get_cookie("session")
        if cookie is None:
            return {}
        loaded = self.app.session_interface.get_signing_serializer(self.app).loads(cookie.value)
        return {k: v for k, v in loaded.items() if k != "csrf_token"}

    def post(self, client: FlaskClient, path: str, data: list, headers: dict[str, str]) -> Posted:
        """Post in a savepoint that is rolled back; say what it wrote, and whether the session changed."""
        before, mails = self.session_of(client), len(self.outbox)
        with rolled_back(), writes_recorded() as writes:
            response = client.post(path, data=_form_data(data), headers=headers)
        after = self.session_of(client)
        return Posted(response, writes, before != after, len(self.outbox) - mails)


def _form_data(sent: list[tuple[str, Any]]) -> MultiDict:
    """The post's body; a file (``(bytes, name)``) gets a fresh stream each time."""
    return MultiDict([(name, (BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v) for name, v in sent])


@dataclass(frozen=True)
class Case:
    """How someone allowed to use a POST route would post to it.

    ``page``: where its form is; ``action``: the path posted to (default: the rule filled with demo ids);
    ``who``: ``admin``, a demo email, or ``resident``/``visitor`` (not signed in, with the cookies the steps
    gave them); ``steps``: what they did first (each a real post with its token); ``fill``: what they type;
    ``button``: the button pressed, when not the form's main one; ``effect``: what the route does (``writes``,
    ``session`` for a draft kept in the session, ``mail``), or ``shows``: for a route that changes nothing
    by design (with the reason in the table), text its answer must contain; ``headers``: for an htmx-only
    route, what htmx sends (its token then goes in ``X-CSRFToken``).
    """

    page: str
    action: str | None = None
    who: str = "admin"
    steps: Callable[[Sweep], None] | None = None
    fill: Fill | None = None
    button: tuple[str, str] | None = None
    effect: str = "writes"
    shows: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def check_route(sweep: Sweep, case: Case, form_page: bool) -> tuple[list[str], bool]:
    """Post the route's valid payload without and with its token (see the module's docstring).

    Returns the problems found, and whether the payload was proved valid.
    """
    if case.steps:
        case.steps(sweep)
    client = sweep.client(case.who)
    page = sweep.path(case.page)
    action = sweep.path(case.action or case.page)
    form, html = sweep.form(client, page, action)
    payload = filled(form, sweep.typed(form, case.fill), case.button)
    tokenless = [(name, value) for name, value in payload if name != "csrf_token"]
    headers = {name: sweep.path(value) for name, value in case.headers.items()}
    htmx = {"HX-Request": "true", **headers}
    problems = []
    # A form the page posts without htmx is never sent with htmx by the app: its htmx variant is a forged
    # request, which must change nothing and be refused (4xx), whatever the page it gets.
    never_htmx = not headers and action not in form.hx_posts
    for kind, sent_headers in (("plain", {}), ("htmx", htmx)):
        posted = sweep.post(client, action, tokenless, sent_headers)
        found = _refused(posted, form, tokenless, form_page, forged=kind == "htmx" and never_htmx)
        problems += [f"{kind} post without a token {p}" for p in found]
    token_headers = dict(headers)
    if headers:
        token_headers["X-CSRFToken"] = META_TOKEN.search(html).group(1)
    elif not any(name == "csrf_token" for name, _v in payload):
        problems.append("the form has no csrf_token field")
    posted = sweep.post(client, action, payload, token_headers)
    failure = _did_its_job(posted, case.effect, sweep.path(case.shows) if case.shows else None)
    if failure:
        problems.append(f"the payload is not valid: with its token, {failure}")
    return problems, failure is None


def _refused(
    posted: Posted, form: PageForm, sent: list[tuple[str, str]], form_page: bool, forged: bool
) -> list[str]:
    problems = []
    if posted.writes:
        problems.append(f"wrote {posted.writes[:3]}")
    if posted.session_changed:
        problems.append("changed the session")
    if posted.mails:
        problems.append("sent an email")
    html, status = posted.html, posted.response.status_code
    if status == 400 and TIMED_OUT in html:
        return problems
    if form_page and str(CSRF_EXPIRED) in html:
        again = [f for f in forms_on(html, form.action) if f.action == form.action]
        if again and not forged:
            problems += _typed_lost(form, sent, again[0])
        return problems
    if forged and status == 400:
        return problems
    where = posted.response.location or html[:80]
    expected = "the form with its 'open too long' message" if form_page else "the 'session timed out' page"
    problems.append(f"answered {status} ({where}), not {expected}")
    return problems


def _typed_lost(form: PageForm, sent: list[tuple[str, str]], again: PageForm) -> list[str]:
    """Fields whose typed value the re-shown form no longer has."""
    typed = {c.name for c in form.controls if c.type not in NOT_TYPED and c.name != "csrf_token"}
    shown = again.values()
    lost = []
    for name in sorted(typed):
        before = [v for n, v in sent if n == name]
        after = [v for n, v in shown if n == name]
        if before != after and any(before):
            lost.append(f"did not keep what was typed in {name} ({before} became {after})")
    return lost


def _did_its_job(posted: Posted, effect: str, shows: str | None) -> str | None:
    """None when the post did what the route does; else what went wrong."""
    response, html = posted.response, posted.html
    if response.status_code not in {200, 201, 204, 302, 303}:
        return f"it answered {response.status_code}: {_error_texts(html) or html[:200]!r}"
    if "govuk-error-summary" in html or "govuk-error-message" in html:
        return "it answered with a form error: " + " | ".join(_error_texts(html))
    if response.status_code == 200 and "<title>Error:" in html:
        return "it answered with a form error"
    if shows is not None:
        answer = (response.location or "") + html
        return None if shows in answer else f"its answer lacks {shows!r}"
    did = {"writes": bool(posted.writes), "session": posted.session_changed, "mail": posted.mails > 0}
    return None if did[effect] else f"it did not change anything ({effect}); {response.location}"


def _error_texts(html: str) -> list[str]:
    summary = html.partition("govuk-error-summary__list")[2].partition("</ul>")[0]
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in summary.split("</li>")[:-1]]
