"""Board officers: build, open and close exercises, moderate suggestions, read and download results."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage import content
from engage.boards.models import PriorityStatus
from engage.boards.service import get_board_or_404
from engage.content.screen import translation_screen
from engage.dates import end_of_day, start_of_day
from engage.extensions import db
from engage.forms import form_page
from engage.i18n import LANGUAGE_NAMES
from engage.prioritise import bp, results_cache, service
from engage.prioritise.access import can_manage, exercise_for, may_create_on
from engage.prioritise.budget.setup import budget_not_ready, save_item_budgets
from engage.prioritise.forms import ApproveForm, ExerciseForm, MergeForm, RejectForm
from engage.prioritise.models import ExerciseItem, ExerciseKind, ExerciseStatus, Suggestion
from engage.prioritise.pairwise import exports
from engage.prioritise.pairwise.charts import scores_chart
from engage.prioritise.results_downloads import results_download
from engage.prioritise.results_waiting import instead_of_results
from engage.prioritise.submissions import exports as submission_exports
from engage.prioritise.submissions.forms import BudgetExerciseForm, ItemBudgetsForm, RankingExerciseForm
from engage.prioritise.submissions.pages import render_answer_results
from engage.service_errors import FieldConflict
from engage.web import allow_inline_styles

FORMS = {
    ExerciseKind.PAIRWISE: ExerciseForm,
    ExerciseKind.BUDGET: BudgetExerciseForm,
    ExerciseKind.RANKING: RankingExerciseForm,
}


@bp.route("/manage/boards/<slug>/exercises/new", methods=["GET", "POST"])
@bp.route("/manage/boards/<slug>/exercises/new/<any(budget, ranking):kind>", methods=["GET", "POST"])
@bp.route("/manage/exercises/<int:exercise_id>/edit", methods=["GET", "POST"])
@form_page
@login_required
def edit_exercise(
    slug: str | None = None, exercise_id: int | None = None, kind: str | ExerciseKind = "pairwise"
):
    exercise = exercise_for(exercise_id, manage=True) if exercise_id else None
    kind = exercise.kind if exercise else ExerciseKind(kind)
    board = exercise.board if exercise else get_board_or_404(slug or abort(404))
    if exercise is None and not may_create_on(board):
        abort(403)
    available = [
        p
        for p in board.priorities
        if p.status is PriorityStatus.ACTIVE
        or (exercise and any(i.priority_id == p.id for i in exercise.items))
    ]
    locked = set()
    if exercise and exercise.status is not ExerciseStatus.DRAFT:
        locked = {i.priority_id for i in exercise.active_items if i.priority_id}
    form = FORMS[kind](obj=exercise, priorities=available, locked=locked)
    if request.method == "GET":
        if exercise is None:
            form.priorities.data = [p.id for p in board.active_priorities]
            form.allow_suggestions.data = form.results_public.data = kind is ExerciseKind.PAIRWISE
            if kind is not ExerciseKind.PAIRWISE:
                form.show_comparison.data = form.results_public.data = True
            if kind is ExerciseKind.BUDGET:
                form.require_full.data = True
        elif kind is ExerciseKind.BUDGET:
            assert exercise.budget_mode is not None and exercise.unit is not None, (
                "a budget exercise has both"
            )
            form.budget_mode.data, form.unit.data = exercise.budget_mode.value, exercise.unit.value
        else:
            form.priorities.data = [i.priority_id for i in exercise.active_items if i.priority_id]
            form.opens_on.data = exercise.opens_at.date() if exercise.opens_at else None
            form.closes_on.data = exercise.closes_at.date() if exercise.closes_at else None
    if form.validate_on_submit():
        chosen = [p for p in available if p.id in set(form.priorities.data)]
        try:
            saved = service.save_exercise(
                exercise,
                board=board,
                organisation_id=exercise.organisation_id if exercise else current_user.organisation_id,
                user=current_user,
                title=form.title.data,
                question=form.question.data,
                introduction=form.introduction.data or "",
                priorities=chosen,
                opens_at=start_of_day(form.opens_on.data),
                closes_at=end_of_day(form.closes_on.data),
                allow_suggestions=form.allow_suggestions.data,
                results_public=form.results_public.data,
                workshop_only=bool(form.workshop_only.data),
                minutes_to_answer=form.minutes_to_answer.data,
                kind=kind,
                **_kind_settings(form),
            )
        except FieldConflict as conflict:
            form.add_error(conflict.field, conflict.message)
        else:
            flash(_("Saved %(title)s.", title=saved.title), "success")
            if kind is ExerciseKind.BUDGET and exercise is None:
                return redirect(url_for(".edit_items", exercise_id=saved.id))
            return redirect(url_for(".manage_exercise", exercise_id=saved.id))
    status = 400 if form.errors else 200
    return render_template(
        "prioritise/exercise_form.html", form=form, board=board, exercise=exercise, kind=kind
    ), status


def _kind_settings(form) -> dict:
    """The settings only some kinds have; a pairwise exercise's vote cap rides along here too."""
    if isinstance(form, BudgetExerciseForm | RankingExerciseForm):
        return form.settings()
    return {
        "max_votes_per_respondent": form.max_votes_per_respondent.data,
        "show_standings": bool(form.show_standings.data),
    }


@bp.route("/manage/exercises/<int:exercise_id>/items", methods=["GET", "POST"])
@form_page
@login_required
def edit_items(exercise_id: int):
    """A budget exercise's amounts per item: current budget, least, most, step, what it buys, consequences."""
    exercise = exercise_for(exercise_id, manage=True)
    if exercise.kind is not ExerciseKind.BUDGET:
        abort(404)
    form = ItemBudgetsForm.build(exercise)
    if form.validate_on_submit():
        try:
            save_item_budgets(exercise, form.budgets)
        except FieldConflict as conflict:
            if conflict.field in form:
                form.add_error(conflict.field, conflict.message)
            else:
                form.add_error("csrf_token", conflict.message)
        else:
            flash(_("Saved the items' amounts."), "success")
            return redirect(url_for(".manage_exercise", exercise_id=exercise.id))
    status = 400 if form.errors else 200
    return render_template("prioritise/items_form.html", form=form, exercise=exercise), status


@bp.get("/manage/exercises/<int:exercise_id>")
@login_required
def manage_exercise(exercise_id: int):
    exercise = exercise_for(exercise_id, manage=False)
    return render_template(
        "prioritise/manage_exercise.html",
        exercise=exercise,
        totals=service.exercise_totals(exercise),
        can_manage=can_manage(exercise),
        not_ready=budget_not_ready(exercise) if exercise.kind is ExerciseKind.BUDGET else None,
        translated=content.progress(exercise),
        language_names=LANGUAGE_NAMES,
    )


@bp.post("/manage/exercises/<int:exercise_id>/<any(open, close):action>")
@login_required
def change_status(exercise_id: int, action: str):
    exercise = exercise_for(exercise_id, manage=True)
    target = ExerciseStatus.OPEN if action == "open" else ExerciseStatus.CLOSED
    try:
        service.set_status(exercise, target)
    except service.StateError as error:
        flash(error.message, "important")
    else:
        flash(
            _("The exercise is open to residents.")
            if target is ExerciseStatus.OPEN
            else _("The exercise is closed. No more votes will be taken."),
            "success",
        )
    return redirect(url_for(".manage_exercise", exercise_id=exercise.id))


@bp.get("/manage/exercises/<int:exercise_id>/suggestions")
@login_required
def moderate(exercise_id: int):
    exercise = exercise_for(exercise_id, manage=True)
    return render_template(
        "prioritise/moderate.html",
        exercise=exercise,
        suggestions=service.suggestions(exercise),
        approve_form=ApproveForm(formdata=None),
        merge_form=MergeForm(formdata=None, items=exercise.active_items),
        reject_form=RejectForm(formdata=None),
    )


@bp.post("/manage/suggestions/<int:suggestion_id>/<any(approve, merge, reject):action>")
@login_required
def moderate_suggestion(suggestion_id: int, action: str):
    suggestion = db.get_or_404(Suggestion, suggestion_id)
    exercise = exercise_for(suggestion.exercise_id, manage=True)
    form = {"approve": ApproveForm, "reject": RejectForm}.get(action, MergeForm)
    form = form(items=exercise.active_items) if form is MergeForm else form()
    if form.validate_on_submit():
        try:
            if action == "approve":
                service.approve_suggestion(
                    suggestion,
                    current_user,
                    title=form.title.data,
                    description=form.description.data or "",
                    board_code=form.board_code.data,
                )
            elif action == "merge":
                service.merge_suggestion(
                    suggestion, current_user, db.get_or_404(ExerciseItem, form.item.data)
                )
            else:
                service.reject_suggestion(suggestion, current_user, form.reason.data)
        except (service.StateError, FieldConflict) as error:
            flash(error.message, "important")
        else:
            flash(_("Suggestion moderated."), "success")
        return redirect(url_for(".moderate", exercise_id=exercise.id))
    for field_errors in form.errors.values():
        flash(field_errors[0], "important")
    return redirect(url_for(".moderate", exercise_id=exercise.id) + f"#suggestion-{suggestion.id}")


@bp.get("/manage/exercises/<int:exercise_id>/results")
@login_required
def exercise_results(exercise_id: int):
    exercise = exercise_for(exercise_id, manage=False)
    allow_inline_styles()
    if exercise.kind is not ExerciseKind.PAIRWISE:
        return render_answer_results(exercise, public=False)
    shown = results_cache.for_page(exercise, breakdowns=True)
    waiting = instead_of_results(exercise, shown, public=False)
    if waiting is not None:
        return waiting
    assert shown.value is not None  # instead_of_results answers while there is nothing to show
    return render_template(
        "prioritise/results.html",
        exercise=exercise,
        results=shown.value,
        chart=scores_chart(shown.value),
        computed_at=shown.computed_at,
    )


DOWNLOADS = "<any(votes, scores, responses, results):what>.<any(csv, xlsx, pb):fmt>"


@bp.get(f"/manage/exercises/<int:exercise_id>/{DOWNLOADS}")
@login_required
def download(exercise_id: int, what: str, fmt: str):
    """Votes (pairwise) or responses (budget, ranking), and the results: pairwise "scores", else "results"."""
    exercise = exercise_for(exercise_id, manage=False)
    pairwise = exercise.kind is ExerciseKind.PAIRWISE
    if what == ("scores" if pairwise else "results") and fmt in {"csv", "xlsx"}:
        return results_download(exercise, fmt)
    if pairwise and what == "votes" and fmt == "csv":
        return exports.votes_csv_response(exercise)
    if not pairwise and what == "responses":
        return submission_exports.responses_download(exercise, fmt)
    return abort(404)


@bp.route("/manage/exercises/<int:exercise_id>/translations/<locale>", methods=["GET", "POST"])
@form_page
@login_required
def translate_exercise(exercise_id: int, locale: str):
    """The exercise's own texts and its items' in one language."""
    exercise = exercise_for(exercise_id, manage=True)
    return translation_screen(
        exercise,
        locale,
        title=exercise.title,
        back_url=url_for(".manage_exercise", exercise_id=exercise.id),
        url=lambda code: url_for(".translate_exercise", exercise_id=exercise.id, locale=code),
    )
