"""Consultation results against the area's population: who responded compared with who lives here, and
weights that rake the responses to the population (engage.stats.weighting), trimmed, with the effective
sample size."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import select

from engage.equality.questions import PREFER_NOT_TO_SAY
from engage.extensions import db
from engage.population.service import population_margins
from engage.stats.weighting import effective_sample_size, rake
from engage.surveys.models import ConsultationProfile

#: Weights are kept between these multiples of the mean weight (a setting for the whole partnership).
TRIM = (0.2, 5.0)


@dataclass(frozen=True)
class GroupRow:
    category: str
    #: People in the group (None where hidden: too few, or hidden to protect a smaller group).
    respondents: int | None
    #: Share of those who answered this question about themselves (None where hidden).
    share: float | None
    #: Share of the area's population.
    population_share: float

    @property
    def hidden(self) -> bool:
        return self.respondents is None

    @property
    def gap(self) -> float | None:
        """Positive: heard from more than their share of the area."""
        return None if self.share is None else self.share - self.population_share

    def hidden_copy(self) -> GroupRow:
        return replace(self, respondents=None, share=None)


@dataclass(frozen=True)
class Weighting:
    #: {response id: weight} (response_weights), or {equality cell: weight} (cell_weights)
    weights: dict
    effective_sample_size: float
    dimensions: list[str]


#: Response ids per query when reading equality answers (well inside SQLite's limit on bound values).
IDS_PER_QUERY = 10_000


def profiles(response_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """{response id: {dimension: category}} of these responses' equality answers ("prefer not to say" left
    out; ``{}`` for a response that gave none)."""
    people: dict[int, dict[str, str]] = {rid: {} for rid in response_ids}
    for start in range(0, len(response_ids), IDS_PER_QUERY):
        for rid, dimension, category in db.session.execute(
            select(
                ConsultationProfile.response_id, ConsultationProfile.dimension, ConsultationProfile.category
            ).where(ConsultationProfile.response_id.in_(response_ids[start : start + IDS_PER_QUERY]))
        ):
            if category != PREFER_NOT_TO_SAY:
                people[rid][dimension] = category
    return people


def who_we_heard_from(cells: dict[str, int]) -> dict[str, list[GroupRow]]:
    """Per dimension with population figures: respondents in each category beside the area's share.
    ``cells`` maps each equality cell (engage.surveys.counts) to its number of responses."""
    margins = population_margins()
    given: dict[str, Counter] = defaultdict(Counter)
    for cell, n in cells.items():
        for dimension, category in json.loads(cell).items():
            given[dimension][category] += n
    table: dict[str, list[GroupRow]] = {}
    for dimension, population in margins.items():
        answered = sum(given[dimension].values())
        total_population = sum(population.values())
        table[dimension] = [
            GroupRow(
                category,
                given[dimension][category],
                given[dimension][category] / answered if answered else 0.0,
                count / total_population if total_population else 0.0,
            )
            for category, count in population.items()
        ]
    return table


def response_weights(response_ids: list[int]) -> tuple[Weighting | None, str | None]:
    """Weights for these responses, or why there are none (no population figures; a category nobody in the
    sample gave, named; no answers about themselves)."""
    people = profiles(response_ids)
    weights, dimensions, reason = _weigh([people[rid] for rid in response_ids])
    if weights is None:
        return None, reason
    return Weighting(
        dict(zip(response_ids, weights.tolist(), strict=True)), effective_sample_size(weights), dimensions
    ), None


def cell_weights(cells: dict[str, int]) -> tuple[Weighting | None, str | None]:
    """The weight of everyone in each equality cell (``cells`` maps a cell to its number of responses), as
    :func:`response_weights` would give each of them, or why there are none."""
    keys = [cell for cell, n in cells.items() if n > 0]
    counts = [cells[cell] for cell in keys]
    weights, dimensions, reason = _weigh([json.loads(cell) for cell in keys], counts)
    if weights is None:
        return None, reason
    return Weighting(
        dict(zip(keys, weights.tolist(), strict=True)), effective_sample_size(weights, counts), dimensions
    ), None


def _weigh(
    people: list[dict[str, str]], counts: list[int] | None = None
) -> tuple[np.ndarray | None, list[str], str | None]:
    """Raked weights (one per entry of ``people``, each standing for ``counts`` respondents), the dimensions
    used, and why there are none. Answers the population figures have no category for count as not given."""
    margins = population_margins()
    if not margins:
        return None, [], "no population figures are loaded"
    dimensions = [d for d in margins if any(answers.get(d) in margins[d] for answers in people)]
    if not dimensions:
        return None, [], "nobody answered the questions about themselves"
    sample = {
        d: [answers.get(d) if answers.get(d) in margins[d] else None for answers in people]
        for d in dimensions
    }
    try:
        weights = rake(sample, {d: margins[d] for d in dimensions}, trim=TRIM, counts=counts)
    except ValueError as problem:
        return None, dimensions, str(problem)
    return weights, dimensions, None
