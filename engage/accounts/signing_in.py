"""The web side of signing in, shared by the sign-in and account views: the step between the password and
the code, finishing a sign-in, and sending an administrator without two-factor to set it up first."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from engage.accounts import service, sessions, throttle, two_factor
from engage.accounts.models import User
from engage.audit import service as audit
from engage.extensions import db

#: Who has given the right password and still owes a code, since when, and where they were going.
PENDING_KEY = "engage_pending_sign_in"
#: How long the code step waits after the password.
PENDING_SECONDS = 5 * 60

#: Set at sign-in when the password given breaks today's rules (it was set before they existed).
MUST_CHANGE_KEY = "engage_must_change_password"
#: The authenticator key being set up (and whose), kept until a code confirms it.
SETUP_KEY = "engage_two_factor_setup"

#: What a user who owes two-factor set-up or a new password may still reach.
BEFORE_TWO_FACTOR = {"accounts.two_factor_setup", "accounts.sign_out", "static"}
BEFORE_NEW_PASSWORD = BEFORE_TWO_FACTOR | {"accounts.change_password"}


def note_password_strength(user: User, password: str) -> None:
    """At sign-in: a password that breaks today's rules (common, or containing the email's name) must be
    changed before anything else, once the sign-in is complete."""
    if service.new_password_problem(password, user.email):
        session[MUST_CHANGE_KEY] = True
    else:
        session.pop(MUST_CHANGE_KEY, None)


def password_change_owed() -> bool:
    return bool(session.get(MUST_CHANGE_KEY))


def password_changed() -> None:
    session.pop(MUST_CHANGE_KEY, None)


def setup_secret(user: User) -> str:
    """The key this user is setting up: the same one until they confirm it (a refreshed page must not
    change a QR code already scanned), and never one begun by someone else in this browser."""
    pending = session.get(SETUP_KEY)
    if isinstance(pending, dict) and pending.get("user_id") == user.id and pending.get("secret"):
        return pending["secret"]
    secret = two_factor.new_secret()
    session[SETUP_KEY] = {"user_id": user.id, "secret": secret}
    return secret


def forget_setup() -> None:
    session.pop(SETUP_KEY, None)


def forget_signing_in() -> None:
    """Signing out: nothing of this person's sign-in stays in the browser's session."""
    for key in (PENDING_KEY, MUST_CHANGE_KEY, SETUP_KEY):
        session.pop(key, None)


def begin_code_step(user: User, next_url: str) -> None:
    """The password was right and the user has two-factor: remember them until the code is given."""
    session[PENDING_KEY] = {"user_id": user.id, "since": int(time.time()), "next": next_url}


def pending_sign_in() -> tuple[User, str] | None:
    """The user owing a code and where to go next; None when no sign-in is waiting, it has expired or the
    account can no longer sign in."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or time.time() - data.get("since", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, data.get("user_id"))
    if user is None or not user.active or not user.has_two_factor:
        return None
    return user, data.get("next") or url_for("public.manage_home")


def complete_sign_in(user: User, next_url: str, how: str, message: str | None = None) -> Response:
    """Both factors (or the password alone, where two-factor is not set up) passed: start a session, record
    it, say so (``message``, or "You are signed in"), and give the browser a device cookie for this account
    (see ``throttle``)."""
    session.pop(PENDING_KEY, None)
    sessions.remember_session(sessions.start_session(user))
    login_user(user)
    service.note_sign_in(user)
    audit.record("sign_in", f"user_id={user.id}", how)
    flash(message or _("You are signed in."), "success")
    response = redirect(next_url)
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        throttle.device_cookie(user),
        max_age=throttle.DEVICE_DAYS * 86400,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def record_attempt(action: str, email: str, detail: str = "") -> None:
    """Audit a refused sign-in. An email that matches no account is not kept: it may be someone's password
    typed into the wrong box, or a stranger's address."""
    user = service.find_user_by_email(email)
    if user is None:
        audit.record(action, "", "unknown account", actor="someone signing in")
    else:
        audit.record(action, f"user_id={user.id} ({user.email})", detail, actor="someone signing in")


def require_two_factor() -> Response | None:
    """Before every request: a signed-in user who must use two-factor and has not set it up is sent to set
    it up, whatever they asked for; then one whose password breaks the rules is sent to change it."""
    if request.endpoint in BEFORE_TWO_FACTOR or not current_user.is_authenticated:
        return None
    if not current_user.has_two_factor and two_factor.required_for(current_user):
        return redirect(url_for("accounts.two_factor_setup"))
    if password_change_owed() and request.endpoint not in BEFORE_NEW_PASSWORD:
        return redirect(url_for("accounts.change_password"))
    return None
