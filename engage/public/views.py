"""Home page, language switcher, statement pages and the signed-in dashboard."""

from __future__ import annotations

from datetime import date

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from engage.accounts.models import Role
from engage.boards.forms import BOARD_KIND_LABELS
from engage.boards.service import boards_for, get_board_or_404, list_boards
from engage.prioritise.service import open_exercises
from engage.public import bp
from engage.public.archive import results_archive
from engage.surveys.authoring import open_consultations, partnership_consultations
from engage.urls import safe_next
from engage.weights.sign_off import can_see_oversight


@bp.get("/")
def home():
    return render_template(
        "public/home.html",
        boards=list_boards(),
        open_exercises=open_exercises(),
        open_consultations=open_consultations(),
        kind_labels=BOARD_KIND_LABELS,
        recent_results=results_archive()[:HOME_RECENT_RESULTS],
    )


#: How many past results the home page lists before "All past results".
HOME_RECENT_RESULTS = 3


@bp.get("/results")
def results_archive_page():
    """Past results of every board: closed exercises with public results, published consultations."""
    return render_template("public/results_archive.html", entries=results_archive(), board=None)


@bp.get("/boards/<slug>/results")
def board_results(slug: str):
    """One board's past results."""
    board = get_board_or_404(slug)
    return render_template("public/results_archive.html", entries=results_archive(board), board=board)


@bp.get("/language/<code>")
def choose_language(code: str):
    """Remember the visitor's language and go back to the page they were on."""
    if code in current_app.config["ENGAGE_LOCALES"]:
        session["locale"] = code
    return redirect(safe_next(request.args.get("next"), url_for("public.home")))


#: When the accessibility statement was last reviewed against the service (update it when you review it).
STATEMENT_REVIEWED = date(2026, 11, 26)


@bp.get("/accessibility")
def accessibility():
    return render_template("public/accessibility.html", statement_date=STATEMENT_REVIEWED)


#: The retention settings the privacy notice states (engage/privacy/retention.py deletes by the same ones).
RETENTION_SETTINGS = (
    "ENGAGE_DRAFT_DAYS",
    "ENGAGE_EQUALITY_ANSWER_DAYS",
    "ENGAGE_FREE_TEXT_DAYS",
    "ENGAGE_ADDRESS_DAYS",
    "ENGAGE_WORKSHOP_NAME_DAYS",
)


@bp.get("/privacy")
def privacy():
    days = {name: current_app.config[name] for name in RETENTION_SETTINGS}
    return render_template("public/privacy.html", days=days)


@bp.get("/manage")
@login_required
def manage_home():
    return render_template(
        "public/manage_home.html",
        boards=boards_for(current_user),
        consultations=partnership_consultations(),
        can_create_consultation=current_user.is_admin or current_user.has_role(Role.BOARD_OFFICER),
        ROLE_ANALYST=Role.ANALYST,
        can_see_oversight=can_see_oversight(current_user),
    )
