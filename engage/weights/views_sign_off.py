"""Partnership boards decide: accountable members review a submitted draft (preview, method statement,
robustness) and approve or send it back; the analysts may take a submission back; the oversight page lists
every partnership decision waiting and made."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.accounts.permissions import can_build_weights
from engage.boards.accountable import is_accountable_member
from engage.forms import form_page
from engage.service_errors import StateError
from engage.web import allow_inline_styles
from engage.weights import bp, sign_off
from engage.weights.access import weight_set_for
from engage.weights.charts import preview_chart_rows, weights_chart
from engage.weights.forms import ApproveForm, SendBackForm, TakeBackForm, channel_words
from engage.weights.method import method_parameters, method_statement
from engage.weights.models import SignOff, WeightSet
from engage.weights.preview import compute_preview


def _waiting(weight_set: WeightSet) -> SignOff:
    """The submission waiting on this set, or back to the draft with a message when there is none."""
    waiting = weight_set.pending_sign_off
    if waiting is None:
        abort(redirect(url_for(".weight_set", weight_set_id=weight_set.id)))
    return waiting


def _render_sign_off(
    weight_set: WeightSet,
    approve_form: ApproveForm | None = None,
    send_back_form: SendBackForm | None = None,
    status: int = 200,
):
    waiting = weight_set.pending_sign_off
    preview = compute_preview(weight_set) if weight_set.is_draft else None
    if preview is None or not preview.can_publish or waiting is None:
        flash(_("There is nothing waiting for sign-off on this weight set."), "error")
        return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    chart = weights_chart(preview_chart_rows(preview))
    if chart:
        allow_inline_styles()  # Plotly.js writes a <style> element
    approve_form = approve_form or ApproveForm(formdata=None)
    approve_form.fingerprint.data = preview.fingerprint()
    failed = approve_form if approve_form.errors else send_back_form
    return render_template(
        "weights/sign_off.html",
        weight_set=weight_set,
        board=weight_set.board,
        waiting=waiting,
        preview=preview,
        chart=chart,
        statement=method_statement(method_parameters(weight_set, preview)),
        changed_since_submitted=waiting.fingerprint != preview.fingerprint(),
        channel_words=channel_words(weight_set),
        can_decide=is_accountable_member(current_user, weight_set.board),
        approve_form=approve_form,
        send_back_form=send_back_form or SendBackForm(formdata=None),
        form=failed,  # base.html puts a failed form's error summary at the top of the page
    ), status


@bp.get("/manage/weights/<int:weight_set_id>/sign-off")
@login_required
def sign_off_weight_set(weight_set_id: int):
    """What an accountable member reads before deciding (others on the board may read it too)."""
    return _render_sign_off(weight_set_for(weight_set_id, build=False))


def _decider_for(weight_set_id: int) -> tuple[WeightSet, SignOff]:
    weight_set = weight_set_for(weight_set_id, build=False)
    if not is_accountable_member(current_user, weight_set.board):
        abort(403)
    return weight_set, _waiting(weight_set)


@bp.post("/manage/weights/<int:weight_set_id>/sign-off/approve")
@form_page
@login_required
def approve_weight_set(weight_set_id: int):
    weight_set, waiting = _decider_for(weight_set_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _render_sign_off(weight_set, approve_form=form, status=400)
    try:
        sign_off.approve(
            waiting,
            current_user,
            form.minute_reference.data,
            form.comment.data or "",
            form.fingerprint.data or "",
        )
    except sign_off.ChangedSinceChecked:
        form.add_error(
            "minute_reference",
            _(
                "The weights have changed since this page was opened (new answers arrived). "
                "Read them again before approving."
            ),
        )
        return _render_sign_off(weight_set, approve_form=form, status=400)
    except StateError as problem:
        flash(problem.message, "error")
        return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    flash(
        _("Approved: version %(version)s is published as the board's decision.", version=weight_set.version),
        "success",
    )
    return redirect(url_for(".weight_set", weight_set_id=weight_set.id))


@bp.post("/manage/weights/<int:weight_set_id>/sign-off/send-back")
@form_page
@login_required
def send_back_weight_set(weight_set_id: int):
    weight_set, waiting = _decider_for(weight_set_id)
    form = SendBackForm()
    if not form.validate_on_submit():
        return _render_sign_off(weight_set, send_back_form=form, status=400)
    try:
        sign_off.send_back(waiting, current_user, form.reason.data)
    except StateError as problem:
        flash(problem.message, "error")
    else:
        flash(_("Sent back to the analysts with your comment."), "success")
    return redirect(url_for(".oversight"))


@bp.post("/manage/weights/<int:weight_set_id>/sign-off/take-back")
@login_required
def take_back_weight_set(weight_set_id: int):
    weight_set = weight_set_for(weight_set_id, build=True)
    waiting = _waiting(weight_set)
    if not TakeBackForm().validate_on_submit():
        abort(400)
    try:
        sign_off.take_back(waiting, current_user)
    except StateError as problem:
        flash(problem.message, "error")
    else:
        flash(_("Took the submission back: the draft can be changed again."), "success")
    return redirect(url_for(".weight_set", weight_set_id=weight_set.id))


@bp.get("/manage/oversight")
@login_required
def oversight():
    """Every partnership decision waiting and made, for accountable members (their boards) and admins."""
    if not sign_off.can_see_oversight(current_user):
        abort(403)
    return render_template(
        "weights/oversight.html",
        oversight=sign_off.oversight_for(current_user),
        can_build=lambda board: can_build_weights(current_user, board),
    )
