"""Facilitators set up a workshop, run it from a laptop or phone, show the projector, enter paper sheets."""

from __future__ import annotations

import io

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from engage.boards.service import get_board_or_404
from engage.extensions import db, htmx
from engage.forms import form_page
from engage.prioritise.models import Exercise
from engage.service_errors import StateError
from engage.surveys.models import Question
from engage.urls import external_url
from engage.workshops import bp, service, wall
from engage.workshops.access import can_run, session_for
from engage.workshops.forms import ControlForm, NotesForm, RoundForm, SessionForm
from engage.workshops.models import TEXT_KINDS, SessionStatus, WallState, WorkshopRound, WorkshopSession
from engage.workshops.results import round_result, round_turnout


def join_url(session: WorkshopSession) -> str:
    """The address people type or scan to join (built from ENGAGE_BASE_URL, not the request)."""
    return external_url("workshops.room", code=session.join_code)


@bp.route("/manage/boards/<slug>/workshops/new", methods=["GET", "POST"])
@form_page
@login_required
def new_session(slug: str):
    board = get_board_or_404(slug)
    if not can_run(board, current_user.organisation_id):
        abort(403)
    form = SessionForm()
    if form.validate_on_submit():
        created = service.create_session(
            board, current_user, form.name.data, form.held_on.data, form.venue.data or ""
        )
        return redirect(url_for(".control", session_id=created.id))
    status = 400 if form.errors else 200
    return render_template("workshops/session_form.html", form=form, board=board), status


def _round_form(session: WorkshopSession, formdata=None) -> RoundForm:
    form = RoundForm(formdata=formdata) if formdata is not None else RoundForm(formdata=None)
    form.exercise.choices = [
        SelectChoice(f"exercise-{e.id}", f"{e.title} ({e.kind.value})")
        for e in service.round_exercises(session.board)
    ] + [
        SelectChoice(
            f"question-{q.id}",
            f"{q.section.consultation.title}: {q.label} "
            + (_("(free text, on a wall you moderate)") if q.kind in TEXT_KINDS else _("(question)")),
        )
        for q in service.round_questions(session.board)
    ]
    return form


def _room_counts(session: WorkshopSession) -> dict:
    """Who has joined, and who has answered the round the room is on (phones and paper apart): shown live
    on the control page and the projector, whether or not the results are."""
    current = session.current_round
    turnout = round_turnout(current) if current is not None else {}
    return {
        "joined": service.participant_count(session),
        "answered_phones": turnout.get("workshop", 0),
        "answered_paper": turnout.get("paper", 0),
    }


def _screen_url(session: WorkshopSession) -> str | None:
    token = service.screen_token(session)
    return external_url("workshops.screen", token=token) if token else None


def _render_control(session: WorkshopSession, round_form: RoundForm | None = None, status: int = 200):
    return render_template(
        "workshops/control.html",
        session=session,
        round_form=round_form or _round_form(session),
        control_form=ControlForm(formdata=None),
        join_url=join_url(session),
        form=round_form if round_form is not None and round_form.errors else None,
        changes=service.round_changes(session),
        people=service.room_people(session),
        screen_url=_screen_url(session),
        **_wall_context(session),
        **_room_counts(session),
    ), status


@bp.get("/manage/workshops/<int:session_id>")
@login_required
def control(session_id: int):
    return _render_control(session_for(session_id))


@bp.get("/manage/workshops/<int:session_id>/live")
@login_required
def control_live(session_id: int):
    """Polled every two seconds by the control page: who has joined and answered this round, by the names
    they gave (for the facilitator only: never on the projector)."""
    session = session_for(session_id)
    return render_template(
        "workshops/_partials/_control_live.html",
        session=session,
        people=service.room_people(session),
        oob=True,
        **_room_counts(session),
    )


@bp.post("/manage/workshops/<int:session_id>/rounds")
@form_page
@login_required
def add_round(session_id: int):
    session = session_for(session_id)
    form = _round_form(session, request.form)
    if form.validate_on_submit():
        kind, _sep, number = form.exercise.data.partition("-")
        exercise = db.session.get(Exercise, int(number)) if kind == "exercise" else None
        question = db.session.get(Question, int(number)) if kind == "question" else None
        try:
            service.add_round(
                session, pairs_per_person=form.pairs_per_person.data, exercise=exercise, question=question
            )
        except StateError as problem:
            form.add_error("exercise", problem.message)
        else:
            flash(_("Added the round."), "success")
            return redirect(url_for(".control", session_id=session.id))
    return _render_control(session, form, 400)


def _needs_confirming(session: WorkshopSession, action: str) -> bool:
    """Ending the workshop, and moving on from a round that is running (it closes for good), cannot be
    undone: they are confirmed on a page of their own first (no script needed)."""
    if action == "end":
        return True
    running = session.current_round is not None and session.status is not SessionStatus.ENDED
    return action == "next" and running


@bp.get("/manage/workshops/<int:session_id>/<any(next, end):action>/confirm")
@form_page
@login_required
def confirm_action(session_id: int, action: str):
    session = session_for(session_id)
    return render_template(
        "workshops/control_confirm.html",
        session=session,
        action=action,
        current=session.current_round,
        upcoming=session.next_round,
        control_form=ControlForm(formdata=None),
    )


@bp.post(
    "/manage/workshops/<int:session_id>/<any(next, pause, resume, reveal, hide, timer, extend, end):action>"
)
@login_required
def act(session_id: int, action: str):
    session = session_for(session_id)
    if not ControlForm().validate_on_submit():
        abort(400)
    if _needs_confirming(session, action) and request.form.get("confirmed") != "yes":
        return redirect(url_for(".confirm_action", session_id=session.id, action=action))
    try:
        if action == "next":
            service.start_next_round(session)
        elif action == "end":
            service.end_session(session)
        else:
            service.set_round_state(session, action)
    except StateError as problem:
        flash(problem.message, "error")
    return redirect(url_for(".control", session_id=session.id))


@bp.post("/manage/workshops/<int:session_id>/rounds/<int:round_id>/<any(up, down, remove):change>")
@login_required
def change_round(session_id: int, round_id: int, change: str):
    """Move a round that has not run up or down the agenda, or remove it."""
    session = session_for(session_id)
    if not ControlForm().validate_on_submit():
        abort(400)
    round_ = _round_of(session, round_id)
    try:
        if change == "remove":
            title = round_.title
            service.remove_round(session, round_)
            flash(_("Removed the round “%(title)s”.", title=title), "success")
        else:
            service.move_round(session, round_, change)
    except StateError as problem:
        flash(problem.message, "error")
    return redirect(url_for(".control", session_id=session.id, _anchor="rounds"))


@bp.get("/workshops/<code>/qr.svg")
def qr_code(code: str):
    """The join address as a QR code (SVG, drawn by segno), for the projector and printed handouts."""
    session = service.session_by_code(code)
    if session is None:
        abort(404)
    out = io.BytesIO()
    # A standalone SVG file needs its XML namespace, or no browser draws it (svg_inline leaves it out).
    segno.make(join_url(session), error="m").save(
        out,
        kind="svg",
        xmldecl=True,
        svgns=True,
        scale=8,
        dark="#0b0c0c",
        light="#ffffff",
        title=_("QR code to join the workshop"),
    )
    return Response(out.getvalue(), mimetype="image/svg+xml")


def _projector_context(session: WorkshopSession) -> dict:
    current = session.current_round
    result = round_result(current) if current is not None and current.results_shown else None
    shown = (
        wall.shown_texts(current) if current is not None and result is not None and current.open_text else []
    )
    return {
        "session": session,
        "join_url": join_url(session),
        **_room_counts(session),
        "current": current,
        "result": result,
        # Only answers the facilitator let through, and only once the results are shown.
        "cloud": wall.cloud(shown),
        "wall_list": wall.grouped(shown),
    }


def _presenter(session: WorkshopSession, live_url: str):
    return render_template("workshops/projector.html", live_url=live_url, **_projector_context(session))


@bp.get("/manage/workshops/<int:session_id>/projector")
@login_required
def projector(session_id: int):
    """The presenter view: full screen, no site chrome, for the room's screen."""
    session = session_for(session_id)
    return _presenter(session, url_for(".projector_live", session_id=session.id))


@bp.get("/manage/workshops/<int:session_id>/projector/live")
@login_required
def projector_live(session_id: int):
    """Polled every second by the projector page: the count, the round and any revealed results."""
    session = session_for(session_id)
    return render_template(
        "workshops/_partials/_projector_live.html",
        live_url=url_for(".projector_live", session_id=session.id),
        **_projector_context(session),
    )


def _screen_or_404(token: str) -> WorkshopSession:
    session = service.session_for_screen(token)
    if session is None:
        abort(404)
    return session


@bp.get("/screen/<token>")
def screen(token: str):
    """The presenter view by its projector-only link: no sign-in, so a separate laptop can drive the room's
    screen; it shows what the room's screen shows and nothing more (no names, no controls)."""
    session = _screen_or_404(token)
    return _presenter(session, url_for(".screen_live", token=token))


@bp.get("/screen/<token>/live")
def screen_live(token: str):
    session = _screen_or_404(token)
    return render_template(
        "workshops/_partials/_projector_live.html",
        live_url=url_for(".screen_live", token=token),
        **_projector_context(session),
    )


@bp.post("/manage/workshops/<int:session_id>/screen-link/<any(new, revoke):change>")
@login_required
def screen_link(session_id: int, change: str):
    session = session_for(session_id)
    if not ControlForm().validate_on_submit():
        abort(400)
    if change == "new":
        service.new_screen_link(session)
        flash(_("Made a new projector link. Any older link no longer works."), "success")
    else:
        service.revoke_screen_link(session)
        flash(_("The projector link no longer works."), "success")
    return redirect(url_for(".control", session_id=session.id, _anchor="projector-link"))


def _wall_context(session: WorkshopSession) -> dict:
    """The current round's wall, for the facilitator: answers waiting (oldest first, so they are read in
    the order sent), and those shown and hidden (either can be changed)."""
    current = session.current_round
    if current is None or not current.open_text:
        return {"wall_round": None}
    entries = wall.entries(current)
    return {
        "wall_round": current,
        "wall_version": wall.version(current),
        "waiting": [e for e in entries if e.state is WallState.WAITING],
        "shown": [e for e in entries if e.state is WallState.SHOWN],
        "hidden": [e for e in entries if e.state is WallState.HIDDEN],
    }


def _render_wall(session: WorkshopSession):
    return render_template(
        "workshops/_partials/_control_wall.html",
        session=session,
        control_form=ControlForm(formdata=None),
        **_wall_context(session),
    )


@bp.get("/manage/workshops/<int:session_id>/wall")
@login_required
def control_wall(session_id: int):
    """Polled every two seconds by the control page: the wall's queue, redrawn only when an answer has
    arrived or been moderated (204 otherwise, so a button never moves under the facilitator's click)."""
    session = session_for(session_id)
    current = session.current_round
    version = wall.version(current) if current is not None and current.open_text else "none"
    if request.args.get("v") == version:
        return "", 204
    return _render_wall(session)


def _wall_done(session: WorkshopSession):
    if htmx:
        return _render_wall(session)
    return redirect(url_for(".control", session_id=session.id, _anchor="wall"))


@bp.post("/manage/workshops/<int:session_id>/wall/<int:entry_id>/<any(show, hide):change>")
@login_required
def moderate_wall(session_id: int, entry_id: int, change: str):
    """Let one answer onto the projector, or keep it off."""
    session = session_for(session_id)
    if not ControlForm().validate_on_submit():
        abort(400)
    state = WallState.SHOWN if change == "show" else WallState.HIDDEN
    try:
        wall.moderate(session, entry_id, state, current_user)
    except LookupError:
        abort(404)
    return _wall_done(session)


@bp.post("/manage/workshops/<int:session_id>/rounds/<int:round_id>/wall/show-waiting")
@login_required
def show_waiting(session_id: int, round_id: int):
    """Let every waiting answer the facilitator has on their screen onto the projector (not newer ones)."""
    session = session_for(session_id)
    if not ControlForm().validate_on_submit():
        abort(400)
    round_ = _round_of(session, round_id)
    up_to = request.form.get("up_to", type=int)
    if up_to is None:
        abort(400)
    count = wall.show_all_waiting(session, round_, current_user, up_to)
    if not htmx:
        flash(_("%(count)s answers are now on the screen.", count=count), "success")
    return _wall_done(session)


def _round_of(session: WorkshopSession, round_id: int) -> WorkshopRound:
    round_ = next((r for r in session.rounds if r.id == round_id), None)
    if round_ is None:
        abort(404)
    return round_


@bp.route("/manage/workshops/<int:session_id>/rounds/<int:round_id>/notes", methods=["GET", "POST"])
@form_page
@login_required
def round_notes(session_id: int, round_id: int):
    """The facilitator's notes for a round: shown on the control page only."""
    session = session_for(session_id)
    round_ = _round_of(session, round_id)
    form = NotesForm(notes=round_.notes)
    if form.validate_on_submit():
        service.set_notes(session, round_, form.notes.data or "")
        flash(_("Saved your notes for “%(title)s”.", title=round_.title), "success")
        return redirect(url_for(".control", session_id=session.id, _anchor="rounds"))
    status = 400 if form.errors else 200
    return render_template(
        "workshops/control_notes.html",
        session=session,
        round=round_,
        number=session.rounds.index(round_) + 1,
        form=form,
    ), status
