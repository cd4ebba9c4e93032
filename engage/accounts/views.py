"""Organisations and users (administrators)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engage.accounts import bp, service, sessions
from engage.accounts.forms import ORGANISATION_KIND_LABELS, ROLE_LABELS, OrganisationForm, UserForm
from engage.accounts.models import Organisation, OrganisationKind, User
from engage.accounts.permissions import admin_required
from engage.audit import service as audit
from engage.extensions import db
from engage.forms import form_page
from engage.service_errors import FieldConflict


@bp.get("/manage/organisations")
@admin_required
def organisations():
    return render_template(
        "accounts/organisations.html",
        organisations=service.list_organisations(),
        kind_labels=ORGANISATION_KIND_LABELS,
    )


@bp.route("/manage/organisations/new", methods=["GET", "POST"])
@bp.route("/manage/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@form_page
@admin_required
def edit_organisation(organisation_id: int | None = None):
    organisation = db.get_or_404(Organisation, organisation_id) if organisation_id else None
    form = OrganisationForm(obj=organisation, organisation=organisation)
    if request.method == "GET" and organisation is not None:
        form.kind.data = organisation.kind.value
    if form.validate_on_submit():
        try:
            saved = service.save_organisation(
                organisation, name=form.name.data, kind=OrganisationKind(form.kind.data)
            )
        except FieldConflict as conflict:
            form.add_error(conflict.field, conflict.message)
        else:
            flash(_("Saved %(name)s.", name=saved.name), "success")
            return redirect(url_for("accounts.organisations"))
    status = 400 if form.errors else 200
    return render_template("accounts/organisation_form.html", form=form, organisation=organisation), status


@bp.get("/manage/users")
@admin_required
def users():
    return render_template("accounts/users.html", users=service.list_users(), role_labels=ROLE_LABELS)


@bp.route("/manage/users/new", methods=["GET", "POST"])
@bp.route("/manage/users/<int:user_id>/edit", methods=["GET", "POST"])
@form_page
@admin_required
def edit_user(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user, user=user, editor=current_user, organisations=service.list_organisations())
    if request.method == "GET" and user is not None:
        form.roles.data = [role.value for role in user.roles]
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        fields = {
            "email": form.email.data,
            "name": form.name.data,
            "organisation": organisation,
            "roles": form.selected_roles,
        }
        roles_before = sorted(role.value for role in user.roles) if user is not None else []
        try:
            if user is None:
                saved = service.create_user(password=form.password.data, **fields)
            else:
                saved = service.update_user(
                    user,
                    active=form.active.data,
                    password=form.password.data,
                    keep_session=sessions.current_session() if user.id == current_user.id else None,
                    **fields,
                )
        except FieldConflict as conflict:
            form.add_error(conflict.field, conflict.message)
        else:
            target = f"user_id={saved.id} ({saved.email})"
            roles_after = sorted(role.value for role in saved.roles)
            if roles_after != roles_before:
                change = f"{', '.join(roles_before) or 'none'} -> {', '.join(roles_after) or 'none'}"
                audit.record("roles_changed", target, change)
            if user is not None and form.password.data:
                audit.record("password_reset", target, "set by an administrator; their sessions ended")
            flash(_("Saved %(name)s.", name=saved.name), "success")
            return redirect(url_for("accounts.users"))
    status = 400 if form.errors else 200
    return render_template("accounts/user_form.html", form=form, user=user), status


@bp.post("/manage/users/<int:user_id>/two-factor/reset")
@admin_required
def reset_two_factor(user_id: int):
    """Turn off another user's two-factor (a lost phone and lost recovery codes): they sign in with their
    password and set it up again (administrators must). Their sessions end."""
    user = db.get_or_404(User, user_id)
    if user.has_two_factor:
        service.reset_two_factor(user, sessions.current_session() if user.id == current_user.id else None)
        audit.record("two_factor_reset", f"user_id={user.id} ({user.email})", "by an administrator")
        flash(_("Two-factor authentication is off for %(name)s, and they are signed out.", name=user.name))
    return redirect(url_for("accounts.edit_user", user_id=user.id))
