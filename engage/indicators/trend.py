"""Trend: each priority's resident weight across the board's published weight-set versions, beside how its
indicators did against target over the periods, so a board can see whether what residents said matters is
improving."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean

from sqlalchemy import select

from engage.boards.models import Board, Priority
from engage.extensions import db
from engage.indicators.entry import board_indicators
from engage.indicators.matrix import target_gap
from engage.indicators.models import Indicator, IndicatorValue
from engage.weights.models import WeightSet
from engage.weights.versions import published_weight_sets


@dataclass
class PriorityTrend:
    priority: Priority
    #: The priority's weight in each version (None where the version has no weight for it).
    weights: list[float | None]
    #: (indicator, its value for each period or None)
    indicators: list[tuple[Indicator, list[IndicatorValue | None]]] = field(default_factory=list)

    @property
    def gaps(self) -> list[float | None]:
        """Per period, the mean gap from target of the priority's indicators that have a target then."""
        result: list[float | None] = []
        for n in range(len(self.indicators[0][1]) if self.indicators else 0):
            gaps = []
            for indicator, values in self.indicators:
                value = values[n]
                gap = target_gap(value.actual, value.target, indicator.polarity) if value else None
                if gap is not None:
                    gaps.append(gap)
            result.append(fmean(gaps) if gaps else None)
        return result


@dataclass
class Trend:
    board: Board
    #: Published (and withdrawn) versions, oldest first.
    versions: list[WeightSet]
    #: Every period any of the board's indicators has a value for, in order (labels sort in time order).
    periods: list[str]
    rows: list[PriorityTrend]

    @property
    def has_data(self) -> bool:
        return bool(self.versions or self.periods)


def board_trend(board: Board) -> Trend:
    versions = list(reversed(published_weight_sets(board)))
    indicators = board_indicators(board)
    values = list(
        db.session.scalars(
            select(IndicatorValue).where(IndicatorValue.indicator_id.in_([i.id for i in indicators]))
        )
    )
    periods = sorted({v.period for v in values})
    held = {(v.indicator_id, v.period): v for v in values}
    rows = []
    for priority in board.priorities:
        weights = []
        for version in versions:
            entry = next((e for e in version.entries if e.priority_id == priority.id), None)
            weights.append(entry.weight if entry else None)
        row = PriorityTrend(priority, weights)
        row.indicators = [
            (i, [held.get((i.id, p)) for p in periods]) for i in indicators if i.priority_id == priority.id
        ]
        rows.append(row)
    return Trend(board, versions, periods, rows)
