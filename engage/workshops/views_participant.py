"""Participants join with the code (no account), wait, and answer each round the facilitator starts. The
room page asks the server every two seconds whether anything changed (a 204 when not, so nothing moves
under their thumb); without JavaScript a "Check for the next round" button does the same."""

from __future__ import annotations

import secrets

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from engage.extensions import htmx, limiter
from engage.forms import form_page
from engage.prioritise.models import ExerciseKind, Outcome
from engage.prioritise.pairwise import voting
from engage.prioritise.submissions.submitting import SubmissionInvalid, find_submission
from engage.respondents import VoteRefused, current_token, set_token_cookie, token_or_new
from engage.service_errors import StateError
from engage.workshops import bp, service
from engage.workshops.forms import (
    JoinForm,
    NameForm,
    RoomVoteForm,
    answer_form,
    answer_values,
    problem_field,
    question_form,
)
from engage.workshops.models import RoundState, SessionStatus, WorkshopRound, WorkshopSession


def _locale() -> str:
    return str(get_locale() or "en")


def _join_limit() -> str:
    return current_app.config.get("ENGAGE_JOIN_CODE_LIMIT", "10 per minute;30 per hour")


def _wrong_code(response) -> bool:
    """Only a code that matched no workshop counts against the address: a room of people behind one
    address joining with the right code is never held up."""
    return response.status_code in (400, 404)


#: One allowance per address for every way of trying a code (the form, /join/<code>, its live updates),
#: so guessing codes stops after a few wrong ones.
join_code_limit = limiter.shared_limit(
    _join_limit,
    scope="workshop-join-code",
    deduct_when=_wrong_code,
)


def _session_or_404(code: str) -> WorkshopSession:
    session = service.session_by_code(code)
    if session is None:
        abort(404)
    return session


@bp.route("/join", methods=["GET", "POST"])
@form_page
@join_code_limit
def enter_code():
    form = JoinForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        session = service.session_by_code(form.code.data)
        if session is None:
            form.add_error("code", _("There is no workshop with that code. Check the code on the screen."))
        else:
            return redirect(url_for(".room", code=session.join_code))
    status = 400 if form.errors else 200
    return render_template("workshops/join.html", form=form), status


def _round_context(session: WorkshopSession, token: str | None, message: str | None = None) -> dict:
    """What the participant's screen shows now. A paused round, or one whose time is up, keeps its form
    (what the person has typed stays): the round's state is said in the status line above it."""
    current = session.current_round
    context = {"session": session, "current": current, "message": message, "view": "waiting"}
    if session.status is SessionStatus.ENDED:
        context["view"] = "ended"
    elif current is None or current.state not in (RoundState.OPEN, RoundState.PAUSED):
        context["view"] = "waiting"
    elif current.question is not None:
        context.update(_question_context(current, token))
    elif current.voting_exercise.kind is ExerciseKind.PAIRWISE:
        context.update(_pair_context(current, token))
    else:
        context.update(_answer_context(current, token))
    return context


def _pair_context(current: WorkshopRound, token: str | None) -> dict:
    respondent = voting.find_respondent(current.voting_exercise, token) if token else None
    done = service.pairs_done(current, respondent)
    if current.pairs_per_person and done >= current.pairs_per_person:
        return {"view": "round-done", "done": done}
    pair = voting.choose_pair(current.voting_exercise, respondent)
    form = RoomVoteForm(formdata=None)
    if pair and token:
        form.left.data, form.right.data = str(pair[0].id), str(pair[1].id)
        # Signed for this participant and this pair: a vote on any other pair is refused.
        form.key.data = voting.offer_pair(current.voting_exercise, token, pair[0].id, pair[1].id)
    return {"view": "pair", "pair": pair, "vote_form": form, "done": done}


def _question_context(current: WorkshopRound, token: str | None, form=None) -> dict:
    participant = service.find_participant(current.session, token)
    if participant is not None and service.has_answered_question(current, participant):
        return {"view": "round-done"}
    return {"view": "question", "question_form": form or question_form(current.question, formdata=None)}


def _answer_context(current: WorkshopRound, token: str | None, form=None) -> dict:
    respondent = voting.find_respondent(current.voting_exercise, token) if token else None
    if respondent is not None and find_submission(current.voting_exercise, respondent) is not None:
        return {"view": "round-done"}
    if form is None:
        form = answer_form(
            list(current.voting_exercise.active_items),
            current.voting_exercise.kind is ExerciseKind.RANKING,
            formdata=None,
        )
        form.key.data = secrets.token_hex(16)
    return {"view": "answer", "answer_form": form}


def _room_response(session: WorkshopSession, token: str | None, context: dict, status: int = 200):
    template = "workshops/_partials/_room.html" if htmx else "workshops/room.html"
    return make_response(render_template(template, **context), status)


@bp.route("/join/<code>", methods=["GET", "POST"])
@form_page
@join_code_limit
def room(code: str):
    session = _session_or_404(code)
    token = current_token()
    participant = service.find_participant(session, token)
    if participant is None:
        form = NameForm()
        if form.validate_on_submit() and session.status is not SessionStatus.ENDED:
            token, _new = token_or_new()
            service.join(session, token, form.label.data or "")
            return set_token_cookie(redirect(url_for(".room", code=session.join_code)), token)
        status = 400 if form.errors else 200
        return render_template("workshops/name.html", form=form, session=session), status
    return _room_response(session, token, _round_context(session, token))


@bp.get("/join/<code>/now")
@join_code_limit
def room_now(code: str):
    """204 when nothing changed since ``rev``. Otherwise the status line as it is now, and the room's form
    only when the question itself changed since ``q`` (the next round, the end): a pause, the timer or
    results shown never redraw the form, so what the person is typing and where their focus is stay."""
    session = _session_or_404(code)
    if request.args.get("rev") == session.state_key:
        return "", 204
    token = current_token()
    if service.find_participant(session, token) is None:
        return redirect(url_for(".room", code=session.join_code))
    context = {"session": session, "current": session.current_round}
    if request.args.get("q") != session.content_key:
        context = _round_context(session, token) | {"replace_room": True}
    return make_response(render_template("workshops/_partials/_room_poll.html", **context))


def _joined_or_redirect(session: WorkshopSession):
    token = current_token()
    if service.find_participant(session, token) is None:
        return None, redirect(url_for(".room", code=session.join_code))
    return token, None


@bp.post("/join/<code>/vote")
@form_page
def room_vote(code: str):
    session = _session_or_404(code)
    token, away = _joined_or_redirect(session)
    if away is not None:
        return away
    form = RoomVoteForm()
    message = None
    current = session.current_round
    if current is None or not form.validate_on_submit():
        message = form.errors.get(
            "csrf_token", [_("Something went wrong with that choice. Here is a new pair.")]
        )[0]
    else:
        try:
            if current.exercise is None:
                raise StateError(_("This round has finished. Wait for the next one."))
            voting.check_offer(
                current.exercise, token, int(form.left.data), int(form.right.data), form.key.data
            )
            service.record_room_vote(
                current,
                token,
                int(form.left.data),
                int(form.right.data),
                Outcome(form.choice.data),
                form.key.data,
                _locale(),
            )
        except (StateError, VoteRefused, ValueError) as problem:
            message = getattr(problem, "message", None) or _("That choice could not be saved.")
    if not htmx and message is None:
        return redirect(url_for(".room", code=session.join_code))
    # Refused (an expired token, a stale pair): the room again, saying why, with or without htmx.
    return _room_response(session, token, _round_context(session, token, message))


@bp.post("/join/<code>/answer")
@form_page
def room_answer(code: str):
    session = _session_or_404(code)
    token, away = _joined_or_redirect(session)
    if away is not None:
        return away
    current = session.current_round
    if current is None or current.exercise is None or current.exercise.kind is ExerciseKind.PAIRWISE:
        return redirect(url_for(".room", code=session.join_code))
    form = answer_form(list(current.exercise.active_items), current.exercise.kind is ExerciseKind.RANKING)
    if form.validate_on_submit():
        try:
            service.record_room_answer(current, token, answer_values(form), form.key.data, _locale())
        except SubmissionInvalid as invalid:
            for problem in invalid.problems:
                form.add_error(problem_field(form, problem), problem.message)
        except (StateError, VoteRefused) as problem:
            form.add_error(f"item_{form.item_ids[0]}", problem.message)
        else:
            return redirect(url_for(".room", code=session.join_code))
    context = _round_context(session, token)
    context.update(_answer_context(current, token, form))
    context["form"] = form  # base.html shows its error summary
    return _room_response(session, token, context, 400 if form.errors else 200)


@bp.post("/join/<code>/question")
@form_page
def room_question(code: str):
    session = _session_or_404(code)
    token, away = _joined_or_redirect(session)
    if away is not None:
        return away
    current = session.current_round
    if current is None or current.question is None:
        return redirect(url_for(".room", code=session.join_code))
    form = question_form(current.question)
    if form.validate_on_submit():
        participant = service.find_participant(session, token)
        assert participant is not None  # _joined_or_redirect found them
        try:
            service.record_room_question(current, participant, form.answer.data, _locale())
        except StateError as problem:
            form.add_error("answer", problem.message)
        else:
            return redirect(url_for(".room", code=session.join_code))
    context = _round_context(session, token)
    context.update(_question_context(current, token, form))
    context["form"] = form  # base.html shows its error summary
    return _room_response(session, token, context, 400 if form.errors else 200)
