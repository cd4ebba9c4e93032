"""The priority matrix: each priority's published weight against how its indicators perform against target.

Performance is the gap from target in the direction that is better: (actual - target) / |target| when higher
is better, (target - actual) / |target| when lower is better; positive means better than target. A priority
with several indicators takes the mean gap of those with a target, and the worst of their RAG ratings. Each
indicator's latest period is the greatest period label (labels such as "2025/26 Q2" sort in time order).

Quadrants: importance is high when the weight is at least the average weight (1 / number of weighted
priorities); "focus" is high importance and off target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from engage.boards.models import Board, Priority
from engage.extensions import db
from engage.indicators.models import Indicator, IndicatorValue, Polarity, Rag
from engage.spreadsheets import csv_text
from engage.weights.models import WeightSet
from engage.weights.versions import current_weight_set

QUADRANTS = ("focus", "keep-it-up", "watch", "less-pressing")
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


def target_gap(actual: float, target: float | None, polarity: Polarity) -> float | None:
    """How far better (positive) or worse (negative) than target, as a fraction of the target."""
    if target is None or target == 0:
        return None
    difference = actual - target if polarity is Polarity.HIGHER else target - actual
    return difference / abs(target)


def quadrant(weight: float | None, average: float | None, gap: float | None) -> str | None:
    if weight is None or average is None or gap is None:
        return None
    important = weight >= average
    if important:
        return "focus" if gap < 0 else "keep-it-up"
    return "watch" if gap < 0 else "less-pressing"


@dataclass
class MatrixRow:
    priority: Priority
    weight: float | None
    rank: int | None
    #: [(indicator, its latest value)]
    indicators: list[tuple[Indicator, IndicatorValue]] = field(default_factory=list)
    gap: float | None = None
    status: Rag | None = None
    quadrant: str | None = None


@dataclass
class Matrix:
    board: Board
    weight_set: WeightSet | None
    rows: list[MatrixRow]

    @property
    def average_weight(self) -> float | None:
        weights = [row.weight for row in self.rows if row.weight is not None]
        return 1 / len(weights) if weights else None

    @property
    def plotted(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.quadrant is not None]

    @property
    def has_indicators(self) -> bool:
        return any(row.indicators for row in self.rows)


def _latest_values(board: Board) -> dict[int, list[tuple[Indicator, IndicatorValue]]]:
    rows = db.session.execute(
        select(Indicator, IndicatorValue)
        .join(IndicatorValue, IndicatorValue.indicator_id == Indicator.id)
        .join(Priority, Priority.id == Indicator.priority_id)
        .where(Priority.board_id == board.id)
        .order_by(Indicator.id, IndicatorValue.period)
    ).all()
    latest: dict[int, tuple[Indicator, IndicatorValue]] = {}
    for indicator, value in rows:
        latest[indicator.id] = (indicator, value)  # ordered by period: the last one wins
    by_priority: dict[int, list[tuple[Indicator, IndicatorValue]]] = {}
    for indicator, value in latest.values():
        by_priority.setdefault(indicator.priority_id, []).append((indicator, value))
    return by_priority


def priority_matrix(board: Board) -> Matrix:
    """Every active priority with its current published weight and its indicators' latest performance."""
    weight_set = current_weight_set(board)
    entries = {e.priority_id: e for e in weight_set.entries} if weight_set else {}
    values = _latest_values(board)
    rows = []
    for priority in board.active_priorities:
        entry = entries.get(priority.id)
        row = MatrixRow(priority, entry.weight if entry else None, entry.rank if entry else None)
        row.indicators = sorted(values.get(priority.id, []), key=lambda pair: pair[0].reference)
        gaps = [
            g
            for indicator, value in row.indicators
            if (g := target_gap(value.actual, value.target, indicator.polarity)) is not None
        ]
        row.gap = sum(gaps) / len(gaps) if gaps else None
        ratings = [value.status for _, value in row.indicators if value.status is not None]
        row.status = min(ratings, key=RAG_ORDER.__getitem__) if ratings else None
        rows.append(row)
    matrix = Matrix(board, weight_set, rows)
    for row in rows:
        row.quadrant = quadrant(row.weight, matrix.average_weight, row.gap)
    matrix.rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.priority.code))
    return matrix


MATRIX_COLUMNS = [
    "board",
    "priority_code",
    "priority_title",
    "weight",
    "rank",
    "weights_version",
    "indicators",
    "latest_periods",
    "target_gap",
    "status",
    "quadrant",
]


def matrix_csv(matrix: Matrix) -> str:
    version = matrix.weight_set.version if matrix.weight_set else None
    rows: list[Sequence[object]] = [MATRIX_COLUMNS]
    for row in matrix.rows:
        rows.append(
            [
                matrix.board.short_code,
                row.priority.code,
                row.priority.title,
                None if row.weight is None else round(row.weight, 6),
                row.rank,
                version,
                "; ".join(indicator.reference for indicator, _ in row.indicators),
                "; ".join(value.period for _, value in row.indicators),
                None if row.gap is None else round(row.gap, 6),
                row.status.value if row.status else None,
                row.quadrant,
            ]
        )
    return csv_text(rows)
