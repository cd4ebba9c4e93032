"""Facilitators type in paper sheets for the current round, and correct a sheet with the reason kept."""

from __future__ import annotations

import json
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.audit import service as audit
from engage.extensions import db
from engage.forms import form_page
from engage.prioritise.models import ExerciseKind, Outcome
from engage.prioritise.submissions.submitting import SubmissionInvalid
from engage.respondents import VoteRefused
from engage.service_errors import StateError
from engage.workshops import bp
from engage.workshops.access import may_enter_paper, round_owner, session_for
from engage.workshops.forms import answer_form, answer_values, hands_form, paper_pairs_form, problem_field
from engage.workshops.models import PaperSheet, WorkshopRound, WorkshopSession
from engage.workshops.paper import correct_sheet, enter_sheet, sheet_counts, sheets_for


def _sheet_form(round_: WorkshopRound, correcting: bool = False, sheet: PaperSheet | None = None):
    """The form for one sheet of this round's kind, filled from a sheet being corrected (on GET)."""
    kwargs = {} if request.method == "POST" else {"formdata": None}
    form = _sheet_form_of_kind(round_, correcting, sheet, kwargs)
    if request.method != "POST":
        # The form's key: sent again (a double click, a retry), the form stores the sheet once.
        form.key.data = secrets.token_hex(16)
    return form


def _sheet_form_of_kind(round_: WorkshopRound, correcting: bool, sheet: PaperSheet | None, kwargs: dict):
    if round_.question is not None:
        form = hands_form(round_.question, correcting, **kwargs)
        if sheet is not None and request.method != "POST":
            hands = json.loads(sheet.payload)["hands"]
            for number, value in enumerate(form.hand_values):
                form[f"hands_{number}"].data = hands.get(value)
        return form
    items = list(round_.voting_exercise.active_items)
    if round_.voting_exercise.kind is ExerciseKind.PAIRWISE:
        form = paper_pairs_form(
            [(a, b) for k, a in enumerate(items) for b in items[k + 1 :]], correcting, **kwargs
        )
        if sheet is not None and request.method != "POST":
            for left, right, outcome in json.loads(sheet.payload)["pairs"]:
                form[f"pair_{left}_{right}"].data = outcome
        return form
    form = answer_form(items, round_.voting_exercise.kind is ExerciseKind.RANKING, correcting, **kwargs)
    if sheet is not None and request.method != "POST":
        for item_id, value in json.loads(sheet.payload)["values"].items():
            form[f"item_{item_id}"].data = value
    return form


def _answers(round_: WorkshopRound, form) -> dict:
    if round_.question is not None:
        return {"hands": {value: form[f"hands_{n}"].data for n, value in enumerate(form.hand_values)}}
    if round_.voting_exercise.kind is ExerciseKind.PAIRWISE:
        choices = [
            (left, right, Outcome.LEFT if form[f"pair_{left}_{right}"].data == "left" else Outcome.RIGHT)
            for left, right in form.pairs
            if form[f"pair_{left}_{right}"].data in ("left", "right")
        ]
        return {"pairs": choices}
    return {"values": answer_values(form)}


def _audit(action: str, round_: WorkshopRound, form) -> None:
    """Every paper entry in the audit log, with what was counted (and, for a show of hands, the people in
    the room and whether more hands than people were confirmed)."""
    detail = {"round": round_.id, **_answers(round_, form)}
    if round_.question is not None:
        detail |= {"in_room": form.in_room.data, "confirmed_more_hands_than_people": form.confirm_over.data}
    audit.record(action, f"workshop {round_.session_id}", json.dumps(detail, default=str))


def _save(form, save) -> bool:
    """Run ``save``; put any refusal on the form. True when saved."""
    try:
        save()
    except SubmissionInvalid as invalid:
        for problem in invalid.problems:
            form.add_error(problem_field(form, problem), problem.message)
    except (StateError, VoteRefused) as problem:
        form.add_error(next(name for name in form._fields if name != "csrf_token"), _(problem.message))
    else:
        return True
    return False


def _chosen_round(session: WorkshopSession) -> WorkshopRound | None:
    """The round named by ``?round=`` (any round of this session, run or not, before or after the end), or
    the round the room is on, or the first."""
    wanted = request.args.get("round", type=int)
    if wanted is not None:
        found = next((r for r in session.rounds if r.id == wanted), None)
        if found is None:
            abort(404)
        return found
    return session.current_round or next(iter(session.rounds), None)


@bp.route("/manage/workshops/<int:session_id>/paper", methods=["GET", "POST"])
@form_page
@login_required
def paper(session_id: int):
    """Type in one paper sheet for a round of the session: stored as channel "paper" in this workshop."""
    session = session_for(session_id)
    chosen = _chosen_round(session)
    counts = sheet_counts(session)
    if chosen is not None and not may_enter_paper(chosen):
        # Only the organisation that runs the exercise or consultation enters paper answers for it.
        html = render_template(
            "workshops/paper.html",
            session=session,
            current=chosen,
            form=None,
            owner=round_owner(chosen),
            counts=counts,
        )
        return html, 403
    # Written answers to a free-text round are typed in as the consultation's paper responses instead.
    form = _sheet_form(chosen) if chosen is not None and not chosen.open_text else None
    submitted = form is not None and form.validate_on_submit()
    if (
        submitted
        and chosen is not None
        and form is not None
        and _save(
            form,
            lambda: enter_sheet(chosen, current_user, **_answers(chosen, form), form_key=form.key.data),
        )
    ):
        _audit("paper_sheet_entered", chosen, form)
        flash(_("Saved the paper sheet. Enter the next one, or go back to the workshop."), "success")
        return redirect(url_for(".paper", session_id=session.id, round=chosen.id))
    status = 400 if form is not None and form.errors else 200
    sheets = sheets_for(chosen) if chosen is not None else []
    return render_template(
        "workshops/paper.html", session=session, current=chosen, form=form, sheets=sheets, counts=counts
    ), status


@bp.route("/manage/workshops/<int:session_id>/paper/<int:sheet_id>/correct", methods=["GET", "POST"])
@form_page
@login_required
def correct_paper(session_id: int, sheet_id: int):
    session = session_for(session_id)
    sheet = db.get_or_404(PaperSheet, sheet_id)
    if sheet.round.session_id != session.id:
        abort(404)
    if not may_enter_paper(sheet.round):
        abort(403)
    if not sheet.is_current:
        flash(_("This sheet has already been corrected."), "error")
        return redirect(url_for(".paper", session_id=session.id, round=sheet.round_id))
    form = _sheet_form(sheet.round, correcting=True, sheet=sheet)
    form.submit.label.text = _("Save the correction")
    if form.validate_on_submit():
        answers = _answers(sheet.round, form)
        if _save(form, lambda: correct_sheet(sheet, current_user, form.reason.data, **answers)):
            _audit("paper_sheet_corrected", sheet.round, form)
            flash(
                _("Corrected the sheet. The old answers no longer count; the record keeps them."), "success"
            )
            return redirect(url_for(".paper", session_id=session.id, round=sheet.round_id))
    status = 400 if form.errors else 200
    return render_template("workshops/correct_paper.html", session=session, sheet=sheet, form=form), status
