"""What budget and ranking exercises share: check your answers, submit once, then compare and comment."""

from __future__ import annotations

import secrets

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from engage.database import reads_first
from engage.extensions import db, limiter
from engage.forms import form_page, posted_key
from engage.prioritise import bp
from engage.prioritise.access import FIRST_STEP, respondent_here
from engage.prioritise.budget.amounts import format_amount, format_pounds, format_share
from engage.prioritise.budget.rules import summarise
from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus
from engage.prioritise.submissions.access import already_answered, answering_exercise_or_404
from engage.prioritise.submissions.drafts import clear_draft, load_draft
from engage.prioritise.submissions.forms import CommentForm, SubmitAnswerForm
from engage.prioritise.submissions.pages import render_answered
from engage.prioritise.submissions.submitting import (
    SubmissionInvalid,
    add_comment,
    find_submission,
    record_submission,
)
from engage.respondents import VoteRefused, respondent_key, set_token_cookie, token_or_new


def _check_page(exercise: Exercise, draft: dict[int, int], form: SubmitAnswerForm, status: int = 200):
    items = {item.id: item for item in exercise.active_items}
    context = {"exercise": exercise, "form": form, "draft": draft}
    if exercise.kind is ExerciseKind.BUDGET:
        context["summary"] = summarise(exercise, draft)
        context["rows"] = [(item, draft.get(item.id, 0)) for item in exercise.active_items]
    else:
        ranked = sorted((place, item_id) for item_id, place in draft.items())
        context["rows"] = [items[item_id] for _, item_id in ranked]
    return render_template("prioritise/check_answers.html", **context), status


@bp.route("/exercises/<int:exercise_id>/check", methods=["GET", "POST"])
@form_page
@limiter.limit("30 per hour", methods=["POST"], key_func=respondent_key)
@reads_first
def check_answers(exercise_id: int):
    exercise, closed = answering_exercise_or_404(exercise_id)
    if closed is not None:
        return closed
    first_step = url_for(FIRST_STEP[exercise.kind], exercise_id=exercise.id)
    draft = load_draft(exercise)
    # Sending: an answer already stored is found by the insert itself (its unique keys), not looked up first.
    key = posted_key() if draft is not None else None
    if key is None:
        form = SubmitAnswerForm()
        if not form.is_submitted() or draft is None:
            if already_answered(exercise):
                return redirect(url_for(".answered", exercise_id=exercise.id))
            if draft is None:
                return redirect(first_step)
            form.key.data = secrets.token_hex(16)
            # The respondent's cookie comes with this page, so a double click on "Submit" sends one token
            # and the second copy finds the first (keys are scoped to the person who sent them).
            token, new_token = token_or_new()
            page, status = _check_page(exercise, draft, form)
            return set_token_cookie(make_response(page, status), token) if new_token else (page, status)
        if not form.validate():
            return _check_page(exercise, draft, form, 400)
        key = form.key.data
    assert draft is not None  # the key is read only with a draft to send
    token, _new = token_or_new()
    try:
        record_submission(exercise, token, draft, idempotency_key=key, locale=str(get_locale() or "en"))
    except SubmissionInvalid:
        if already_answered(exercise):
            return redirect(url_for(".answered", exercise_id=exercise.id))
        # The exercise changed under the draft (an item was added): send them back to look again.
        flash(_("The exercise has changed since you started. Check your answers again."), "important")
        return redirect(first_step)
    except VoteRefused:
        return render_template("prioritise/not_open.html", exercise=exercise)
    clear_draft(exercise)
    return set_token_cookie(redirect(url_for(".answered", exercise_id=exercise.id)), token)


@bp.get("/exercises/<int:exercise_id>/your-answer")
def answered(exercise_id: int):
    exercise = db.get_or_404(Exercise, exercise_id)
    if exercise.status is ExerciseStatus.DRAFT or exercise.kind is ExerciseKind.PAIRWISE:
        abort(404)
    return render_answered(exercise)


@bp.post("/exercises/<int:exercise_id>/comment")
@form_page
@limiter.limit("10 per hour", key_func=respondent_key)
def comment(exercise_id: int):
    exercise = db.get_or_404(Exercise, exercise_id)
    respondent = respondent_here(exercise)
    if exercise.status is ExerciseStatus.DRAFT or find_submission(exercise, respondent) is None:
        abort(404)
    form = CommentForm()
    if form.validate_on_submit():
        add_comment(exercise, respondent, form.text.data)
        flash(_("Thank you. Your comment has been sent to the board's officers."), "success")
        return redirect(url_for(".answered", exercise_id=exercise.id))
    return render_answered(exercise, comment_form=form, status=400)


bp.add_app_template_filter(format_amount, "amount")
bp.add_app_template_filter(format_share, "share")
bp.add_app_template_filter(format_pounds, "pounds")
