"""Administrators issue API tokens to partner organisations (shown once) and revoke them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from engage.accounts.models import Organisation
from engage.accounts.permissions import admin_required
from engage.api import bp
from engage.api.forms import IssueTokenForm
from engage.api.models import ApiToken, TokenScope
from engage.api.tokens import all_tokens, issue_token, revoke_token
from engage.database import utcnow
from engage.extensions import db
from engage.forms import form_page
from engage.weights.forms import RevokeTokenForm


@bp.route("/manage/api-tokens", methods=["GET", "POST"])
@form_page
@admin_required
def api_tokens():
    form = IssueTokenForm()
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    form.organisation.choices = [SelectChoice(org.id, org.name) for org in organisations]
    new_token = new_row = None
    if form.validate_on_submit():
        organisation = db.get_or_404(Organisation, form.organisation.data)
        new_row, new_token = issue_token(
            organisation, form.name.data, current_user, form.days.data, TokenScope(form.scope.data)
        )
        form = IssueTokenForm(formdata=None)
        form.organisation.choices = [SelectChoice(org.id, org.name) for org in organisations]
    status = 400 if form.errors else (201 if new_token else 200)
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=all_tokens(),
        new_token=new_token,
        new_row=new_row,
        now=utcnow(),
        revoke_form=RevokeTokenForm(formdata=None),
    ), status


@bp.post("/manage/api-tokens/<int:token_id>/revoke")
@admin_required
def revoke_api_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    revoke_token(token, current_user)
    flash(
        _("Revoked the token “%(name)s”. Systems using it can no longer read the API.", name=token.name),
        "success",
    )
    return redirect(url_for(".api_tokens"))
