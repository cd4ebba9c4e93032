"""Signing in (password, then a code when two-factor is on) and signing out."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user

from engage.accounts import bp, service, sessions, throttle, two_factor
from engage.accounts.forms import SignInCodeForm, SignInForm
from engage.accounts.signing_in import (
    begin_code_step,
    complete_sign_in,
    forget_signing_in,
    note_password_strength,
    pending_sign_in,
    record_attempt,
    require_two_factor,
)
from engage.audit import service as audit
from engage.errors import refuse_for
from engage.extensions import limiter
from engage.forms import form_page
from engage.urls import safe_next

bp.before_app_request(require_two_factor)


def _sign_in_limit() -> str:
    return current_app.config["ENGAGE_SIGN_IN_LIMIT"]


def _too_many(seconds: int) -> str:
    return ngettext(
        "Too many attempts to sign in with this email address. Wait %(num)d minute and try again, or ask an "
        "administrator for help.",
        "Too many attempts to sign in with this email address. Wait %(num)d minutes and try again, or ask an "
        "administrator for help.",
        throttle.minutes(seconds),
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@form_page
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("public.manage_home"))
    form = SignInForm()
    refused = False
    if form.validate_on_submit():
        email = form.email.data
        allowance = throttle.password_allowance(email, request.cookies.get(throttle.DEVICE_COOKIE))
        wait = throttle.wait_seconds(allowance)
        user = None if wait else service.authenticate(email, form.password.data)
        if wait:
            refused = True
            refuse_for(wait)
            record_attempt("sign_in_refused", email, "too many failed attempts for this account")
            form.add_error("email", _too_many(wait))
        elif user is None:
            throttle.note_failure(allowance)
            record_attempt("sign_in_failed", email)
            form.add_error("email", _("Enter a correct email address and password"))
        else:
            throttle.forget_failures(allowance)
            note_password_strength(user, form.password.data)
            next_url = safe_next(request.args.get("next"), url_for("public.manage_home"))
            if user.has_two_factor:
                begin_code_step(user, next_url)
                return redirect(url_for("accounts.sign_in_code"))
            return complete_sign_in(user, next_url, "password")
    status = 429 if refused else 400 if form.errors else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/sign-in/code", methods=["GET", "POST"])
@form_page
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in_code():
    if current_user.is_authenticated:
        return redirect(url_for("public.manage_home"))
    pending = pending_sign_in()
    if pending is None:
        flash(_("Sign in with your email address and password first. The code step lasts 5 minutes."))
        return redirect(url_for("accounts.sign_in"))
    user, next_url = pending
    form = SignInCodeForm()
    refused = False
    if form.validate_on_submit():
        allowance = throttle.code_allowance(user)
        wait = throttle.wait_seconds(allowance)
        code = two_factor.normalise_code(form.code.data)
        if wait:
            refused = True
            refuse_for(wait)
            record_attempt("sign_in_code_refused", user.email, "too many wrong codes")
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes. Wait %(num)d minute and try again, or ask an administrator.",
                    "Too many wrong codes. Wait %(num)d minutes and try again, or ask an administrator.",
                    throttle.minutes(wait),
                ),
            )
        elif two_factor.use_totp_code(user, code):
            throttle.forget_failures(allowance)
            return complete_sign_in(user, next_url, "password and authenticator code")
        elif two_factor.use_recovery_code(user, code):
            throttle.forget_failures(allowance)
            left = two_factor.recovery_codes_left(user)
            audit.record("recovery_code_used", f"user_id={user.id}", f"{left} left", actor=user.email)
            message = ngettext(
                "Signed in with a recovery code. You have %(num)d left: get new ones from Your account.",
                "Signed in with a recovery code. You have %(num)d left: get new ones from Your account.",
                left,
            )
            return complete_sign_in(user, next_url, "password and recovery code", message)
        else:
            throttle.note_failure(allowance)
            record_attempt("sign_in_code_failed", user.email)
            form.add_error(
                "code",
                _("Enter the current code from your authenticator app, or a recovery code you have not used"),
            )
    status = 429 if refused else 400 if form.errors else 200
    return render_template("accounts/sign_in_code.html", form=form), status


@bp.post("/sign-out")
@login_required
def sign_out():
    audit.record("sign_out")
    current = sessions.current_session()
    if current is not None:
        sessions.end_session(current)
    sessions.forget_session()
    forget_signing_in()
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("public.home"))
