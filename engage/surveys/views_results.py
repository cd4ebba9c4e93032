"""Officers' results pages: per-question results with charts, written answers searched and tagged with
themes, and a question broken down by an equality question (small cells hidden)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engage.equality.questions import dimensions
from engage.extensions import db
from engage.service_errors import StateError
from engage.spreadsheets import csv_text, download
from engage.surveys import bp, charts, crosstab, results, themes
from engage.surveys.access import can_manage, consultation_for
from engage.surveys.models import Question, TextTheme
from engage.surveys.results import WRITTEN, agreement_balance
from engage.urls import page_number, row_id
from engage.web import allow_inline_styles


@bp.get("/manage/consultations/<int:consultation_id>/results")
@login_required
def consultation_results(consultation_id: int):
    consultation = consultation_for(consultation_id, manage=False)
    outcome = results.published_results(consultation)
    allow_inline_styles()  # Plotly.js writes a <style> element
    return render_template(
        "surveys/results.html",
        consultation=consultation,
        results=outcome,
        charts={row.question.id: charts.chart_for(row) for row in outcome.questions},
        balance=agreement_balance,
        themes=themes.counts(consultation),
        crosstab_questions=[q for q in consultation.questions if q.kind in crosstab.CROSSTAB_KINDS],
        dimensions=dimensions(),
        written=WRITTEN,
    )


def _written_question(question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.kind not in WRITTEN and not question.allow_other:
        abort(404)
    consultation_for(question.section.consultation_id, manage=False)
    return question


@bp.get("/manage/questions/<int:question_id>/written-answers")
@login_required
def written_answers(question_id: int):
    question = _written_question(question_id)
    consultation = question.section.consultation
    words = request.args.get("words", "")[:200]
    theme_arg = request.args.get("theme", "")
    theme_id = row_id(theme_arg)
    untagged = theme_arg == "none"
    page = page_number(request.args.get("page"))
    found = themes.find(question, words=words, theme_id=theme_id, untagged=untagged, page=page)
    return render_template(
        "surveys/written_answers.html",
        consultation=consultation,
        question=question,
        found=found,
        words=words,
        theme_arg=theme_arg,
        themes=themes.themes_for(question),
        counts=dict(themes.counts(consultation).get(question.id, [])),
        can_tag=can_manage(consultation),
    )


def _back_to_answers(question: Question):
    # Only the page's own arguments: any other (question_id, _external ...) would reach url_for as its own.
    args = request.args
    return redirect(
        url_for(
            ".written_answers",
            question_id=question.id,
            words=args.get("words"),
            theme=args.get("theme"),
            page=args.get("page"),
        )
    )


@bp.post("/manage/questions/<int:question_id>/themes")
@login_required
def add_theme(question_id: int):
    question = _written_question(question_id)
    if not can_manage(question.section.consultation):
        abort(403)
    try:
        theme = themes.add_theme(question, request.form.get("name", "")[:200])
    except StateError as error:
        flash(error.message, "important")
    else:
        flash(_("Added the theme %(name)s.", name=theme.name), "success")
    return _back_to_answers(question)


@bp.post("/manage/questions/<int:question_id>/written-answers/tag")
@login_required
def tag_answers(question_id: int):
    question = _written_question(question_id)
    if not can_manage(question.section.consultation):
        abort(403)
    theme_id = request.form.get("theme", "")
    theme = db.session.get(TextTheme, number) if (number := row_id(theme_id)) is not None else None
    ids = [number for v in request.form.getlist("answer") if (number := row_id(v)) is not None]
    if theme is None or not ids:
        flash(_("Tick at least one answer and choose a theme"), "important")
        return _back_to_answers(question)
    remove = request.form.get("action") == "remove"
    try:
        changed = themes.tag(question, theme, ids, remove=remove)
    except StateError as error:
        flash(error.message, "important")
    else:
        message = (
            _("Took the theme %(name)s off %(n)s answers.", name=theme.name, n=changed)
            if remove
            else _("Tagged %(n)s answers with %(name)s.", name=theme.name, n=changed)
        )
        flash(message, "success")
    return _back_to_answers(question)


def _crosstab_from_args(consultation):
    question_arg, dimension = request.args.get("question", ""), request.args.get("dimension", "")
    question = next(
        (
            q
            for q in consultation.questions
            if str(q.id) == question_arg and q.kind in crosstab.CROSSTAB_KINDS
        ),
        None,
    )
    if question is None or dimension not in {d.key for d in dimensions()}:
        return None
    return crosstab.crosstab(consultation, question, dimension, current_app.config["ENGAGE_SMALL_CELL"])


@bp.get("/manage/consultations/<int:consultation_id>/crosstab")
@login_required
def consultation_crosstab(consultation_id: int):
    consultation = consultation_for(consultation_id, manage=False)
    table = _crosstab_from_args(consultation)
    asked = bool(request.args)
    return render_template(
        "surveys/crosstab.html",
        consultation=consultation,
        table=table,
        asked=asked,
        questions=[q for q in consultation.questions if q.kind in crosstab.CROSSTAB_KINDS],
        dimensions=dimensions(),
    ), (400 if asked and table is None else 200)


#: The note under a download with hidden figures (the page says the same in the resident's language).
HIDDEN_NOTE = (
    "hidden: a figure not shown because it counts fewer than {n} people, or so that such a figure cannot be "
    "worked out from the others; a hidden figure can be any size"
)


@bp.get("/manage/consultations/<int:consultation_id>/crosstab.csv")
@login_required
def consultation_crosstab_csv(consultation_id: int):
    consultation = consultation_for(consultation_id, manage=False)
    table = _crosstab_from_args(consultation)
    if table is None:
        return {"error": "Choose a closed question (question=) and an equality question (dimension=)."}, 400
    hidden = "hidden"
    rows = [[table.dimension, *table.answers, "people"]]
    for label, cells, people in table.rows:
        shown = [hidden if c is None else c for c in cells]
        rows.append([label, *shown, hidden if people is None else people])
    if table.any_hidden:
        rows.append([])
        rows.append([HIDDEN_NOTE.format(n=table.threshold)])
    name = f"consultation-{consultation.id}-q{table.question.id}-by-{table.dimension}.csv"
    return download(csv_text(rows), name)
