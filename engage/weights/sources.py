"""Each kind of source put on the common scale of engage/stats/blend.py: log-strengths per board priority
("chance this priority is preferred to another"), bootstrap replicates, and the respondents behind each.

- Pairwise and ranking: a Bradley-Terry model of the votes (a ranking broken into its pairs), each person's
  votes carrying the same total weight; a priority's log-strength is the mean over its items.
- Budget: per person, the points given to each priority (its items added up); then the share of people who
  gave one priority more than another, ties counting half.
- Importance grid: the same with the ratings, so only their order within each person's answers counts.

The replicates are one Bayesian bootstrap over people across every source of the weight set
(engage.stats.blend.PersonDraws): a person is named by their respondent id in an exercise and by their
response in a consultation, so two importance grids of one consultation give each response the same random
weight. People cannot be linked across exercises and consultations (by design, see docs/privacy.md), so
there the bootstrap takes them to be different people; docs/weights.md states that assumption.

Only items linked to a board priority count (an approved suggestion that never became a priority is left
out). Only the chosen channels count. With population weighting, each source's respondents are raked to the
area's population figures when enough of them answered the questions about themselves; when not, the source
is used unweighted and the reason is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import select

from engage.boards.models import Priority
from engage.channels import Channel
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseKind
from engage.prioritise.pairwise.results import load_decisive_votes
from engage.prioritise.submissions.matrix import load_answer_matrix
from engage.prioritise.weighting import population_weights
from engage.stats.allocation import row_shares
from engage.stats.blend import (
    PersonDraws,
    SourceStrengths,
    bradley_terry_strengths,
    pool_columns,
    rating_strengths,
)
from engage.stats.ranking import places_to_pairs
from engage.surveys.models import Answer, ConsultationResponse, Question
from engage.surveys.weighting import response_weights
from engage.weights.models import WeightSource

#: Bootstrap replicates per source (the same for every source, so the blend can go replicate by replicate).
RESAMPLES = 200


def _respondent_keys(ids) -> list[tuple[str, int]]:
    """How the joint bootstrap names an exercise's respondents (their ids are unique across exercises)."""
    return [("respondent", int(i)) for i in ids]


class SourceProblem(ValueError):
    """A source that cannot be used (no answers from the chosen channels, fewer than two priorities)."""


@dataclass(frozen=True)
class SourceEstimate:
    source: WeightSource
    strengths: SourceStrengths
    respondents: int
    #: "Population weighted (effective sample size 412)", or why it was not.
    weighting_note: str
    effective_sample_size: float | None

    @property
    def kind(self) -> str:
        """ "pairwise", "budget", "ranking" or "importance grid"."""
        return self.source.exercise.kind.value if self.source.exercise else "importance grid"


def _columns(items: list, priorities: list[Priority]) -> list[int | None]:
    position = {priority.id: k for k, priority in enumerate(priorities)}
    return [position.get(item.priority_id) for item in items]


def _finish(
    source: WeightSource,
    strengths: SourceStrengths,
    respondents: int,
    note: str,
    ess: float | None,
) -> SourceEstimate:
    # A priority answered about but never compared with another has evidence and no strength: it counts here.
    covered = int((strengths.covered | (strengths.evidence > 0)).sum())
    if covered == 0:
        raise SourceProblem(f"“{source.title}” has no items linked to this board’s priorities")
    if covered == 1:
        raise SourceProblem(
            f"“{source.title}” covers only one of this board’s priorities, so it cannot say how important "
            "that priority is compared with the others. Leave it out of the blend, or link more of its items "
            "to priorities"
        )
    return SourceEstimate(source, strengths, respondents, note, ess)


def _weights(exercise: Exercise, respondent_ids: np.ndarray, wanted: bool):
    if not wanted:
        return None, "Not population weighted", None
    weighting, reason = population_weights(exercise, respondent_ids)
    if weighting is None:
        why = {
            "no-margins": "no population figures are loaded",
            "unmatched": "nobody in the sample is in "
            + ", ".join(f"{d} {c}" for d, c, _ in getattr(reason, "missing", ())),
        }.get(str(reason), "too few said about themselves")
        return None, f"Not population weighted: {why}", None
    ess = weighting.effective_sample_size
    return weighting.weights, f"Population weighted (effective sample size {ess:,.0f})", ess


def _pairwise(source, exercise, priorities, channels, weighted, draws) -> SourceEstimate:
    items = list(exercise.items)
    votes = load_decisive_votes(exercise, {item.id: k for k, item in enumerate(items)})
    keep = np.isin(votes.channels, channels)
    ids, people = np.unique(votes.respondent_ids[votes.respondents[keep]], return_inverse=True)
    if not len(ids):
        raise SourceProblem(f"“{source.title}” has no votes from the chosen channels")
    votes = replace(
        votes, winners=votes.winners[keep], losers=votes.losers[keep], respondents=people, respondent_ids=ids
    )
    weights, note, ess = _weights(exercise, ids, weighted)
    pairs = (votes.winners, votes.losers, votes.respondents)
    return _bradley_terry(source, pairs, items, priorities, weights, draws, ids, note, ess)


def _bradley_terry(source, pairs, items, priorities, weights, draws, ids, note, ess) -> SourceEstimate:
    """A pairwise or ranking source from its (winners, losers, people) pairs; ``ids`` are the people's
    respondent ids (people numbered by position in it)."""
    winners, losers, people = pairs
    strengths = bradley_terry_strengths(
        winners,
        losers,
        people,
        len(items),
        _columns(items, priorities),
        len(priorities),
        weights=weights,
        n_resamples=RESAMPLES,
        draws=draws.for_people(_respondent_keys(ids)),
    )
    return _finish(source, strengths, len(ids), note, ess)


def _answers(source, exercise, channels):
    items = list(exercise.active_items)
    answers = load_answer_matrix(exercise, items)
    keep = np.isin(answers.channels, channels)
    if not keep.any():
        raise SourceProblem(f"“{source.title}” has no answers from the chosen channels")
    return items, answers.values[keep], answers.respondent_ids[keep]


def _budget(source, exercise, priorities, channels, weighted, draws) -> SourceEstimate:
    items, values, ids = _answers(source, exercise, channels)
    shares, kept = row_shares(np.nan_to_num(values))
    weights, note, ess = _weights(exercise, ids, weighted)
    # Each person's points per priority (its items added up); people who gave nothing are left out.
    amounts = pool_columns(shares[kept], _columns(items, priorities), len(priorities))
    strengths = rating_strengths(
        amounts,
        None if weights is None else weights[kept],
        n_resamples=RESAMPLES,
        draws=draws.for_people(_respondent_keys(ids[kept])),
    )
    return _finish(source, strengths, int(kept.sum()), note, ess)


def _ranking(source, exercise, priorities, channels, weighted, draws) -> SourceEstimate:
    items, places, ids = _answers(source, exercise, channels)
    weights, note, ess = _weights(exercise, ids, weighted)
    return _bradley_terry(source, places_to_pairs(places), items, priorities, weights, draws, ids, note, ess)


def _importance_grid(source, question: Question, priorities, channels, weighted, draws) -> SourceEstimate:
    rows = db.session.execute(
        select(Answer.response_id, Answer.priority_id, Answer.number)
        .join(ConsultationResponse, ConsultationResponse.id == Answer.response_id)
        .where(
            Answer.question_id == question.id,
            Answer.number.is_not(None),
            ConsultationResponse.channel.in_([Channel(c) for c in channels]),
        )
    ).all()
    response_ids = sorted({row[0] for row in rows})
    if not response_ids:
        raise SourceProblem(f"“{source.title}” has no answers from the chosen channels")
    row_of = {rid: k for k, rid in enumerate(response_ids)}
    column_of = {priority.id: k for k, priority in enumerate(priorities)}
    ratings = np.full((len(response_ids), len(priorities)), np.nan)
    for response_id, priority_id, number in rows:
        if priority_id in column_of:
            ratings[row_of[response_id], column_of[priority_id]] = number
    weights, note, ess = None, "Not population weighted", None
    if weighted:
        weighting, reason = response_weights(response_ids)
        if weighting is None:
            note = f"Not population weighted: {reason}"
        else:
            weights = np.array([weighting.weights[rid] for rid in response_ids])
            ess = weighting.effective_sample_size
            note = f"Population weighted (effective sample size {ess:,.0f})"
    # A response is the same person in every grid of its consultation: the joint bootstrap links them.
    keys = [("response", rid) for rid in response_ids]
    strengths = rating_strengths(ratings, weights, n_resamples=RESAMPLES, draws=draws.for_people(keys))
    return _finish(source, strengths, len(response_ids), note, ess)


SOURCE_KINDS = {
    ExerciseKind.PAIRWISE: _pairwise,
    ExerciseKind.BUDGET: _budget,
    ExerciseKind.RANKING: _ranking,
}


def estimate_source(
    source: WeightSource,
    priorities: list[Priority],
    channels: list[str],
    weighted: bool,
    draws: PersonDraws | None = None,
) -> SourceEstimate:
    """The source's share per priority (in ``priorities`` order), replicates, respondents and weighting.
    ``draws`` is the weight set's one bootstrap over people (a new one when not given)."""
    draws = draws if draws is not None else PersonDraws(RESAMPLES)
    if source.exercise is not None:
        estimate = SOURCE_KINDS[source.exercise.kind]
        return estimate(source, source.exercise, priorities, channels, weighted, draws)
    assert source.question is not None
    return _importance_grid(source, source.question, priorities, channels, weighted, draws)
