"""Staff type in paper responses through the same questions, and a second person checks each sheet."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.extensions import db
from engage.forms import form_page
from engage.service_errors import StateError
from engage.surveys import authoring, bp, paper
from engage.surveys.access import consultation_for
from engage.surveys.forms import FormGroup, PageForm, SheetForm
from engage.surveys.models import Consultation, ConsultationResponse
from engage.urls import page_number


def _sheet_pages(consultation: Consultation, formdata) -> list[PageForm]:
    """Every question of every page, none required: staff type in what the sheet says."""
    priorities = authoring.priorities_for(consultation)
    return [
        PageForm.build(section, priorities, formdata=formdata, required=False, meta={"csrf": False})
        for section in consultation.sections
    ]


def _paper_response_or_404(response_id: int) -> tuple[ConsultationResponse, Consultation]:
    response = db.get_or_404(ConsultationResponse, response_id)
    if response.paper_sheet is None:
        abort(404)
    return response, consultation_for(response.consultation_id, manage=True)


@bp.route("/manage/consultations/<int:consultation_id>/paper", methods=["GET", "POST"])
@form_page
@login_required
def paper_entry(consultation_id: int):
    consultation = consultation_for(consultation_id, manage=True)
    if consultation.status not in paper.TAKES_PAPER:
        flash(_("Paper responses can be typed in while the consultation is open or closed"), "important")
        return redirect(url_for(".manage_consultation", consultation_id=consultation.id))
    posted = request.form if request.method == "POST" else None
    sheet_form = SheetForm(formdata=posted)
    pages = _sheet_pages(consultation, posted)
    if request.method == "POST":
        valid = [sheet_form.validate(), *[page.validate() for page in pages]]
        if all(valid):
            try:
                paper.enter(consultation, pages, sheet=sheet_form.sheet.data, user=current_user)
            except StateError as error:
                sheet_form.add_error("sheet", error.message)
            else:
                flash(
                    _("Saved sheet %(sheet)s. Type in the next one.", sheet=sheet_form.sheet.data), "success"
                )
                return redirect(url_for(".paper_entry", consultation_id=consultation.id))
    return _sheet_page(consultation, sheet_form, pages, checking=None)


def _sheet_page(consultation: Consultation, sheet_form: SheetForm, pages: list, checking):
    """The whole sheet on one page (typing it in, or checking ``checking``), with every problem in one
    error summary."""
    group = FormGroup(sheet_form, *pages)
    return render_template(
        "surveys/paper_entry.html",
        consultation=consultation,
        sheet_form=sheet_form,
        pages=pages,
        form=group,
        checking=checking,
    ), (400 if group.errors else 200)


@bp.get("/manage/consultations/<int:consultation_id>/paper/sheets")
@login_required
def paper_responses(consultation_id: int):
    consultation = consultation_for(consultation_id, manage=True)
    found, tally = paper.paper_sheets(consultation, page_number(request.args.get("page")))
    sheets = [
        (response, check, json.loads(check.differences) if check else None) for response, check in found.items
    ]
    return render_template(
        "surveys/paper_responses.html", consultation=consultation, sheets=sheets, found=found, tally=tally
    )


@bp.route("/manage/consultation-responses/<int:response_id>/check", methods=["GET", "POST"])
@form_page
@login_required
def paper_check(response_id: int):
    """A second person types the sheet again, without seeing the first typing, and the two are compared."""
    response, consultation = _paper_response_or_404(response_id)
    posted = request.form if request.method == "POST" else None
    sheet_form = SheetForm(formdata=posted)
    pages = _sheet_pages(consultation, posted)
    if request.method == "POST":
        sheet_form.sheet.data = response.paper_sheet  # the sheet being checked, whatever was posted
        if all([sheet_form.validate(), *[page.validate() for page in pages]]):
            try:
                result = paper.check(response, pages, user=current_user)
            except StateError as error:
                flash(error.message, "important")
            else:
                differences = json.loads(result.differences)
                flash(
                    _("Sheet %(sheet)s matches the first typing.", sheet=response.paper_sheet)
                    if not differences
                    else _(
                        "Sheet %(sheet)s differs from the first typing on %(n)s questions: see below.",
                        sheet=response.paper_sheet,
                        n=len(differences),
                    ),
                    "success" if not differences else "important",
                )
            return redirect(url_for(".paper_responses", consultation_id=consultation.id))
    return _sheet_page(consultation, sheet_form, pages, checking=response)


@bp.post("/manage/consultation-responses/<int:response_id>/delete")
@login_required
def paper_delete(response_id: int):
    response, consultation = _paper_response_or_404(response_id)
    sheet = response.paper_sheet
    paper.delete_sheet(response, current_user)
    flash(_("Deleted sheet %(sheet)s. Type it in again.", sheet=sheet), "success")
    return redirect(url_for(".paper_responses", consultation_id=consultation.id))
