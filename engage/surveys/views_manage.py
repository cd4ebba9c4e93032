"""Board officers build consultations (details, sections, questions), open and close them, read results."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from engage import content
from engage.boards.service import get_board_or_404
from engage.dates import end_of_day, start_of_day
from engage.extensions import db
from engage.forms import form_page
from engage.i18n import LANGUAGE_NAMES
from engage.service_errors import StateError
from engage.surveys import authoring, bp, exports
from engage.surveys.access import can_create_on, can_manage, consultation_for
from engage.surveys.forms import ConsultationForm, QuestionForm, SectionForm, WeDidForm
from engage.surveys.models import Consultation, ConsultationStatus, Question, QuestionKind, Section
from engage.surveys.questions import OPTION_KINDS, condition_choices


@bp.route("/manage/boards/<slug>/consultations/new", methods=["GET", "POST"])
@bp.route("/manage/consultations/new", methods=["GET", "POST"])
@bp.route("/manage/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@form_page
@login_required
def edit_consultation(slug: str | None = None, consultation_id: int | None = None):
    """A consultation on a board, or (no board) for the whole partnership."""
    consultation = consultation_for(consultation_id, manage=True) if consultation_id else None
    board = consultation.board if consultation else (get_board_or_404(slug) if slug else None)
    if consultation is None and not can_create_on(board):
        abort(403)
    form = ConsultationForm(obj=consultation)
    if consultation is not None and not form.is_submitted():
        form.opens_on.data = consultation.opens_at.date() if consultation.opens_at else None
        form.closes_on.data = consultation.last_day
    if form.validate_on_submit():
        saved = authoring.save_consultation(
            consultation,
            board=board,
            organisation_id=consultation.organisation_id if consultation else current_user.organisation_id,
            user=current_user,
            title=form.title.data,
            summary=form.summary.data or "",
            audience=form.audience.data or "",
            purpose=form.purpose.data or "",
            opens_at=start_of_day(form.opens_on.data),
            closes_at=end_of_day(form.closes_on.data),
            retain_until=form.retain_until.data,
            privacy_notice=form.privacy_notice.data or "",
        )
        flash(_("Saved %(title)s.", title=saved.title), "success")
        return redirect(url_for(".manage_consultation", consultation_id=saved.id))
    status = 400 if form.errors else 200
    return render_template(
        "surveys/consultation_form.html", form=form, board=board, consultation=consultation
    ), status


@bp.get("/manage/consultations/<int:consultation_id>")
@login_required
def manage_consultation(consultation_id: int):
    return _render_manage(consultation_for(consultation_id, manage=False))


def _render_manage(consultation: Consultation, we_did_form: WeDidForm | None = None, status: int = 200):
    form = we_did_form or WeDidForm(formdata=None, obj=consultation)
    return render_template(
        "surveys/manage_consultation.html",
        consultation=consultation,
        can_manage=can_manage(consultation),
        can_duplicate=can_create_on(consultation.board),
        translated=content.progress(consultation),
        language_names=LANGUAGE_NAMES,
        responses=authoring.response_count(consultation),
        locked=authoring.has_responses(consultation),
        we_did_form=form,
        form=we_did_form,
    ), status


@bp.route("/manage/consultations/<int:consultation_id>/sections/new", methods=["GET", "POST"])
@bp.route("/manage/sections/<int:section_id>/edit", methods=["GET", "POST"])
@form_page
@login_required
def edit_section(consultation_id: int | None = None, section_id: int | None = None):
    section = db.get_or_404(Section, section_id) if section_id else None
    consultation = consultation_for(
        section.consultation_id if section else (consultation_id or abort(404)), manage=True
    )
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        try:
            authoring.save_section(
                consultation, section, title=form.title.data, introduction=form.introduction.data or ""
            )
        except StateError as error:
            form.add_error("title", error.message)
        else:
            return redirect(url_for(".manage_consultation", consultation_id=consultation.id))
    status = 400 if form.errors else 200
    return render_template(
        "surveys/section_form.html", form=form, consultation=consultation, section=section
    ), status


@bp.route("/manage/sections/<int:section_id>/questions/new", methods=["GET", "POST"])
@bp.route("/manage/questions/<int:question_id>/edit", methods=["GET", "POST"])
@form_page
@login_required
def edit_question(section_id: int | None = None, question_id: int | None = None):
    question = db.get_or_404(Question, question_id) if question_id else None
    section = question.section if question else db.get_or_404(Section, section_id)
    consultation = consultation_for(section.consultation_id, manage=True)
    form = QuestionForm(obj=question)
    form.show_if.choices = [SelectChoice("", _("Everyone (not conditional)"))] + [
        SelectChoice(value, label) for value, label in condition_choices(question, section)
    ]
    if question is not None and not form.is_submitted():
        form.kind.data = question.kind.value
        form.options.data = "\n".join(option.label for option in question.options)
        form.show_if.data = str(question.show_if_option_id or "")
    if form.validate_on_submit():
        kind = QuestionKind(form.kind.data)
        if kind is QuestionKind.IMPORTANCE and not authoring.priorities_for(consultation):
            form.add_error(
                "kind",
                _("This consultation's board has no active priorities to rate")
                if consultation.board
                else _(
                    "A partnership-wide consultation has no board priorities to rate: choose another kind"
                ),
            )
        else:
            try:
                authoring.save_question(
                    section,
                    question,
                    kind=kind,
                    label=form.label.data,
                    hint=form.hint.data or "",
                    required=bool(form.required.data),
                    options=form.option_labels() if kind in OPTION_KINDS else None,
                    allow_other=bool(form.allow_other.data),
                    max_choices=form.max_choices.data,
                    min_value=form.min_value.data,
                    max_value=form.max_value.data,
                    whole_number=bool(form.whole_number.data),
                    earliest_date=form.earliest_date.data,
                    latest_date=form.latest_date.data,
                    not_in_future=bool(form.not_in_future.data),
                    show_if_option_id=int(form.show_if.data) if form.show_if.data else None,
                )
            except StateError as error:
                form.add_error("label", error.message)
            else:
                flash(_("Saved the question."), "success")
                return redirect(url_for(".manage_consultation", consultation_id=consultation.id))
    status = 400 if form.errors else 200
    return render_template(
        "surveys/question_form.html", form=form, consultation=consultation, section=section, question=question
    ), status


@bp.post("/manage/questions/<int:question_id>/move/<any(up, down):direction>")
@login_required
def move_question(question_id: int, direction: str):
    question = db.get_or_404(Question, question_id)
    consultation = consultation_for(question.section.consultation_id, manage=True)
    return _moved(consultation, f"question-{question.id}", authoring.move_question, question, direction)


@bp.post("/manage/sections/<int:section_id>/move/<any(up, down):direction>")
@login_required
def move_section(section_id: int, direction: str):
    section = db.get_or_404(Section, section_id)
    consultation = consultation_for(section.consultation_id, manage=True)
    return _moved(consultation, f"section-{section.id}", authoring.move_section, section, direction)


def _moved(consultation: Consultation, anchor: str, move, thing, direction: str):
    """Move a question or page, then back to it on the consultation's page (or say why it cannot move)."""
    try:
        move(thing, direction)
    except StateError as error:
        flash(error.message, "important")
    return redirect(url_for(".manage_consultation", consultation_id=consultation.id) + f"#{anchor}")


@bp.post("/manage/consultations/<int:consultation_id>/duplicate")
@login_required
def duplicate_consultation(consultation_id: int):
    """A new draft copied from this one (any board member who could create one on its board)."""
    consultation = consultation_for(consultation_id, manage=False)
    if not can_create_on(consultation.board):
        abort(403)
    copy = authoring.duplicate(
        consultation, current_user, current_user.organisation_id or consultation.organisation_id
    )
    flash(
        _(
            "This is a new draft copied from %(title)s. Change what you need, then open it.",
            title=consultation.title,
        ),
        "success",
    )
    return redirect(url_for(".manage_consultation", consultation_id=copy.id))


@bp.post("/manage/consultations/<int:consultation_id>/<any(open, close):action>")
@login_required
def change_consultation_status(consultation_id: int, action: str):
    consultation = consultation_for(consultation_id, manage=True)
    target = ConsultationStatus.OPEN if action == "open" else ConsultationStatus.CLOSED
    try:
        authoring.set_status(consultation, target)
    except StateError as error:
        flash(error.message, "important")
    else:
        flash(
            _("The consultation is open to residents.")
            if target is ConsultationStatus.OPEN
            else _("The consultation is closed. No more responses will be taken."),
            "success",
        )
    return redirect(url_for(".manage_consultation", consultation_id=consultation.id))


@bp.post("/manage/consultations/<int:consultation_id>/publish")
@form_page
@login_required
def publish(consultation_id: int):
    consultation = consultation_for(consultation_id, manage=True)
    form = WeDidForm()
    if form.validate_on_submit():
        try:
            authoring.publish(consultation, form.we_did.data)
        except StateError as error:
            flash(error.message, "important")
        else:
            flash(_("The results are published."), "success")
        return redirect(url_for(".manage_consultation", consultation_id=consultation.id))
    return _render_manage(consultation, we_did_form=form, status=400)


@bp.get("/manage/consultations/<int:consultation_id>/responses.<any(csv, xlsx):fmt>")
@login_required
def responses_download(consultation_id: int, fmt: str):
    consultation = consultation_for(consultation_id, manage=False)
    if fmt == "csv":  # streamed a row at a time; the workbook is prepared as a job
        return exports.responses_csv_response(consultation)
    return redirect(url_for("jobs.prepare", kind="consultation_responses", target=consultation.id, fmt=fmt))
