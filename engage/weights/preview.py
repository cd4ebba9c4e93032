"""A weight set computed from its sources now: the blend, each source alone, and how robust the order is.

The minimum evidence rule: a source speaks for a priority only when at least ENGAGE_WEIGHTS_MIN_RESPONDENTS
of its respondents said something about that priority (see :func:`minimum_respondents`). A priority no source
speaks for is listed with no weight, and the preview and the confirmation before publishing say why.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import numpy as np
from flask import current_app

from engage.boards.models import Priority
from engage.stats.blend import Blend, BlendError, PersonDraws, blend_sources, rank_agreement
from engage.weights.models import WeightSet
from engage.weights.sources import RESAMPLES, SourceEstimate, SourceProblem, estimate_source
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
    #: Covered by a source, but no source had enough respondents for it (the minimum evidence rule).
    too_little_evidence: bool = False

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


@dataclass(frozen=True)
class Shortfall:
    """A source's answers about a priority left out under the minimum evidence rule."""

    source_title: str
    priority: Priority
    respondents: int


#: Why the minimum exists: shown beside it on the preview and the confirmation, and in the method statement.
MINIMUM_REASON = (
    "With fewer respondents a handful of people could make a priority the board's top priority, and its "
    "weight is known only roughly: in Engage's simulation study a weight's 95% interval was about 10 "
    "percentage points wide with 10 respondents per source and 7 with 20, against 4 with 50."
)


def minimum_respondents() -> int:
    """The fewest respondents a source needs about a priority for its answers about it to count."""
    return int(current_app.config.get("ENGAGE_WEIGHTS_MIN_RESPONDENTS", 30))


@dataclass
class Preview:
    weight_set: WeightSet
    rows: list[PriorityWeight] = field(default_factory=list)
    estimates: list[SourceEstimate] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    blend: Blend | None = None
    minimum: int = 0
    #: Answers left out under the minimum evidence rule (each source's, per priority).
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def ranked(self) -> list[PriorityWeight]:
        return [row for row in self.rows if row.weight is not None]

    @property
    def without_data(self) -> list[PriorityWeight]:
        """No source covers them at all."""
        return [row for row in self.rows if row.weight is None and not row.too_little_evidence]

    @property
    def too_little_evidence(self) -> list[PriorityWeight]:
        """Covered, but by no source with enough respondents: no weight."""
        return [row for row in self.rows if row.too_little_evidence]

    @property
    def unlinked_sources(self) -> bool:
        """Sources whose people cannot be linked (two exercises, or an exercise and a consultation): their
        intervals assume different people answered them. The grids of one consultation are linked."""
        groups = set()
        for estimate in self.estimates:
            question = estimate.source.question
            if question is None:
                groups.add(("exercise", estimate.source.exercise_id))
            else:
                groups.add(("consultation", question.section.consultation_id))
        return len(groups) > 1

    @property
    def influence(self) -> dict[int, float]:
        """{source id: measured share of the spread of the blended strengths}."""
        if self.blend is None:
            return {}
        return {e.source.id: float(v) for e, v in zip(self.estimates, self.blend.influence, strict=True)}

    def fingerprint(self) -> str:
        """A short digest of what would be published (weights, intervals, sources): the confirmation carries
        it, so a draft or answers that changed after the analyst looked cannot be published unseen."""
        parts = [f"{e.source.id}:{e.source.blend:g}:{e.respondents}" for e in self.estimates]
        parts += [
            f"{row.priority.id}:{row.weight!r}:{row.low!r}:{row.high!r}:{row.respondents}"
            for row in self.rows
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]

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
        return blend_sources([estimate.strengths], [1])

    found = [_alternative(f"Only {e.source.title}", alone(e), chosen, priorities) for e in estimates]
    if len(estimates) > 1:
        equal = blend_sources([e.strengths for e in estimates], [1] * len(estimates))
        found.append(_alternative("Every source weighted equally", equal, chosen, priorities))
    if len(estimates) > 2:
        for left_out in estimates:
            rest = [e for e in estimates if e is not left_out]
            found.append(
                _alternative(
                    f"Without {left_out.source.title}",
                    blend_sources([e.strengths for e in rest], [e.source.blend for e in rest]),
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
    # One bootstrap over people across every source: a person in two sources is resampled together in both.
    draws = PersonDraws(RESAMPLES)
    for source in weight_set.sources:
        try:
            preview.estimates.append(
                estimate_source(source, priorities, channels, weight_set.population_weighting, draws)
            )
        except SourceProblem as problem:
            preview.problems.append(str(problem))
    if preview.problems:
        return preview
    covered_at_all = np.any([e.strengths.covered for e in preview.estimates], axis=0)
    all_evidence = np.sum([e.strengths.evidence for e in preview.estimates], axis=0)
    _apply_minimum(preview, priorities)
    if preview.problems:
        return preview
    try:
        chosen = blend_sources(
            [e.strengths for e in preview.estimates], [e.source.blend for e in preview.estimates]
        )
    except BlendError as problem:  # the checks above should have caught it; say so rather than fail
        preview.problems.append(str(problem))
        return preview
    preview.blend = chosen
    previous = previous_weights(weight_set)
    evidence = np.sum([e.strengths.evidence for e in preview.estimates], axis=0)
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
                int(evidence[k] if has else all_evidence[k]),
                previous.get(priority.id),
                too_little_evidence=bool(covered_at_all[k] and not has),
            )
        )
    preview.rows = sorted(rows, key=lambda row: (row.rank is None, row.rank or 0, row.priority.code))
    preview.alternatives = _alternatives(preview.estimates, chosen, priorities)
    return preview


def _apply_minimum(preview: Preview, priorities: list[Priority]) -> None:
    """Leave out each source's answers about a priority with fewer than the minimum respondents; a source
    left with fewer than two priorities cannot be blended, which is a problem to put right."""
    preview.minimum = minimum = minimum_respondents()
    kept = []
    for estimate in preview.estimates:
        strengths = estimate.strengths
        short = strengths.covered & (strengths.evidence < minimum)
        preview.shortfalls += [
            Shortfall(estimate.source.title, priorities[k], int(strengths.evidence[k]))
            for k in np.flatnonzero(short)
        ]
        remaining = int((strengths.covered & ~short).sum())
        if remaining < 2:
            preview.problems.append(
                f"“{estimate.source.title}” has at least {minimum} respondents for "
                + ("none" if remaining == 0 else "only one")
                + " of this board’s priorities, so it cannot say which matter more (it has "
                f"{estimate.respondents:,} respondents). Leave it out of the blend, or wait for more answers"
            )
        kept.append(replace(estimate, strengths=strengths.without(short)))
    preview.estimates = kept


def source_share_table(estimate: SourceEstimate, priorities: list[Priority]) -> dict[str, float | None]:
    """{priority code: weight from this source alone} (None where it does not cover the priority)."""
    point = blend_sources([estimate.strengths], [1]).weight
    return {
        p.code: (None if np.isnan(point[k]) else round(float(point[k]), 6)) for k, p in enumerate(priorities)
    }
