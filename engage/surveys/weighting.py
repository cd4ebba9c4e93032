"""Consultation results against the area's population: who responded compared with who lives here, and
weights that rake the responses to the population (engage.stats.weighting), trimmed, with the effective
sample size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from engage.equality import PREFER_NOT_TO_SAY
from engage.extensions import db
from engage.population.service import population_margins
from engage.stats.weighting import effective_sample_size, rake
from engage.surveys.models import Consultation, ConsultationProfile, ConsultationResponse

#: Weights are kept between these multiples of the mean weight (a setting for the whole partnership).
TRIM = (0.2, 5.0)


@dataclass(frozen=True)
class GroupRow:
    category: str
    respondents: int
    #: Share of those who answered this question about themselves.
    share: float
    #: Share of the area's population.
    population_share: float

    @property
    def gap(self) -> float:
        """Positive: heard from more than their share of the area."""
        return self.share - self.population_share


@dataclass(frozen=True)
class Weighting:
    #: {response id: weight}
    weights: dict[int, float]
    effective_sample_size: float
    dimensions: list[str]


def profiles(consultation: Consultation) -> dict[int, dict[str, str]]:
    """{response id: {dimension: category}} of the equality answers given ("prefer not to say" left out)."""
    rows = db.session.execute(
        select(ConsultationProfile.response_id, ConsultationProfile.dimension, ConsultationProfile.category)
        .join(ConsultationResponse, ConsultationResponse.id == ConsultationProfile.response_id)
        .where(ConsultationResponse.consultation_id == consultation.id)
    ).all()
    people: dict[int, dict[str, str]] = {}
    for response_id, dimension, category in rows:
        if category != PREFER_NOT_TO_SAY:
            people.setdefault(response_id, {})[dimension] = category
    return people


def who_we_heard_from(consultation: Consultation, people: dict | None = None) -> dict[str, list[GroupRow]]:
    """Per dimension with population figures: respondents in each category beside the area's share.
    ``people`` is :func:`profiles` when the caller has it already."""
    margins = population_margins()
    people = profiles(consultation) if people is None else people
    table: dict[str, list[GroupRow]] = {}
    for dimension, population in margins.items():
        given = [answers[dimension] for answers in people.values() if dimension in answers]
        total_population = sum(population.values())
        table[dimension] = [
            GroupRow(
                category,
                given.count(category),
                given.count(category) / len(given) if given else 0.0,
                count / total_population if total_population else 0.0,
            )
            for category, count in population.items()
        ]
    return table


def response_weights(
    consultation: Consultation, response_ids: list[int], people: dict | None = None
) -> tuple[Weighting | None, str | None]:
    """Weights for these responses, or why there are none (no population figures; a category nobody in the
    sample gave, named; no answers about themselves)."""
    margins = population_margins()
    if not margins:
        return None, "no population figures are loaded"
    people = profiles(consultation) if people is None else people
    dimensions = [d for d in margins if any(d in answers for answers in people.values())]
    if not dimensions:
        return None, "nobody answered the questions about themselves"
    sample = {
        d: [
            people.get(rid, {}).get(d) if people.get(rid, {}).get(d) in margins[d] else None
            for rid in response_ids
        ]
        for d in dimensions
    }
    try:
        weights = rake(sample, {d: margins[d] for d in dimensions}, trim=TRIM)
    except ValueError as problem:
        return None, str(problem)
    return Weighting(
        dict(zip(response_ids, weights.tolist(), strict=True)),
        effective_sample_size(np.asarray(weights)),
        dimensions,
    ), None
