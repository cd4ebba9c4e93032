"""Analysts build a board's weight set (sources, blend, channels, weighting), preview, publish, withdraw."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage import content
from engage.accounts.permissions import can_build_weights
from engage.boards.access import board_for
from engage.boards.accountable import is_accountable_member
from engage.boards.service import get_board_or_404
from engage.content.screen import translation_screen
from engage.forms import form_page
from engage.i18n import LANGUAGE_NAMES
from engage.service_errors import StateError
from engage.web import allow_inline_styles
from engage.weights import bp, service, sign_off
from engage.weights.access import require_builder, weight_set_for
from engage.weights.charts import chart_rows, preview_chart_rows, weights_chart
from engage.weights.forms import (
    DeleteDraftForm,
    PublishForm,
    TakeBackForm,
    WithdrawForm,
    channel_words,
    weight_set_form,
)
from engage.weights.models import WeightSet
from engage.weights.preview import compute_preview, source_share_table
from engage.weights.versions import draft_weight_sets, is_superseded, published_weight_sets


@bp.get("/manage/boards/<slug>/weights")
@login_required
def manage_weights(slug: str):
    board = board_for(slug)
    return render_template(
        "weights/manage_weights.html",
        board=board,
        versions=published_weight_sets(board),
        drafts=draft_weight_sets(board),
        can_build=can_build_weights(current_user, board),
    )


@bp.route("/manage/boards/<slug>/weights/new", methods=["GET", "POST"])
@bp.route("/manage/weights/<int:weight_set_id>/edit", methods=["GET", "POST"])
@form_page
@login_required
def edit_weight_set(slug: str | None = None, weight_set_id: int | None = None):
    weight_set = weight_set_for(weight_set_id, build=True) if weight_set_id else None
    board = weight_set.board if weight_set else get_board_or_404(slug or abort(404))
    require_builder(board)
    if weight_set is not None and not weight_set.is_draft:
        flash(_("A published weight set never changes. Build a new version instead."), "error")
        return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    if weight_set is not None and weight_set.pending_sign_off is not None:
        flash(
            _("This draft is waiting for sign-off, so it cannot change. Take the submission back first."),
            "error",
        )
        return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    candidates = service.candidate_sources(board)
    chosen = {service.source_key(s): s.blend for s in weight_set.sources} if weight_set else {}
    form = weight_set_form(candidates, {k: round(v) for k, v in chosen.items()})
    if weight_set is not None and not form.is_submitted():
        form.channels.data = [c.value for c in weight_set.channel_list]
        form.population_weighting.data = weight_set.population_weighting
    if candidates and form.validate_on_submit():
        try:
            saved = service.save_draft(
                board,
                current_user,
                form.blends(),
                form.channels.data,
                form.population_weighting.data,
                weight_set,
            )
        except StateError as problem:
            form.add_error(form.source_fields[0][0], problem.message)
        else:
            return redirect(url_for(".weight_set", weight_set_id=saved.id))
    status = 400 if form.errors else 200
    return render_template(
        "weights/weight_set_form.html", form=form, board=board, weight_set=weight_set, candidates=candidates
    ), status


@bp.get("/manage/weights/<int:weight_set_id>")
@login_required
def weight_set(weight_set_id: int):
    weight_set = weight_set_for(weight_set_id, build=False)
    return _render_weight_set(weight_set)


def _source_columns(weight_set: WeightSet, preview) -> tuple[list, list]:
    """[(title, kind, blend, respondents, weighting note, {code: share}, influence)] and [(code, title)]."""
    if preview is not None:
        priorities = weight_set.board.active_priorities
        columns = [
            (
                e.source.title,
                e.kind,
                e.source.blend,
                e.respondents,
                e.weighting_note,
                source_share_table(e, priorities),
                preview.influence.get(e.source.id),
            )
            for e in preview.estimates
        ]
        return columns, [(p.code, p.title) for p in priorities]
    parameters = json.loads(weight_set.parameters)["sources"]
    columns = [
        (
            s.title,
            p["kind"],
            s.blend,
            s.respondents,
            p["weighting"],
            json.loads(s.snapshot or "{}"),
            p.get("influence"),
        )
        for s, p in zip(weight_set.sources, parameters, strict=True)
    ]
    return columns, [(e.priority_code, e.priority_title) for e in weight_set.entries]


def _render_weight_set(weight_set: WeightSet, withdraw_form: WithdrawForm | None = None, status: int = 200):
    preview = compute_preview(weight_set) if weight_set.is_draft else None
    if preview is None:
        chart = weights_chart(chart_rows(weight_set))
    elif preview.blend is not None:
        chart = weights_chart(preview_chart_rows(preview))
    else:
        chart = None
    if chart:
        allow_inline_styles()  # Plotly.js writes a <style> element
    columns: list
    source_priorities: list
    if preview is not None and preview.problems:
        columns, source_priorities = [], []
    else:
        columns, source_priorities = _source_columns(weight_set, preview)
    return render_template(
        "weights/weight_set.html",
        weight_set=weight_set,
        board=weight_set.board,
        preview=preview,
        chart=chart,
        source_columns=columns,
        source_priorities=source_priorities,
        channel_words=channel_words(weight_set),
        delete_form=DeleteDraftForm(formdata=None),
        take_back_form=TakeBackForm(formdata=None),
        can_decide=is_accountable_member(current_user, weight_set.board),
        withdraw_form=withdraw_form or WithdrawForm(formdata=None),
        form=withdraw_form,  # base.html puts a failed form's error summary at the top of the page
        can_build=can_build_weights(current_user, weight_set.board),
        superseded=is_superseded(weight_set),
        translated=content.progress(weight_set),
        language_names=LANGUAGE_NAMES,
    ), status


@bp.route("/manage/weights/<int:weight_set_id>/publish", methods=["GET", "POST"])
@form_page
@login_required
def publish_weight_set(weight_set_id: int):
    """The confirmation step: what would be published, the warnings, a box to tick; then publish (a
    network's advisory weights) or submit for sign-off (a partnership board's decision)."""
    weight_set = weight_set_for(weight_set_id, build=True)
    if not weight_set.is_draft:
        flash(_("A published weight set never changes. Build a new version instead."), "error")
        return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    if weight_set.pending_sign_off is not None:
        flash(_("This draft is already waiting for sign-off."), "error")
        return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    preview = compute_preview(weight_set)
    if not preview.can_publish:
        flash(_("These weights cannot be published yet: the preview says why."), "error")
        return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    decision = weight_set.board.needs_political_oversight
    form = PublishForm()
    if decision:
        form.confirm.label.text = _(
            "I have checked these weights and the warnings above, and they can go for sign-off"
        )
        form.submit.label.text = _("Submit for sign-off")
    if not form.is_submitted():
        form.fingerprint.data = preview.fingerprint()
    elif form.validate():
        try:
            if decision:
                sign_off.submit(weight_set, current_user, confirmed=form.fingerprint.data or "")
            else:
                service.publish(weight_set, current_user, confirmed=form.fingerprint.data or "")
        except service.ChangedSinceChecked as problem:
            form.add_error("confirm", problem.message)
            form.fingerprint.data = preview.fingerprint()
            form.confirm.data = False
        except StateError as problem:
            flash(problem.message, "error")
            return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
        else:
            if decision:
                flash(
                    _("Submitted for sign-off. The board's accountable members have been asked to decide."),
                    "success",
                )
                return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
            flash(
                _(
                    "Published version %(version)s of the %(board)s weights as advisory.",
                    version=weight_set.version,
                    board=weight_set.board.name,
                ),
                "success",
            )
            return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    return render_template(
        "weights/confirm_publish.html",
        weight_set=weight_set,
        board=weight_set.board,
        preview=preview,
        form=form,
        decision=decision,
        channel_words=channel_words(weight_set),
    ), (400 if form.errors else 200)


@bp.post("/manage/weights/<int:weight_set_id>/delete")
@login_required
def delete_weight_set(weight_set_id: int):
    weight_set = weight_set_for(weight_set_id, build=True)
    if not DeleteDraftForm().validate_on_submit():
        abort(400)
    board = weight_set.board
    try:
        service.delete_draft(weight_set)
    except StateError as problem:
        flash(problem.message, "error")
        return redirect(url_for(".weight_set", weight_set_id=weight_set.id))
    flash(_("Deleted the draft."), "success")
    return redirect(url_for(".manage_weights", slug=board.slug))


@bp.post("/manage/weights/<int:weight_set_id>/withdraw")
@form_page
@login_required
def withdraw_weight_set(weight_set_id: int):
    weight_set = weight_set_for(weight_set_id, build=True)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _render_weight_set(weight_set, form, 400)
    try:
        service.withdraw(weight_set, current_user, form.reason.data)
    except StateError as problem:
        flash(problem.message, "error")
    else:
        flash(_("Withdrew version %(version)s.", version=weight_set.version), "success")
    return redirect(url_for(".weight_set", weight_set_id=weight_set.id))


@bp.route("/manage/weights/<int:weight_set_id>/translations/<locale>", methods=["GET", "POST"])
@form_page
@login_required
def translate_weight_set(weight_set_id: int, locale: str):
    """The method statement (and the reason, once withdrawn) in one language."""
    weight_set = weight_set_for(weight_set_id, build=True)
    return translation_screen(
        weight_set,
        locale,
        title=f"{weight_set.board.name}: {_('version %(number)s', number=weight_set.version)}"
        if weight_set.version
        else weight_set.board.name,
        back_url=url_for(".weight_set", weight_set_id=weight_set.id),
        url=lambda code: url_for(".translate_weight_set", weight_set_id=weight_set.id, locale=code),
    )
