"""Analysts upload an indicator export, match its columns, preview every row, import the valid ones."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engage.accounts.models import Role
from engage.accounts.permissions import roles_required
from engage.extensions import db
from engage.forms import form_page
from engage.indicators import bp, service
from engage.indicators.forms import UploadForm, mapping_form
from engage.indicators.models import ImportStatus, IndicatorImport
from engage.indicators.reading import FileProblem
from engage.service_errors import StateError
from engage.uploads import UploadLimits, UploadProblem, read_upload


@bp.route("/manage/indicators", methods=["GET", "POST"])
@form_page
@roles_required(Role.ANALYST)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            raw = read_upload(form.file.data.stream, UploadLimits.current())
            staged = service.stage_upload(raw, form.file.data.filename or "", current_user)
        except UploadProblem as problem:
            form.add_error("file", str(problem))
        else:
            return redirect(url_for(".preview", import_id=staged.id))
    status = 400 if form.errors else 200
    return render_template("indicators/upload.html", form=form, history=service.import_history()), status


def _staged(import_id: int) -> IndicatorImport:
    record = db.get_or_404(IndicatorImport, import_id)
    if not (current_user.is_admin or record.organisation_id == current_user.organisation_id):
        abort(403)
    return record


@bp.route("/manage/indicators/imports/<int:import_id>", methods=["GET", "POST"])
@form_page
@roles_required(Role.ANALYST)
def preview(import_id: int):
    record = _staged(import_id)
    if record.status is ImportStatus.IMPORTED:
        return render_template("indicators/imported.html", record=record)
    try:
        table = service.read_staged(record)  # read once per request, for the guess and the chosen mapping
    except FileProblem as problem:  # staged under larger limits than today's
        form = UploadForm(formdata=None)
        form.add_error("file", str(problem))
        return render_template("indicators/upload.html", form=form, history=service.import_history()), 400
    first = service.preview_table(table, None, current_user)
    form = mapping_form(table.headers, first.mapping)
    result = first
    if form.is_submitted() and form.validate():
        result = service.preview_table(table, form.mapping(), current_user)
        for message in result.mapping_problems:
            form.add_error("preview", message)
        if form.submit.data and not result.mapping_problems:
            try:
                service.import_rows(record, result)
            except StateError as problem:
                form.add_error("submit", problem.message)
            else:
                flash(
                    _(
                        "Imported %(added)s new and %(updated)s updated figures; %(rejected)s rows were left "
                        "out.",
                        added=record.rows_added,
                        updated=record.rows_updated,
                        rejected=record.rows_rejected,
                    ),
                    "success",
                )
                return redirect(url_for(".preview", import_id=record.id))
    form.error_anchors = {"preview": "#column_reference", "submit": "#submit"}
    status = 400 if form.errors else 200
    return render_template("indicators/preview.html", form=form, record=record, result=result), status
