"""A signed-in person's own account: their password, two-factor authentication and recovery codes."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from engage.accounts import bp, service, sessions, throttle, two_factor
from engage.accounts.forms import ROLE_LABELS, ChangePasswordForm, ConfirmPasswordForm, TwoFactorSetupForm
from engage.accounts.passwords import verify_password
from engage.accounts.signing_in import forget_setup, password_change_owed, password_changed, setup_secret
from engage.audit import service as audit
from engage.forms import form_page
from engage.service_errors import FieldConflict


def _me() -> str:
    return f"user_id={current_user.id}"


def _allowance(form: ConfirmPasswordForm | ChangePasswordForm, field: str) -> throttle.Allowance | None:
    """The sign-in throttle's count for the password asked for again before a change (so a stolen session
    cannot be used to guess it); None, with a message on ``field``, when it is used up."""
    allowance = throttle.password_allowance(current_user.email, request.cookies.get(throttle.DEVICE_COOKIE))
    wait = throttle.wait_seconds(allowance)
    if not wait:
        return allowance
    form.add_error(
        field,
        ngettext(
            "Too many wrong passwords. Wait %(num)d minute and try again.",
            "Too many wrong passwords. Wait %(num)d minutes and try again.",
            throttle.minutes(wait),
        ),
    )
    return None


def _wrong_password(allowance: throttle.Allowance) -> None:
    throttle.note_failure(allowance)
    audit.record("password_check_failed", _me(), request.endpoint or "")


def _password_refused(form: ConfirmPasswordForm) -> bool:
    """True (with a message on the form) when the password given again is wrong or may not be tried now."""
    allowance = _allowance(form, "password")
    if allowance is None:
        return True
    if not verify_password(current_user.password_hash, form.password.data):
        _wrong_password(allowance)
        form.add_error("password", _("Your password is not right"))
        return True
    return False


@bp.get("/account")
@login_required
def account():
    return render_template(
        "accounts/account.html",
        role_labels=ROLE_LABELS,
        required=two_factor.required_for(current_user),
        codes_left=two_factor.recovery_codes_left(current_user) if current_user.has_two_factor else 0,
        live_sessions=sessions.live_sessions(current_user),
        this_session=sessions.current_session(),
    )


@bp.route("/account/sign-out-elsewhere", methods=["GET", "POST"])
@form_page
@login_required
def sign_out_elsewhere():
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and not _password_refused(form):
        ended = sessions.end_sessions(current_user, keep=sessions.current_session())
        audit.record("signed_out_elsewhere", _me(), f"{ended} other sessions ended")
        flash(_("You are signed out of every other browser."), "success")
        return redirect(url_for("accounts.account"))
    status = 400 if form.errors else 200
    return render_template("accounts/confirm_password.html", form=form, action="sessions"), status


@bp.route("/account/password", methods=["GET", "POST"])
@form_page
@login_required
def change_password():
    form = ChangePasswordForm()
    allowance = _allowance(form, "current_password") if form.validate_on_submit() else None
    if allowance is not None:
        try:
            service.change_own_password(
                current_user, form.current_password.data, form.new_password.data, sessions.current_session()
            )
        except FieldConflict as conflict:
            if conflict.field == "current_password":
                _wrong_password(allowance)
            form.add_error(conflict.field, conflict.message)
        else:
            password_changed()
            audit.record("password_changed", _me(), "by the user; their other sessions ended")
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return redirect(url_for("accounts.account"))
    status = 400 if form.errors else 200
    return render_template("accounts/change_password.html", form=form, owed=password_change_owed()), status


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@form_page
@login_required
def two_factor_setup():
    if current_user.has_two_factor:
        return redirect(url_for("accounts.account"))
    secret = setup_secret(current_user)
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        step = two_factor.check_setup_code(secret, form.code.data)
        if step is None:
            form.add_error(
                "code",
                _("The code is not right. Check the app shows this service and enter the code it shows now"),
            )
        else:
            codes = two_factor.enable(current_user, secret, step)
            forget_setup()
            ended = sessions.end_sessions(current_user, keep=sessions.current_session())
            audit.record("two_factor_enabled", _me(), f"{ended} other sessions ended")
            return render_template("accounts/recovery_codes.html", codes=codes, first_time=True)
    uri = two_factor.setup_uri(current_user, secret)
    service_name = current_app.config["ENGAGE_SERVICE_NAME"]
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        qr=two_factor.qr_svg(uri, _("QR code to add %(name)s to an authenticator app", name=service_name)),
        key=two_factor.grouped(secret),
        required=two_factor.required_for(current_user),
    ), (400 if form.errors else 200)


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@form_page
@login_required
def new_recovery_codes():
    if not current_user.has_two_factor:
        return redirect(url_for("accounts.two_factor_setup"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and not _password_refused(form):
        codes = two_factor.new_recovery_codes(current_user)
        ended = sessions.end_sessions(current_user, keep=sessions.current_session())
        audit.record("recovery_codes_replaced", _me(), f"{ended} other sessions ended")
        return render_template("accounts/recovery_codes.html", codes=codes, first_time=False)
    status = 400 if form.errors else 200
    return render_template("accounts/confirm_password.html", form=form, action="codes"), status


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@form_page
@login_required
def turn_off_two_factor():
    if not current_user.has_two_factor:
        return redirect(url_for("accounts.account"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and not _password_refused(form):
        service.reset_two_factor(current_user, keep_session=sessions.current_session())
        audit.record("two_factor_turned_off", _me(), "by the user; their other sessions ended")
        if two_factor.required_for(current_user):
            flash(_("Set up two-factor authentication again with your new phone or app."))
            return redirect(url_for("accounts.two_factor_setup"))
        flash(_("Two-factor authentication is off."), "success")
        return redirect(url_for("accounts.account"))
    required = two_factor.required_for(current_user)
    page = render_template("accounts/confirm_password.html", form=form, action="off", required=required)
    return page, 400 if form.errors else 200
