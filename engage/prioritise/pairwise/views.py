"""Residents comparing pairs: the pair page (with and without htmx) and the page with their top
priorities when they finish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from engage.database import reads_first
from engage.extensions import db, htmx, limiter
from engage.forms import CSRF_EXPIRED, csrf_refused, form_page
from engage.prioritise import bp
from engage.prioritise.access import public_exercise_or_404
from engage.prioritise.models import ExerciseKind, ExerciseStatus, Outcome, Respondent, SkipReason
from engage.prioritise.pairwise import chooser, voting
from engage.prioritise.pairwise.chooser import PairExercise
from engage.prioritise.pairwise.pages import render_finish
from engage.prioritise.pairwise.pair_box import pair_box
from engage.respondents import respondent_key, set_token_cookie, token_or_new
from engage.transactions import commit_before_rendering


def _vote_limit() -> str:
    return current_app.config["ENGAGE_VOTE_LIMIT"]


def _vote_address_limit() -> str:
    return current_app.config["ENGAGE_VOTE_ADDRESS_LIMIT"]


def _pair_context(
    exercise: PairExercise,
    respondent_id: int | None,
    token: str,
    message: str | None = None,
    made: int | None = None,
    answered: list[frozenset[int]] | None = None,
) -> dict:
    pair = voting.choose_pair(exercise, None, respondent_id=respondent_id, answered=answered)
    # Signed for this respondent and this pair: a vote on any other pair is refused.
    offer = voting.offer_pair(exercise, token, pair[0].id, pair[1].id) if pair else None
    made = _votes_made(respondent_id) if made is None else made
    return {
        "exercise": exercise,
        "pair_box": pair_box(exercise, pair, offer, made),
        "made": made,
        "message": message,
    }


def _votes_made(respondent_id: int | None) -> int:
    """Choices (skips too) this respondent has made: the counter on their row, which the cap reads."""
    if respondent_id is None:
        return 0
    return db.session.execute(_CHOICES, {"id": respondent_id}).scalar() or 0


_CHOICES = select(Respondent.choices).where(Respondent.id == bindparam("id"))


@dataclass(frozen=True)
class _Posted:
    """A vote as the pair form sends it (two hidden item ids, the signed offer, the button pressed), read
    without WTForms: building and validating a FlaskForm of these five fields costs about 0.26 ms more per
    vote than this (measured with WTForms' catalogue already cached per language, engage.forms), a tenth of
    the vote's own processor time, for checks that come down to two integers, a choice and a key length."""

    left: int
    right: int
    key: str
    outcome: Outcome
    skip_reason: SkipReason | None

    @classmethod
    def read(cls) -> _Posted | None:
        """The posted vote, or None when the form was not one the pair page sends."""
        form = request.form
        try:
            left, right = int(form["left"]), int(form["right"])
            outcome = Outcome(form["choice"])
            reason = form.get("skip_reason") or None
            skip_reason = SkipReason(reason) if reason else None
        except (KeyError, ValueError):
            return None
        key = form.get("key", "")
        if not 16 <= len(key) <= 400:
            return None
        return cls(left, right, key, outcome, skip_reason)


def _go_to(url: str) -> Response:
    """Send the person to another page: a redirect, or for htmx an ``HX-Redirect`` (htmx would follow a
    302 itself and swap the whole page into the pair area)."""
    if htmx:
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url)


class _Recorded(NamedTuple):
    """What became of a posted vote, for the page that follows."""

    respondent_id: int | None = None
    #: Their choices so far, when a vote was stored (or found stored: a repeat).
    made: int | None = None
    message: str | None = None
    next_page: Response | None = None
    #: The pairs they have answered, the vote's included; None when not known (read them afresh).
    answered: list[frozenset[int]] | None = None


def _record_posted_vote(
    exercise: PairExercise, token: str, answered: list[frozenset[int]] | None
) -> _Recorded:
    """Record the vote in the posted form, read without building a form (the page is two buttons and
    hidden fields; CSRFProtect has checked the token). ``answered``: the pairs this person had answered,
    read before the vote, or None (on PostgreSQL storing the vote reads them)."""
    if csrf_refused():
        g.engage_csrf_form_refused = True  # a page with the message, not the "session timed out" page
        return _Recorded(message=str(CSRF_EXPIRED), answered=answered)
    posted = _Posted.read()
    if posted is None:
        return _Recorded(
            message=_("Something went wrong with that choice. Here is a new pair."), answered=answered
        )
    try:
        voting.check_offer(exercise, token, posted.left, posted.right, posted.key)
        receipt = voting.record_pairwise_vote(
            exercise,
            token,
            left_item_id=posted.left,
            right_item_id=posted.right,
            outcome=posted.outcome,
            idempotency_key=posted.key,
            skip_reason=posted.skip_reason,
            locale=str(get_locale() or "en"),
            on_its_own=True,  # what follows only reads: the vote can be its own transaction
        )
    except voting.VoteRefused as refused:
        if refused.code == "cap":
            flash(refused.message, "important")
            return _Recorded(next_page=_go_to(url_for(".finish", exercise_id=exercise.id)))
        if refused.code == "closed":  # closed since this worker's copy was read: the page that says so
            chooser.forget(exercise.id)
            return _Recorded(next_page=_go_to(url_for(".vote", exercise_id=exercise.id)))
        return _Recorded(message=refused.message, answered=answered)
    if receipt.respondent_votes >= exercise.max_votes_per_respondent:
        # The last choice allowed: a new pair could only be refused, so on to their top priorities.
        flash(str(voting.CAP_REACHED), "important")
        return _Recorded(next_page=_go_to(url_for(".finish", exercise_id=exercise.id)))
    if receipt.answered_before is not None:
        answered = receipt.answered_before
    if receipt.created and answered is not None:
        answered = [*answered, frozenset((posted.left, posted.right))]
    # Without htmx: post, then redirect to a fresh pair (so a reload never re-posts).
    next_page = None if htmx else redirect(url_for(".vote", exercise_id=exercise.id))
    return _Recorded(receipt.respondent_id, receipt.respondent_votes, None, next_page, answered)


def _exercise_for_pairs(exercise_id: int) -> PairExercise | None:
    """The exercise as this worker keeps it for the pair pages (404 for none or a draft); None when it is
    not taking votes (read afresh first: the copy may be older than an officer's change)."""
    state = chooser.current_state(exercise_id)
    if state is not None and not state.exercise.accepting_votes():
        chooser.forget(exercise_id)
        state = chooser.current_state(exercise_id)
    if state is None or state.exercise.status is ExerciseStatus.DRAFT:
        abort(404)
    return state.exercise if state.exercise.accepting_votes() else None


@bp.route("/exercises/<int:exercise_id>/vote", methods=["GET", "POST"])
@form_page
@reads_first
@limiter.limit(_vote_address_limit, methods=["POST"])
@limiter.limit(_vote_limit, methods=["POST"], key_func=respondent_key)
def vote(exercise_id: int):
    exercise = _exercise_for_pairs(exercise_id)
    if exercise is None:
        closed = public_exercise_or_404(exercise_id)
        if htmx:  # a whole page, not a pair: the browser loads it (a GET without htmx shows this page)
            return _go_to(url_for(".vote", exercise_id=closed.id))
        return render_template("prioritise/not_open.html", exercise=closed), 200
    token, new_token = token_or_new()
    # The pairs this person has answered: read before the vote is written (on SQLite outside the write
    # lock: ``reads_first``), with the vote added once it is stored; on PostgreSQL the statement that stores
    # the vote reads them (read afresh here only when no vote was stored).
    answered: list[frozenset[int]] | None = [] if new_token else None
    posting = request.method == "POST"
    if answered is None and not (posting and voting.vote_reads_answered()):
        answered = voting.pairs_answered_with(exercise, token)
    respondent_id = message = made = None
    if posting:
        respondent_id, made, message, next_page, answered = _record_posted_vote(exercise, token, answered)
        if next_page is not None:
            return set_token_cookie(next_page, token)
    if answered is None:
        answered = voting.pairs_answered_with(exercise, token)
    if respondent_id is None and not new_token:
        respondent_id = voting.find_respondent_id(exercise, token)
    if made is not None:  # a vote was stored: what follows only reads what is already read
        commit_before_rendering()
    elif (made := _votes_made(respondent_id)) >= exercise.max_votes_per_respondent:
        # At the cap: a pair could only be refused, so their top priorities instead.
        flash(str(voting.CAP_REACHED), "important")
        return set_token_cookie(_go_to(url_for(".finish", exercise_id=exercise.id)), token)
    context = _pair_context(exercise, respondent_id, token, message, made, answered)
    if htmx:
        # The status line and the kept box: a fragment without the page furniture, so without Flask's
        # template context too (the language list, the signed-in person and the like: about 0.1 ms a vote).
        fragment = current_app.jinja_env.get_template("prioritise/_partials/_pair.html")
        response = make_response(fragment.render(context, htmx=True))
    else:
        response = make_response(render_template("prioritise/vote.html", **context))
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
