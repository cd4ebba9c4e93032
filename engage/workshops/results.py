"""The room's results for a round, beside the online results so far: point estimates only (they refresh
every two seconds on the projector; the exercise's own results page has the intervals). Pairwise and ranking
scores are the results pages' own (engage.stats.pairwise.point_scores: one person one voice, and no score
for an item nobody compared)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from sqlalchemy import Select, func, select

from engage.channels import Channel
from engage.extensions import db
from engage.prioritise.models import ExerciseKind, Outcome, PairwiseVote, Respondent, Submission
from engage.prioritise.submissions.matrix import load_answer_matrix
from engage.stats.allocation import row_shares
from engage.stats.pairwise import equal_voice, point_scores
from engage.stats.ranking import places_to_pairs
from engage.surveys.models import Answer, ConsultationResponse
from engage.surveys.questions import closed_choices
from engage.workshops.models import WorkshopRound

ROOM = (Channel.WORKSHOP, Channel.PAPER)


@dataclass(frozen=True)
class RoundResult:
    """Figures only mean something where someone answered: ``respondents`` 0 gives neutral values (0 shares,
    scores of 50) that must be shown as no figure."""

    #: [(item title, value)], highest first: a 0-100 score (pairwise, ranking; None for an item nobody
    #: compared, last) or a share 0-1 (budget, a question's answers, in choice order).
    items: list[tuple[str, float | None]]
    respondents: int
    answers: int
    #: "score" (0-100: pairwise, ranking), "share" (of the budget: dot votes), "answers" (a question:
    #: each answer's share of the people who answered it) or "text" (a free-text question: no items; the
    #: answers themselves are on the wall, engage.workshops.wall).
    measure: str

    @property
    def is_share(self) -> bool:
        return self.measure in ("share", "answers")


#: A query being cut to the room or to online answers (it comes back with the same columns).
QueryT = TypeVar("QueryT", bound=Select)


def _scope(query: QueryT, model, round_: WorkshopRound, room: bool) -> QueryT:
    if room:
        return query.where(model.workshop_session_id == round_.session_id, model.channel.in_(ROOM))
    return query.where(model.channel == Channel.ONLINE)


def _pairwise(round_: WorkshopRound, room: bool) -> RoundResult:
    items = list(round_.voting_exercise.active_items)
    index = {item.id: k for k, item in enumerate(items)}
    query = select(
        PairwiseVote.left_item_id,
        PairwiseVote.right_item_id,
        PairwiseVote.outcome,
        PairwiseVote.respondent_id,
    ).where(PairwiseVote.exercise_id == round_.exercise_id)
    rows = db.session.execute(_scope(query, PairwiseVote, round_, room)).all()
    winners, losers, voters = [], [], []
    for left, right, outcome, respondent in rows:
        if outcome is Outcome.SKIP or left not in index or right not in index:
            continue
        won, lost = (left, right) if outcome is Outcome.LEFT else (right, left)
        winners.append(index[won])
        losers.append(index[lost])
        voters.append(respondent)
    who = np.unique(np.asarray(voters, dtype=np.int64), return_inverse=True)[1]
    scores = point_scores(winners, losers, len(items), equal_voice(who))
    people = len({row[3] for row in rows})
    return _ranked(items, scores, people, len(rows), "score")


def _matrix(round_: WorkshopRound, room: bool) -> tuple[list, np.ndarray]:
    """The exercise's answers (one query, as on the results pages), cut to the room or to online."""
    items = list(round_.voting_exercise.active_items)
    answers = load_answer_matrix(round_.voting_exercise, items)
    if room:
        keep = (answers.workshop_sessions == round_.session_id) & np.isin(
            answers.channels, [c.value for c in ROOM]
        )
    else:
        keep = answers.channels == Channel.ONLINE.value
    return items, answers.values[keep]


def _budget(round_: WorkshopRound, room: bool) -> RoundResult:
    items, values = _matrix(round_, room)
    shares, _kept = row_shares(np.nan_to_num(values))
    means = shares.mean(axis=0) if len(shares) else np.zeros(len(items))
    return _ranked(items, means, len(values), len(values), "share")


def _ranking(round_: WorkshopRound, room: bool) -> RoundResult:
    items, places = _matrix(round_, room)
    none = np.zeros(0, dtype=np.int64)
    winners, losers, _people = places_to_pairs(places) if len(places) else (none, none, none)
    scores = point_scores(winners, losers, len(items))
    return _ranked(items, scores, len(places), len(places), "score")


def _ranked(items: list, values: np.ndarray, people: int, answers: int, measure: str) -> RoundResult:
    """Highest first; an item with no score (NaN) last, as None."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(np.where(np.isnan(values), np.inf, -values), kind="stable")
    return RoundResult(
        [(items[k].title, None if np.isnan(values[k]) else float(values[k])) for k in order],
        people,
        answers,
        measure,
    )


def _question(round_: WorkshopRound, room: bool) -> RoundResult:
    """Each answer's share of the people who answered the question (in choice order, not sorted)."""
    question = round_.asked_question
    query = (
        select(Answer.option_id, Answer.text, Answer.number)
        .join(ConsultationResponse, ConsultationResponse.id == Answer.response_id)
        .where(Answer.question_id == question.id)
    )
    rows = db.session.execute(_scope(query, ConsultationResponse, round_, room)).all()
    if round_.open_text:
        return RoundResult([], len(rows), len(rows), "text")
    counts: dict[str, int] = {}
    for option_id, text, number in rows:
        value = str(option_id) if option_id is not None else (text if text is not None else f"{number:g}")
        counts[value] = counts.get(value, 0) + 1
    total = sum(counts.values())
    items: list[tuple[str, float | None]] = [
        (str(label), counts.get(value, 0) / total if total else 0.0)
        for value, label in closed_choices(question)
    ]
    return RoundResult(items, total, total, "answers")


KINDS = {ExerciseKind.PAIRWISE: _pairwise, ExerciseKind.BUDGET: _budget, ExerciseKind.RANKING: _ranking}


def round_result(round_: WorkshopRound, room: bool = True) -> RoundResult:
    """The room's result (workshop and paper answers in this session), or online answers when ``room`` is
    False."""
    if round_.question is not None:
        return _question(round_, room)
    return KINDS[round_.voting_exercise.kind](round_, room)


def round_turnout(round_: WorkshopRound) -> dict[str, int]:
    """People who answered this round in the room, by channel."""
    if round_.question is not None:
        rows = db.session.execute(
            select(ConsultationResponse.channel, func.count())
            .join(Answer, Answer.response_id == ConsultationResponse.id)
            .where(
                Answer.question_id == round_.question_id,
                ConsultationResponse.workshop_session_id == round_.session_id,
            )
            .group_by(ConsultationResponse.channel)
        ).all()
        return {channel.value: count for channel, count in rows}
    model = PairwiseVote if round_.voting_exercise.kind is ExerciseKind.PAIRWISE else Submission
    rows = db.session.execute(
        select(model.channel, func.count(func.distinct(model.respondent_id)))
        .join(Respondent, Respondent.id == model.respondent_id)
        .where(model.exercise_id == round_.exercise_id, model.workshop_session_id == round_.session_id)
        .group_by(model.channel)
    ).all()
    return {channel.value: count for channel, count in rows}
