"""What residents see: the start page, the pairs, their top priorities, suggestions and public results."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from engage.equality.forms import ProfileForm
from engage.extensions import csrf, db, htmx, limiter
from engage.prioritise import bp, charts, results, service, voting
from engage.prioritise.answer_pages import render_answer_results, render_answered, respondent_here
from engage.prioritise.forms import SuggestionForm, VoteForm
from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus, Outcome, Respondent, SkipReason
from engage.respondents import respondent_key, set_token_cookie, token_or_new
from engage.web import allow_inline_styles

#: Where each kind of exercise starts once a resident presses "Start now".
FIRST_STEP = {
    ExerciseKind.PAIRWISE: ".vote",
    ExerciseKind.BUDGET: ".allocate",
    ExerciseKind.RANKING: ".rank",
}


def public_exercise_or_404(exercise_id: int) -> Exercise:
    """An exercise residents may see: anything but a draft."""
    exercise = db.get_or_404(Exercise, exercise_id)
    if exercise.status is ExerciseStatus.DRAFT:
        abort(404)
    return exercise


def _vote_limit() -> str:
    return current_app.config["ENGAGE_VOTE_LIMIT"]


def _vote_address_limit() -> str:
    return current_app.config["ENGAGE_VOTE_ADDRESS_LIMIT"]


@bp.get("/exercises/<int:exercise_id>")
def start(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    return render_template(
        "prioritise/start.html",
        exercise=exercise,
        first_step=url_for(FIRST_STEP[exercise.kind], exercise_id=exercise.id),
    )


def _pair_context(
    exercise: Exercise, respondent, message: str | None = None, made: int | None = None
) -> dict:
    pair = voting.choose_pair(exercise, respondent)
    form = VoteForm(formdata=None)
    if pair:
        form.left.data, form.right.data = str(pair[0].id), str(pair[1].id)
    form.key.data = secrets.token_hex(16)
    return {
        "exercise": exercise,
        "pair": pair,
        "form": form,
        "made": voting.count_votes(exercise, respondent) if made is None else made,
        "message": message,
    }


def _record_posted_vote(exercise: Exercise, token: str):
    """Record the vote in the posted form.

    Returns (respondent, their vote count or None, message for the page, redirect or None).
    """
    form = VoteForm()
    ids = form.item_ids() if form.validate_on_submit() else None
    if ids is None:
        fallback = _("Something went wrong with that choice. Here is a new pair.")
        return None, None, form.errors.get("csrf_token", [fallback])[0], None
    try:
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
    respondent = db.session.get(Respondent, receipt.vote.respondent_id)
    # Without htmx: post, then redirect to a fresh pair (so a reload never re-posts).
    next_page = None if htmx else redirect(url_for(".vote", exercise_id=exercise.id))
    return respondent, receipt.respondent_votes, None, next_page


@bp.route("/exercises/<int:exercise_id>/vote", methods=["GET", "POST"])
@csrf.exempt  # the vote form checks its own token and says so on the page when it has expired
@limiter.limit(_vote_address_limit, methods=["POST"])
@limiter.limit(_vote_limit, methods=["POST"], key_func=respondent_key)
def vote(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    if not exercise.accepting_votes():
        return render_template("prioritise/not_open.html", exercise=exercise), 200
    token, new_token = token_or_new()
    respondent = None if new_token else voting.find_respondent(exercise, token)
    message = made = None
    if request.method == "POST":
        recorded, made, message, next_page = _record_posted_vote(exercise, token)
        if next_page is not None:
            return set_token_cookie(next_page, token)
        respondent = recorded or respondent
    context = _pair_context(exercise, respondent, message, made)
    template = "prioritise/_partials/_pair.html" if htmx else "prioritise/vote.html"
    response = make_response(render_template(template, **context))
    return set_token_cookie(response, token) if new_token or request.method == "POST" else response


def render_finish(exercise: Exercise, suggestion_form=None, profile_form=None, status: int = 200):
    respondent = respondent_here(exercise)
    failed = suggestion_form if suggestion_form is not None else profile_form
    return render_template(
        "prioritise/finish.html",
        exercise=exercise,
        top=results.respondent_top_items(exercise, respondent),
        made=voting.count_votes(exercise, respondent),
        suggestion_form=suggestion_form or SuggestionForm(formdata=None),
        profile_form=profile_form or ProfileForm.build(formdata=None),
        form=failed,  # the base layout shows this form's error summary
    ), status


@bp.get("/exercises/<int:exercise_id>/finish")
def finish(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    if exercise.kind is not ExerciseKind.PAIRWISE:
        return redirect(url_for(".answered", exercise_id=exercise.id))
    return render_finish(exercise)


@bp.post("/exercises/<int:exercise_id>/suggest")
@csrf.exempt
@limiter.limit("10 per hour", key_func=respondent_key)
def suggest(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    if not exercise.allow_suggestions:
        abort(404)
    form = SuggestionForm()
    if form.validate_on_submit():
        service.add_suggestion(exercise, respondent_here(exercise), form.text.data)
        flash(
            _("Thank you. Your suggestion will be read by the board's officers before it appears."), "success"
        )
        return redirect(url_for(".finish", exercise_id=exercise.id))
    if exercise.kind is not ExerciseKind.PAIRWISE:
        return render_answered(exercise, suggestion_form=form, status=400)
    return render_finish(exercise, suggestion_form=form, status=400)


@bp.get("/exercises/<int:exercise_id>/thank-you")
def thank_you(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    return render_template("prioritise/thank_you.html", exercise=exercise)


@bp.get("/exercises/<int:exercise_id>/results")
def public_results(exercise_id: int):
    exercise = public_exercise_or_404(exercise_id)
    if not (exercise.results_public and exercise.status is ExerciseStatus.CLOSED):
        abort(404)
    allow_inline_styles()
    if exercise.kind is not ExerciseKind.PAIRWISE:
        return render_answer_results(exercise, public=True)
    outcome = results.pairwise_results(exercise, breakdowns=False)
    return render_template(
        "prioritise/public_results.html",
        exercise=exercise,
        results=outcome,
        chart_json=charts.scores_chart(outcome),
    )
