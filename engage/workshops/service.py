"""Running a workshop: sessions and rounds, the facilitator's controls, joining, and the room's answers.

Answers go through the exercise's own recording functions (prioritise.pairwise.voting and
prioritise.submissions.submitting) with channel "workshop" (or "paper") and the session id, so the workshop
never holds a second copy of the rules.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engage.accounts.models import User
from engage.boards.models import Board
from engage.channels import Channel
from engage.database import utcnow
from engage.extensions import db
from engage.idempotency import server_key
from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus, Outcome, PairwiseVote
from engage.prioritise.pairwise import voting
from engage.prioritise.submissions import submitting
from engage.service_errors import StateError
from engage.surveys.models import Consultation, ConsultationStatus, Question, Section
from engage.surveys.questions import CLOSED_KINDS
from engage.surveys.responses import record_one_answer, response_with_key
from engage.transactions import atomic
from engage.workshops import logger, wall
from engage.workshops.models import (
    TEXT_KINDS,
    Participant,
    RoundAnswer,
    RoundState,
    SessionStatus,
    WorkshopRound,
    WorkshopSession,
)
from engage.workshops.paper import sheets_for

#: No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read off a projector across a room must not be mistaken.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
ROUND_KINDS = (ExerciseKind.PAIRWISE, ExerciseKind.BUDGET, ExerciseKind.RANKING)
#: The length of a round's timer; "add a minute" extends it.
ROUND_MINUTES = 3


def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(WorkshopSession.id).where(WorkshopSession.join_code == code)) is None:
            return code


def normalise_code(text: str) -> str:
    """What a person typed, as a code: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def session_by_code(code: str) -> WorkshopSession | None:
    return db.session.scalar(select(WorkshopSession).where(WorkshopSession.join_code == normalise_code(code)))


def round_exercises(board: Board) -> list[Exercise]:
    """The board's exercises a round can run: pairwise, budget or ranking, not closed."""
    return list(
        db.session.scalars(
            select(Exercise)
            .where(
                Exercise.board_id == board.id,
                Exercise.kind.in_(ROUND_KINDS),
                Exercise.status != ExerciseStatus.CLOSED,
            )
            .order_by(Exercise.title)
        )
    )


def workshops_for_board(board: Board) -> list[WorkshopSession]:
    return list(
        db.session.scalars(
            select(WorkshopSession)
            .where(WorkshopSession.board_id == board.id)
            .order_by(WorkshopSession.held_on.desc(), WorkshopSession.id.desc())
        )
    )


def create_session(board: Board, user: User, name: str, held_on: date, venue: str) -> WorkshopSession:
    session = WorkshopSession(
        board=board,
        organisation_id=user.organisation_id,
        name=name.strip(),
        held_on=held_on,
        venue=venue.strip(),
        join_code=new_join_code(),
        created_by=user,
    )
    db.session.add(session)
    db.session.flush()
    logger.info(
        "workshop %s (%s) created on board %s by user %s", session.id, session.join_code, board.slug, user.id
    )
    return session


def round_questions(board: Board) -> list[Question]:
    """Closed questions (single choice, agreement, rating) and free-text questions (a moderated wall on the
    projector) of the board's open consultations."""
    return list(
        db.session.scalars(
            select(Question)
            .join(Section, Section.id == Question.section_id)
            .join(Consultation, Consultation.id == Section.consultation_id)
            .where(
                Consultation.board_id == board.id,
                Consultation.status == ConsultationStatus.OPEN,
                Question.kind.in_((*CLOSED_KINDS, *TEXT_KINDS)),
            )
            .order_by(Consultation.title, Section.position, Question.position)
        )
    )


@atomic()
def add_round(
    session: WorkshopSession,
    exercise: Exercise | None = None,
    pairs_per_person: int | None = None,
    question: Question | None = None,
) -> WorkshopRound:
    """Add a round running an exercise or asking one closed consultation question, at the end."""
    if session.status is SessionStatus.ENDED:
        raise StateError("This workshop has ended.")
    if exercise is not None and (exercise.board_id != session.board_id or exercise.kind not in ROUND_KINDS):
        raise StateError("Choose one of this board's pairwise, budget or ranking exercises.")
    if question is not None and question not in round_questions(session.board):
        raise StateError(
            "Choose a single-choice, agreement, rating or free-text question of an open consultation."
        )
    if (exercise is None) == (question is None):
        raise StateError("Choose an exercise or a question for the round.")
    position = max((r.position for r in session.rounds), default=-1) + 1
    pairwise = exercise is not None and exercise.kind is ExerciseKind.PAIRWISE
    added = WorkshopRound(
        session=session,
        position=position,
        exercise=exercise,
        question=question,
        pairs_per_person=pairs_per_person if pairwise else None,
    )
    db.session.add(added)
    _changed(session)
    return added


def can_change(round_: WorkshopRound) -> bool:
    """A round that has not run (and is not the room's) may be moved or removed."""
    session = round_.session
    return (
        session.status is not SessionStatus.ENDED
        and round_.state is RoundState.WAITING
        and (session.current_position is None or round_.position > session.current_position)
    )


def round_changes(session: WorkshopSession) -> dict[int, list[str]]:
    """{round id: the changes offered for it ("up", "down", "remove")}: rounds that have not run, moved
    only past others that have not run."""
    rounds = list(session.rounds)
    changes: dict[int, list[str]] = {}
    for index, round_ in enumerate(rounds):
        if not can_change(round_):
            continue
        offered = []
        if index > 0 and can_change(rounds[index - 1]):
            offered.append("up")
        if index + 1 < len(rounds):
            offered.append("down")
        changes[round_.id] = [*offered, "remove"]
    return changes


@atomic()
def move_round(session: WorkshopSession, round_: WorkshopRound, direction: str) -> None:
    """Swap a round that has not run with the one before ("up") or after ("down"), if that has not run."""
    if round_.session_id != session.id or not can_change(round_):
        raise StateError("Only a round that has not run can be moved.")
    rounds = list(session.rounds)
    index = rounds.index(round_)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(rounds) or not can_change(rounds[other_index]):
        raise StateError("That round cannot move further.")
    other = rounds[other_index]
    round_.position, other.position = other.position, round_.position
    db.session.flush()
    db.session.expire(session, ["rounds"])
    _changed(session)


@atomic()
def remove_round(session: WorkshopSession, round_: WorkshopRound) -> None:
    """Remove a round that has not run and has no paper sheets (their answers are in the exercise)."""
    if round_.session_id != session.id or not can_change(round_):
        raise StateError("Only a round that has not run can be removed.")
    if sheets_for(round_):
        raise StateError("This round has paper sheets. Correct them instead of removing the round.")
    session.rounds.remove(round_)
    db.session.delete(round_)
    db.session.flush()
    _changed(session)


def _changed(session: WorkshopSession) -> None:
    session.revision = (session.revision or 0) + 1


@atomic()
def start_next_round(session: WorkshopSession) -> WorkshopRound:
    """Close the current round and open the next (its exercise must be open to take answers): the rounds'
    states, the session's position and revision change together or not at all."""
    if session.status is SessionStatus.ENDED:
        raise StateError("This workshop has ended.")
    upcoming = session.next_round
    if upcoming is None:
        raise StateError("There is no next round. Add one, or end the workshop.")
    if not upcoming.accepting():
        what = "exercise" if upcoming.exercise is not None else "consultation"
        raise StateError(f"“{upcoming.title}” is not open. Open the {what} first, then start the round.")
    if session.current_round is not None:
        session.current_round.state = RoundState.DONE
    upcoming.state = RoundState.OPEN
    session.current_position = upcoming.position
    session.status = SessionStatus.LIVE
    _changed(session)
    return upcoming


@atomic()
def set_round_state(session: WorkshopSession, action: str) -> None:
    """ "pause", "resume", "reveal" or "hide" the current round; "timer" gives it three minutes from now and
    "extend" one more minute (from now, if time had run out)."""
    current = session.current_round
    if current is None or session.status is SessionStatus.ENDED:
        raise StateError("No round is running.")
    if action == "timer":
        current.ends_at = utcnow() + timedelta(minutes=ROUND_MINUTES)
    elif action == "extend":
        start = current.ends_at if current.ends_at and not current.time_up() else utcnow()
        current.ends_at = start + timedelta(minutes=1)
    elif action == "pause" and current.state is RoundState.OPEN:
        current.state = RoundState.PAUSED
    elif action == "resume" and current.state is RoundState.PAUSED:
        current.state = RoundState.OPEN
    elif action in ("reveal", "hide"):
        current.results_shown = action == "reveal"
    else:
        raise StateError("That cannot be done to this round now.")
    _changed(session)


@atomic()
def end_session(session: WorkshopSession) -> None:
    """End the workshop: its current round finishes with it (both or neither)."""
    if session.current_round is not None:
        session.current_round.state = RoundState.DONE
    session.status = SessionStatus.ENDED
    _changed(session)


def screen_token(session: WorkshopSession) -> str | None:
    """The projector-only link's token: ``<session id>.<HMAC of the session's random value>``."""
    if not session.screen_nonce:
        return None
    return f"{session.id}.{server_key('workshop-screen', session.id, session.screen_nonce)}"


def new_screen_link(session: WorkshopSession) -> str:
    """Make (or remake: the old one stops working) the session's projector-only link."""
    session.screen_nonce = secrets.token_hex(32)
    db.session.flush()
    logger.info("workshop %s: new projector link", session.id)
    return screen_token(session) or ""


def revoke_screen_link(session: WorkshopSession) -> None:
    session.screen_nonce = None
    db.session.flush()
    logger.info("workshop %s: projector link revoked", session.id)


def session_for_screen(token: str) -> WorkshopSession | None:
    """The session whose projector link this is, or None (a wrong, old or revoked token)."""
    number, _sep, _mac = (token or "").partition(".")
    # ASCII digits only ("²" and "١" are digits to str.isdigit but not to int), and no longer than any id.
    if not (number.isascii() and number.isdigit()) or len(number) > 18:
        return None
    session = db.session.get(WorkshopSession, int(number))
    expected = screen_token(session) if session is not None else None
    if expected is None or not hmac.compare_digest(expected, token):
        return None
    return session


def _token_hash(session: WorkshopSession, token: str) -> str:
    return hashlib.sha256(f"workshop:{session.id}:{token}".encode()).hexdigest()


def find_participant(session: WorkshopSession, token: str | None) -> Participant | None:
    if not token:
        return None
    return db.session.scalar(
        select(Participant).where(
            Participant.session_id == session.id, Participant.token_hash == _token_hash(session, token)
        )
    )


def join(session: WorkshopSession, token: str, label: str = "") -> Participant:
    """Join once per device: joining again (a reload, a second tap) returns the same participant."""
    if session.status is SessionStatus.ENDED:
        raise StateError("This workshop has ended.")
    found = find_participant(session, token)
    if found is not None:
        return found
    participant = Participant(
        session_id=session.id, token_hash=_token_hash(session, token), label=label.strip()[:60]
    )
    db.session.add(participant)
    db.session.flush()  # its id makes the participant's answer keys
    return participant


def participant_count(session: WorkshopSession) -> int:
    return db.session.execute(
        select(func.count()).select_from(Participant).where(Participant.session_id == session.id)
    ).scalar_one()


def _require_open(round_: WorkshopRound) -> None:
    if round_.time_up():
        raise StateError(str(_l("Time is up for this round. Wait for the facilitator.")))
    if round_.state is RoundState.PAUSED:
        raise StateError(str(_l("Voting is paused. Wait for the facilitator.")))
    if round_.state is not RoundState.OPEN or round_.session.current_round is not round_:
        raise StateError(str(_l("This round has finished. Wait for the next one.")))


def pairs_done(round_: WorkshopRound, respondent) -> int:
    """Choices (skips too) this respondent has made in this round's exercise during this workshop."""
    if respondent is None:
        return 0
    return db.session.execute(
        select(func.count())
        .select_from(PairwiseVote)
        .where(
            PairwiseVote.respondent_id == respondent.id, PairwiseVote.workshop_session_id == round_.session_id
        )
    ).scalar_one()


def _mark_answered(round_: WorkshopRound, participant: Participant | None) -> None:
    """Note that this participant has answered the round (once; a second tab at the same moment too)."""
    if participant is None:
        return
    seen = select(RoundAnswer.id).where(
        RoundAnswer.round_id == round_.id, RoundAnswer.participant_id == participant.id
    )
    if db.session.scalar(seen) is not None:
        return
    try:
        with atomic():
            # To the minute only: an exact time would sit beside the answer's own and tie a named person to
            # what they answered (the facilitator needs to know that someone answered, not when).
            answered_at = utcnow().replace(second=0, microsecond=0)
            db.session.add(
                RoundAnswer(round_id=round_.id, participant_id=participant.id, answered_at=answered_at)
            )
            db.session.flush()
    except IntegrityError:
        pass  # the other request noted it


def room_people(session: WorkshopSession) -> list[tuple[Participant, bool | None]]:
    """Everyone who joined, in the order they joined, and whether they have answered the current round.

    None (not said) in a free-text round: the facilitator moderates each answer as it arrives, so a name
    turning to "Answered" in the same poll would tell them who wrote it. The round's count still shows."""
    people = db.session.scalars(
        select(Participant).where(Participant.session_id == session.id).order_by(Participant.id)
    ).all()
    current = session.current_round
    if current is not None and current.open_text:
        return [(person, None) for person in people]
    answered = (
        set(db.session.scalars(select(RoundAnswer.participant_id).where(RoundAnswer.round_id == current.id)))
        if current is not None
        else set()
    )
    return [(person, person.id in answered) for person in people]


def record_room_vote(
    round_: WorkshopRound, token: str, left: int, right: int, outcome: Outcome, key: str, locale: str = "en"
):
    """A participant's pairwise choice in the current round (a retry with the same key is stored once)."""
    _require_open(round_)
    receipt = voting.record_pairwise_vote(
        round_.voting_exercise,
        token,
        left_item_id=left,
        right_item_id=right,
        outcome=outcome,
        idempotency_key=key,
        channel=Channel.WORKSHOP,
        locale=locale,
        workshop_session_id=round_.session_id,
        workshop_limit=round_.pairs_per_person,  # counted under the respondent's lock: a limit, not a hint
    )
    _mark_answered(round_, find_participant(round_.session, token))
    return receipt


def record_room_answer(
    round_: WorkshopRound,
    token: str,
    values: Mapping[int, int | None],
    key: str,
    locale: str = "en",
    channel: Channel = Channel.WORKSHOP,
):
    """A participant's allocation or ranking (or, with channel paper, a paper sheet typed in)."""
    if channel is Channel.WORKSHOP:
        _require_open(round_)
    receipt = submitting.record_submission(
        round_.voting_exercise,
        token,
        values,
        idempotency_key=key,
        channel=channel,
        locale=locale,
        workshop_session_id=round_.session_id,
    )
    if channel is Channel.WORKSHOP:
        _mark_answered(round_, find_participant(round_.session, token))
    return receipt


def participant_key(round_: WorkshopRound, participant: Participant) -> str:
    """The same key for the same person and round, so answering a question twice stores one response; an
    HMAC with the secret key, so nobody can work out another participant's key from the round's and their
    (small, sequential) ids."""
    return server_key("workshop-round", round_.id, participant.id)


def has_answered_question(round_: WorkshopRound, participant: Participant) -> bool:
    key = participant_key(round_, participant)
    return response_with_key(round_.asked_question.section.consultation_id, key) is not None


@atomic()
def record_room_question(round_: WorkshopRound, participant: Participant, value: str, locale: str = "en"):
    """A participant's answer to the round's question: one per person (a second answer returns the first).
    A free-text answer also waits on the wall for the facilitator: the response and its wall entry are
    stored together or not at all."""
    _require_open(round_)
    response = record_one_answer(
        round_.asked_question,
        value,
        idempotency_key=participant_key(round_, participant),
        channel=Channel.WORKSHOP,
        workshop_session_id=round_.session_id,
        locale=locale,
    )
    if round_.open_text:
        wall.add_entry(round_, response.answers[0].id)
    _mark_answered(round_, participant)
    return response


#: The longest facilitator's note for a round.
NOTES_LIMIT = 4000


@atomic()
def set_notes(session: WorkshopSession, round_: WorkshopRound, notes: str) -> None:
    """The facilitator's notes for a round (any round, run or not: notes taken during it are kept)."""
    if round_.session_id != session.id:
        raise LookupError(round_.id)
    round_.notes = (notes or "").strip()[:NOTES_LIMIT]
    db.session.flush()
