"""Respondents' equality answers, for population weighting and breakdowns: shared by every exercise kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from sqlalchemy import select

from engage.extensions import db
from engage.population.service import population_margins
from engage.prioritise.models import Exercise, Respondent, RespondentProfile
from engage.stats.disclosure import protect_breakdowns
from engage.stats.raking import MISSING, rake

#: Fewer people than this answering the questions about themselves, and results are not weighted.
MIN_WEIGHTED_RESPONDENTS = 30


class WeightingProblem(str):
    """Why results are not weighted: a code ("no-margins", "too-few" or "unmatched") that compares equal to
    the plain string, with ``missing`` naming, for "unmatched", each group that has population but nobody
    in the sample: (dimension, category, the group's share of the area)."""

    missing: tuple[tuple[str, str, float], ...]

    def __new__(cls, code: str, missing: tuple[tuple[str, str, float], ...] = ()) -> WeightingProblem:
        problem = super().__new__(cls, code)
        problem.missing = missing
        return problem


@dataclass(frozen=True)
class PopulationWeights:
    #: One weight per respondent, in the order asked for (mean 1).
    weights: np.ndarray
    dimensions: list[str]
    #: People who answered at least one of the weighting questions.
    respondents_with_answers: int
    effective_sample_size: float
    #: False when the weight cap stopped the margins matching exactly.
    converged: bool
    #: Each respondent's category code per weighting dimension (-1: not answered), for the variance of
    #: weighted estimates (engage.stats.allocation.share_intervals).
    codes: dict[str, np.ndarray] = field(default_factory=dict)


def _profiles(exercise: Exercise, dimensions: list[str] | None = None) -> list[tuple[int, str, str]]:
    query = (
        select(RespondentProfile.respondent_id, RespondentProfile.dimension, RespondentProfile.category)
        .join(Respondent, Respondent.id == RespondentProfile.respondent_id)
        .where(Respondent.exercise_id == exercise.id)
    )
    if dimensions is not None:
        query = query.where(RespondentProfile.dimension.in_(dimensions))
    return [(rid, dimension, category) for rid, dimension, category in db.session.execute(query).all()]


def population_weights(
    exercise: Exercise, respondent_ids: np.ndarray
) -> tuple[PopulationWeights | None, WeightingProblem | None]:
    """Weights raking these respondents to the area's population margins, or why that was not possible:
    "no-margins" (no population figures loaded), "too-few" (too few answered the questions) or
    "unmatched" (a group of the area, such as 18-24 year olds, has nobody in the sample: its weight would be
    0 and the results would not match the population, so they are not weighted, as in consultations)."""
    margins = population_margins()
    if not margins:
        return None, WeightingProblem("no-margins")
    profiles = _profiles(exercise, list(margins))
    position = {respondent_id: k for k, respondent_id in enumerate(respondent_ids.tolist())}
    dimensions = sorted({dimension for _, dimension, _ in profiles})
    codes = {d: np.full(len(position), MISSING, dtype=np.int64) for d in dimensions}
    lookup = {d: {category: c for c, category in enumerate(margins[d])} for d in dimensions}
    answered = set()
    for respondent_id, dimension, category in profiles:
        if respondent_id in position and category in lookup[dimension]:
            codes[dimension][position[respondent_id]] = lookup[dimension][category]
            answered.add(respondent_id)
    if len(answered) < MIN_WEIGHTED_RESPONDENTS:
        return None, WeightingProblem("too-few")
    raked = rake(codes, {d: list(margins[d].values()) for d in dimensions})
    if raked.unmatched:
        labels = {d: list(margins[d]) for d in dimensions}
        missing = tuple(
            (d, labels[d][c], margins[d][labels[d][c]] / sum(margins[d].values())) for d, c in raked.unmatched
        )
        return None, WeightingProblem("unmatched", missing)
    return PopulationWeights(
        raked.weights, dimensions, len(answered), raked.effective_sample_size, raked.converged, codes
    ), None


def respondent_groups(exercise: Exercise) -> dict[str, dict[str, set[int]]]:
    """{dimension: {category: respondent ids}} from the equality answers, sorted by dimension and category."""
    groups: dict[str, dict[str, set[int]]] = {}
    for respondent_id, dimension, category in _profiles(exercise):
        groups.setdefault(dimension, {}).setdefault(category, set()).add(respondent_id)
    return {d: dict(sorted(categories.items())) for d, categories in sorted(groups.items())}


#: The group of people who gave no answer to an equality question (a breakdown's groups cover everyone).
NOT_SAID_GROUP = "Did not say"
#: The breakdown by channel, beside those by equality question.
CHANNEL = "channel"


def breakdown_groups(
    exercise: Exercise, respondent_ids, channels=None, threshold: int | None = None
) -> dict[str, dict[str, set[int]]]:
    """{breakdown: {group: respondent ids}} to show, of the people ``respondent_ids`` (those the results
    count): by channel (``channels``, one per respondent id, when given) and by each equality question, with
    everyone who did not answer it as NOT_SAID_GROUP. Groups under ``threshold`` (ENGAGE_SMALL_CELL) are
    hidden, together as "Other / not shown" when that is big enough, and so are groups of different
    breakdowns that differ by fewer people (engage.stats.disclosure.protect_breakdowns)."""
    if threshold is None:
        threshold = current_app.config["ENGAGE_SMALL_CELL"]
    ids = [int(r) for r in np.asarray(respondent_ids).tolist()]
    counted = set(ids)
    breakdowns: dict[str, dict[str, set[int]]] = {}
    if channels is not None:
        by_channel: dict[str, set[int]] = {}
        for respondent_id, channel in zip(ids, np.asarray(channels).tolist(), strict=True):
            by_channel.setdefault(str(channel), set()).add(respondent_id)
        breakdowns[CHANNEL] = by_channel
    for dimension, categories in respondent_groups(exercise).items():
        groups = {category: people & counted for category, people in categories.items()}
        groups[NOT_SAID_GROUP] = counted - set().union(*groups.values())
        breakdowns[dimension] = groups
    return protect_breakdowns(breakdowns, counted, threshold)


def breakdown_figures(
    exercise: Exercise,
    row_people,
    respondent_ids,
    channels,
    threshold: int | None,
    figures: Callable[[np.ndarray, set[int]], tuple],
) -> tuple[dict, dict]:
    """(by channel, {equality question: by group}): ``figures(rows, people)`` for each group shown by
    :func:`breakdown_groups`, ``rows`` a mask over the rows of answers or votes whose person is
    ``row_people``."""
    by_channel: dict = {}
    by_dimension: dict = {}
    for name, visible in breakdown_groups(exercise, respondent_ids, channels, threshold).items():
        shown = {
            group: figures(np.isin(row_people, list(people)), people) for group, people in visible.items()
        }
        if name == CHANNEL:
            by_channel = shown
        elif shown:
            by_dimension[name] = shown
    return by_channel, by_dimension
