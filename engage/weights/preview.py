"""A weight set computed from its sources now: the blend, each source alone, and how robust the order is."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engage.boards.models import Priority
from engage.stats.blend import Blend, blend_shares, rank_agreement
from engage.weights.models import WeightSet
from engage.weights.sources import SourceEstimate, SourceProblem, estimate_source
from engage.weights.versions import current_weight_set


@dataclass(frozen=True)
class PriorityWeight:
    priority: Priority
    weight: float | None
    low: float | None
    high: float | None
    rank: int | None
    respondents: int
    #: The weight in the board's current published version (None when there is none or it had no weight).
    previous: float | None

    @property
    def title(self) -> str:
        return self.priority.title

    @property
    def code(self) -> str:
        return self.priority.code

    @property
    def change(self) -> float | None:
        return None if self.weight is None or self.previous is None else self.weight - self.previous


@dataclass(frozen=True)
class Alternative:
    """The order under another choice of sources or blend, and how far it agrees with the chosen one."""

    label: str
    #: {priority id: rank} (0 = not covered)
    ranks: dict[int, int]
    #: Kendall's tau-b against the chosen blend (1 = same order); None with fewer than two priorities.
    agreement: float | None
    same_top: bool


@dataclass
class Preview:
    weight_set: WeightSet
    rows: list[PriorityWeight] = field(default_factory=list)
    estimates: list[SourceEstimate] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    blend: Blend | None = None

    @property
    def ranked(self) -> list[PriorityWeight]:
        return [row for row in self.rows if row.weight is not None]

    @property
    def without_data(self) -> list[PriorityWeight]:
        return [row for row in self.rows if row.weight is None]

    @property
    def can_publish(self) -> bool:
        return not self.problems and self.blend is not None


def _alternative(label: str, blend: Blend, chosen: Blend, priorities: list[Priority]) -> Alternative:
    top = lambda b: int(np.nanargmax(b.weight))  # noqa: E731
    return Alternative(
        label,
        {p.id: int(blend.rank[k]) for k, p in enumerate(priorities)},
        rank_agreement(blend.weight, chosen.weight),
        top(blend) == top(chosen),
    )


def _alternatives(
    estimates: list[SourceEstimate], chosen: Blend, priorities: list[Priority]
) -> list[Alternative]:
    """Each source alone; then, with several sources, an equal blend and each source left out."""

    def alone(estimate: SourceEstimate) -> Blend:
        return blend_shares([estimate.shares], [1])

    found = [_alternative(f"Only {e.source.title}", alone(e), chosen, priorities) for e in estimates]
    if len(estimates) > 1:
        equal = blend_shares([e.shares for e in estimates], [1] * len(estimates))
        found.append(_alternative("Every source weighted equally", equal, chosen, priorities))
    if len(estimates) > 2:
        for left_out in estimates:
            rest = [e for e in estimates if e is not left_out]
            found.append(
                _alternative(
                    f"Without {left_out.source.title}",
                    blend_shares([e.shares for e in rest], [e.source.blend for e in rest]),
                    chosen,
                    priorities,
                )
            )
    return found


def previous_weights(weight_set: WeightSet) -> dict[int, float | None]:
    """The board's current published weights by priority id (empty when there are none)."""
    current = current_weight_set(weight_set.board)
    if current is None or current.id == weight_set.id:
        return {}
    return {entry.priority_id: entry.weight for entry in current.entries}


def compute_preview(weight_set: WeightSet, priorities: list[Priority] | None = None) -> Preview:
    """Estimate every source, blend them and compare with the current published version."""
    priorities = priorities if priorities is not None else weight_set.board.active_priorities
    preview = Preview(weight_set)
    if not weight_set.sources:
        preview.problems.append("Choose at least one source")
    channels = [c.value for c in weight_set.channel_list]
    if not channels:
        preview.problems.append("Choose at least one channel")
    if not priorities:
        preview.problems.append("The board has no active priorities")
    if preview.problems:
        return preview
    for seed, source in enumerate(weight_set.sources):
        try:
            preview.estimates.append(
                estimate_source(source, priorities, channels, weight_set.population_weighting, seed)
            )
        except SourceProblem as problem:
            preview.problems.append(str(problem))
    if preview.problems:
        return preview
    chosen = blend_shares([e.shares for e in preview.estimates], [e.source.blend for e in preview.estimates])
    preview.blend = chosen
    previous = previous_weights(weight_set)
    covered_by = [
        sum(e.respondents for e in preview.estimates if e.shares.covered[k]) for k in range(len(priorities))
    ]
    rows = []
    for k, priority in enumerate(priorities):
        has = not np.isnan(chosen.weight[k])
        rows.append(
            PriorityWeight(
                priority,
                float(chosen.weight[k]) if has else None,
                float(chosen.low[k]) if has else None,
                float(chosen.high[k]) if has else None,
                int(chosen.rank[k]) if has else None,
                covered_by[k],
                previous.get(priority.id),
            )
        )
    preview.rows = sorted(rows, key=lambda row: (row.rank is None, row.rank or 0, row.priority.code))
    preview.alternatives = _alternatives(preview.estimates, chosen, priorities)
    return preview


def source_share_table(estimate: SourceEstimate, priorities: list[Priority]) -> dict[str, float | None]:
    """{priority code: share} for a source (None where it does not cover the priority)."""
    point = estimate.shares.point
    return {
        p.code: (None if np.isnan(point[k]) else round(float(point[k]), 6)) for k, p in enumerate(priorities)
    }
