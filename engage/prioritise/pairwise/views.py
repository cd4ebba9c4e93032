"""Residents comparing pairs: the pair page (with and without htmx) and the page with their top
priorities when they finish."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from engage.extensions import db, htmx, limiter
from engage.forms import form_page
from engage.prioritise import bp
from engage.prioritise.access import public_exercise_or_404
from engage.prioritise.forms import SKIP_REASONS, VoteForm
from engage.prioritise.models import Exercise, ExerciseKind, Outcome, Respondent, SkipReason
from engage.prioritise.pairwise import voting
from engage.prioritise.pairwise.pages import render_finish
from engage.respondents import respondent_key, set_token_cookie, token_or_new


def _vote_limit() -> str:
    return current_app.config["ENGAGE_VOTE_LIMIT"]


def _vote_address_limit() -> str:
    return current_app.config["ENGAGE_VOTE_ADDRESS_LIMIT"]


def _pair_context(
    exercise: Exercise,
    respondent_id: int | None,
    token: str,
    message: str | None = None,
    made: int | None = None,
) -> dict:
    pair = voting.choose_pair(exercise, None, respondent_id=respondent_id)
    return {
        "exercise": exercise,
        "pair": pair,
        # Signed for this respondent and this pair: a vote on any other pair is refused.
        "offer": voting.offer_pair(exercise, token, pair[0].id, pair[1].id) if pair else None,
        "skip_reasons": SKIP_REASONS,
        "made": _votes_made(exercise, respondent_id) if made is None else made,
        "message": message,
    }


def _votes_made(exercise: Exercise, respondent_id: int | None) -> int:
    respondent = db.session.get(Respondent, respondent_id) if respondent_id is not None else None
    return voting.count_votes(exercise, respondent)


def _record_posted_vote(exercise: Exercise, token: str):
    """Record the vote in the posted form.

    Returns (respondent id, their vote count or None, message for the page, redirect or None).
    """
    form = VoteForm()
    ids = form.item_ids() if form.validate_on_submit() else None
    if ids is None:
        fallback = _("Something went wrong with that choice. Here is a new pair.")
        return None, None, form.errors.get("csrf_token", [fallback])[0], None
    try:
        voting.check_offer(exercise, token, ids[0], ids[1], form.key.data)
        receipt = voting.record_pairwise_vote(
            exercise,
            token,
            left_item_id=ids[0],
            right_item_id=ids[1],
            outcome=Outcome(form.choice.data),
            idempotency_key=form.key.data,
            skip_reason=SkipReason(form.skip_reason.data) if form.skip_reason.data else None,
            locale=str(get_locale() or "en"),
        )
    except voting.VoteRefused as refused:
        if refused.code == "cap":
            flash(refused.message, "important")
            return None, None, None, redirect(url_for(".finish", exercise_id=exercise.id))
        return None, None, refused.message, None
    # Without htmx: post, then redirect to a fresh pair (so a reload never re-posts).
    next_page = None if htmx else redirect(url_for(".vote", exercise_id=exercise.id))
    return receipt.respondent_id, receipt.respondent_votes, None, next_page


@bp.route("/exercises/<int:exercise_id>/vote", methods=["GET", "POST"])
@form_page
@limiter.limit(_vote_address_limit, methods=["POST"])
@limiter.limit(_vote_limit, methods=["POST"], key_func=respondent_key)
def vote(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    if not exercise.accepting_votes():
        return render_template("prioritise/not_open.html", exercise=exercise), 200
    token, new_token = token_or_new()
    respondent_id = message = made = None
    if request.method == "POST":
        respondent_id, made, message, next_page = _record_posted_vote(exercise, token)
        if next_page is not None:
            return set_token_cookie(next_page, token)
    if respondent_id is None and not new_token:
        found = voting.find_respondent(exercise, token)
        respondent_id = found.id if found is not None else None
    context = _pair_context(exercise, respondent_id, token, message, made)
    template = "prioritise/_partials/_pair.html" if htmx else "prioritise/vote.html"
    response = make_response(render_template(template, **context))
    return set_token_cookie(response, token) if new_token or request.method == "POST" else response


@bp.post("/exercises/<int:exercise_id>/undo")
@limiter.limit(_vote_address_limit)
@limiter.limit(_vote_limit, key_func=respondent_key)
def undo_vote(exercise_id: int):
    """Take back the resident's own last choice (only theirs: found through their cookie), then a pair."""
    exercise = public_exercise_or_404(exercise_id)
    token, new_token = token_or_new()
    undone = None if new_token else voting.undo_last_vote(exercise, token)
    if undone is not None:
        flash(_("Your last choice has been taken back."), "success")
    else:
        flash(_("There was no choice to take back."), "important")
    return redirect(url_for(".vote", exercise_id=exercise.id))


@bp.get("/exercises/<int:exercise_id>/finish")
def finish(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    if exercise.kind is not ExerciseKind.PAIRWISE:
        return redirect(url_for(".answered", exercise_id=exercise.id))
    return render_finish(exercise)
