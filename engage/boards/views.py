"""Boards: the public board page, and managing boards (admins) and priorities (board officers)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage import content
from engage.accounts.models import Role, User
from engage.accounts.permissions import (
    admin_required,
    can_manage_owned,
    can_manage_priorities,
)
from engage.accounts.service import list_organisations
from engage.boards import accountable, bp, service
from engage.boards.access import board_for
from engage.boards.forms import (
    BOARD_KIND_LABELS,
    AccountableMemberForm,
    BoardForm,
    PriorityForm,
    RemoveAccountableMemberForm,
)
from engage.boards.models import AccountableMember, Board, BoardKind, Priority, PriorityStatus
from engage.content.screen import translation_screen
from engage.extensions import db
from engage.forms import form_page
from engage.i18n import LANGUAGE_NAMES
from engage.indicators.charts import matrix_chart, quadrant_labels
from engage.indicators.matrix import priority_matrix
from engage.prioritise.service import exercises_for_board
from engage.service_errors import FieldConflict
from engage.surveys.authoring import consultations_for_board
from engage.web import allow_inline_styles
from engage.weights.versions import current_weight_set
from engage.workshops.service import workshops_for_board


def _priority_or_404(board: Board, priority_id: int) -> Priority:
    priority = db.get_or_404(Priority, priority_id)
    if priority.board_id != board.id:
        abort(404)
    return priority


@bp.get("/boards/<slug>")
def board(slug: str):
    """The public page of a board: its remit, partners, active priorities and the priority matrix."""
    board = service.get_board_or_404(slug)
    matrix = priority_matrix(board)
    chart = matrix_chart(matrix)
    if chart:
        allow_inline_styles()  # Plotly.js writes a <style> element
    return render_template(
        "boards/board.html",
        board=board,
        kind_labels=BOARD_KIND_LABELS,
        matrix=matrix,
        matrix_chart=chart,
        quadrant_labels=quadrant_labels(),
        current_weights=current_weight_set(board),
    )


@bp.get("/manage/boards")
@login_required
def manage_boards():
    return render_template(
        "boards/manage_boards.html", boards=service.boards_for(current_user), kind_labels=BOARD_KIND_LABELS
    )


@bp.route("/manage/boards/new", methods=["GET", "POST"])
@bp.route("/manage/boards/<slug>/edit", methods=["GET", "POST"])
@form_page
@admin_required
def edit_board(slug: str | None = None):
    board = service.get_board_or_404(slug) if slug else None
    form = BoardForm(obj=board, board=board, organisations=list_organisations())
    if request.method == "GET" and board is not None:
        form.kind.data = board.kind.value
        form.members.data = [org.id for org in board.members]
    if form.validate_on_submit():
        chosen = {org.id: org for org in list_organisations()}
        try:
            saved = service.save_board(
                board,
                name=form.name.data,
                slug=form.chosen_slug,
                short_code=form.short_code.data,
                remit=form.remit.data or "",
                kind=BoardKind(form.kind.data),
                members=[chosen[i] for i in form.members.data or [] if i in chosen],
            )
        except FieldConflict as conflict:
            form.add_error(conflict.field, conflict.message)
        else:
            flash(_("Saved %(name)s.", name=saved.name), "success")
            return redirect(url_for("boards.manage_board", slug=saved.slug))
    status = 400 if form.errors else 200
    return render_template("boards/board_form.html", form=form, board=board), status


@bp.get("/manage/boards/<slug>")
@login_required
def manage_board(slug: str):
    board = board_for(slug)
    return render_template(
        "boards/manage_board.html",
        board=board,
        kind_labels=BOARD_KIND_LABELS,
        can_manage=can_manage_priorities(current_user, board),
        exercises=exercises_for_board(board),
        consultations=consultations_for_board(board),
        can_create_exercise=can_manage_owned(
            current_user, board, current_user.organisation_id, Role.BOARD_OFFICER
        ),
        workshops=workshops_for_board(board),
        accountable_members=accountable.accountable_members(board),
        can_run_workshop=can_manage_owned(
            current_user, board, current_user.organisation_id, Role.FACILITATOR, Role.BOARD_OFFICER
        ),
        translated=content.progress(board),
        language_names=LANGUAGE_NAMES,
    )


@bp.route("/manage/boards/<slug>/priorities/new", methods=["GET", "POST"])
@bp.route("/manage/boards/<slug>/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
@form_page
@login_required
def edit_priority(slug: str, priority_id: int | None = None):
    board = service.get_board_or_404(slug)
    if not can_manage_priorities(current_user, board):
        abort(403)
    priority = _priority_or_404(board, priority_id) if priority_id else None
    form = PriorityForm(obj=priority, board=board, priority=priority)
    if form.validate_on_submit():
        try:
            saved = service.save_priority(
                board,
                priority,
                code=form.code.data,
                title=form.title.data,
                description=form.description.data or "",
            )
        except FieldConflict as conflict:
            form.add_error(conflict.field, conflict.message)
        else:
            flash(_("Saved priority %(code)s.", code=saved.code), "success")
            return redirect(url_for("boards.manage_board", slug=board.slug))
    status = 400 if form.errors else 200
    return render_template("boards/priority_form.html", form=form, board=board, priority=priority), status


@bp.post("/manage/boards/<slug>/priorities/<int:priority_id>/<any(archive, restore):action>")
@login_required
def change_priority_status(slug: str, priority_id: int, action: str):
    board = service.get_board_or_404(slug)
    if not can_manage_priorities(current_user, board):
        abort(403)
    priority = _priority_or_404(board, priority_id)
    status = PriorityStatus.ARCHIVED if action == "archive" else PriorityStatus.ACTIVE
    service.set_priority_status(priority, status)
    if status is PriorityStatus.ARCHIVED:
        flash(
            _("Archived %(code)s. Its history is kept; restore it at any time.", code=priority.code),
            "success",
        )
    else:
        flash(_("Restored %(code)s.", code=priority.code), "success")
    return redirect(url_for("boards.manage_board", slug=board.slug))


@bp.route("/manage/boards/<slug>/accountable-members", methods=["GET", "POST"])
@form_page
@admin_required
def accountable_members(slug: str):
    """Administrators give the accountable member role (elected member, board chair) per board."""
    board = service.get_board_or_404(slug)
    form = AccountableMemberForm(people=accountable.candidates(board))
    if form.validate_on_submit():
        try:
            member = accountable.grant(
                board, db.get_or_404(User, form.user.data), form.title.data, current_user
            )
        except FieldConflict as conflict:
            form.add_error("user", conflict.message)
        else:
            flash(_("%(name)s is now an accountable member of this board.", name=member.user.name), "success")
            return redirect(url_for("boards.accountable_members", slug=board.slug))
    return render_template(
        "boards/accountable_members.html",
        board=board,
        form=form,
        members=accountable.accountable_members(board),
        remove_form=RemoveAccountableMemberForm(formdata=None),
        kind_labels=BOARD_KIND_LABELS,
    ), (400 if form.errors else 200)


@bp.post("/manage/boards/<slug>/accountable-members/<int:member_id>/remove")
@admin_required
def remove_accountable_member(slug: str, member_id: int):
    board = service.get_board_or_404(slug)
    member = db.get_or_404(AccountableMember, member_id)
    if member.board_id != board.id:
        abort(404)
    if not RemoveAccountableMemberForm().validate_on_submit():
        abort(400)
    name = member.user.name
    accountable.remove(member)
    flash(_("%(name)s is no longer an accountable member of this board.", name=name), "success")
    return redirect(url_for("boards.accountable_members", slug=board.slug))


@bp.route("/manage/boards/<slug>/translations/<locale>", methods=["GET", "POST"])
@form_page
@login_required
def translate_board(slug: str, locale: str):
    """The board's name and remit (administrators, who change them) and its priorities (their officers)."""
    board = board_for(slug)
    if not can_manage_priorities(current_user, board):
        abort(403)
    return translation_screen(
        board,
        locale,
        title=board.name,
        back_url=url_for(".manage_board", slug=board.slug),
        url=lambda code: url_for(".translate_board", slug=board.slug, locale=code),
        only=None if current_user.is_admin else lambda text: not isinstance(text.thing, Board),
    )
