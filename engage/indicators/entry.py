"""Partners entering and correcting the values of the indicators their organisation owns (on the staff pages,
through the API, or by import): one way to write a value, each write leaving a row in the value's history
(who, when, how, the figures before and after), and the returns a board is still waiting for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from engage.accounts.models import Organisation, User
from engage.boards.models import Board, Priority
from engage.database import utcnow
from engage.extensions import db
from engage.indicators import logger
from engage.indicators.models import Indicator, IndicatorValue, IndicatorValueChange, ValueSource
from engage.indicators.rows import FIGURE_FIELDS, Figures

#: What writing a value did.
ADDED, UPDATED, UNCHANGED = "added", "updated", "unchanged"


def person(user: User) -> str:
    """How a person is named in a value's history."""
    return f"{user.name} ({user.organisation.name})"[:300]


def snapshot(value: IndicatorValue) -> dict[str, Any]:
    """A value's figures as kept in its history."""
    return {
        "period": value.period,
        "actual": value.actual,
        "target": value.target,
        "polarity": value.indicator.polarity.value if value.indicator.polarity else None,
        "status": value.status.value if value.status else None,
        "commentary": value.commentary or "",
    }


def write_value(
    indicator: Indicator,
    figures: Figures,
    *,
    source: ValueSource,
    actor: str,
    user: User | None = None,
    keep_commentary: bool = False,
    keep_target: bool = False,
) -> tuple[IndicatorValue, str]:
    """Store ``figures`` (already checked: no problems) as the indicator's value for their period, adding it
    or correcting the one held; the same figures again change nothing (no history row). The indicator takes
    the figures' polarity. ``keep_commentary``: an import without a commentary column leaves the one held;
    ``keep_target``: an import row with no target, or an API value with no "target" field, leaves the one
    held (blank means unchanged, never a silent deletion; the correction form, which shows the target held,
    and an API value whose target is null may still clear it). Only flushes."""
    assert not figures.problems and figures.actual is not None and figures.polarity is not None
    value = db.session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id, IndicatorValue.period == figures.period
        )
    )
    before = snapshot(value) if value is not None else None
    if value is None:
        value = IndicatorValue(indicator=indicator, period=figures.period, commentary="")
        db.session.add(value)
    indicator.polarity = figures.polarity
    value.actual, value.status = figures.actual, figures.status
    if figures.target is not None or not keep_target:
        value.target = figures.target
    if not keep_commentary:
        value.commentary = figures.commentary
    after = snapshot(value)
    if after == before:
        return value, UNCHANGED
    value.updated_at = utcnow()
    db.session.flush()
    db.session.add(
        IndicatorValueChange(
            value_id=value.id,
            user_id=user.id if user else None,
            actor=actor[:300],
            source=source,
            before=json.dumps(before, sort_keys=True) if before is not None else None,
            after=json.dumps(after, sort_keys=True),
        )
    )
    db.session.flush()
    logger.info(
        "indicator %s period %r %s by %s (%s)",
        indicator.id,
        figures.period,
        "added" if before is None else "corrected",
        actor,
        source.value,
    )
    return value, ADDED if before is None else UPDATED


@dataclass(frozen=True)
class Change:
    """One row of a value's history, read back."""

    record: IndicatorValueChange
    before: dict[str, Any] | None
    after: dict[str, Any]

    @property
    def changed(self) -> list[str]:
        """The figures that changed (every one for the first entry)."""
        if self.before is None:
            return [k for k in FIGURE_FIELDS if self.after.get(k) not in (None, "")]
        return [k for k in FIGURE_FIELDS if self.after.get(k) != self.before.get(k)]


def history(value: IndicatorValue) -> list[Change]:
    """Every entry and correction of a value, newest first."""
    rows = db.session.scalars(
        select(IndicatorValueChange)
        .where(IndicatorValueChange.value_id == value.id)
        .order_by(IndicatorValueChange.id.desc())
    )
    return [Change(r, json.loads(r.before) if r.before else None, json.loads(r.after)) for r in rows]


def set_owner(indicator: Indicator, organisation: Organisation | None) -> None:
    indicator.owner = organisation
    db.session.flush()


def board_indicators(board: Board) -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator)
            .join(Priority, Priority.id == Indicator.priority_id)
            .where(Priority.board_id == board.id)
            .order_by(Priority.code, Indicator.reference)
        )
    )


def last_period(board: Board) -> str | None:
    """The board's last period: the greatest period label any of its indicators has a value for (labels
    such as "2025/26 Q2" sort in time order, as on the priority matrix)."""
    return db.session.scalar(
        select(func.max(IndicatorValue.period))
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .join(Priority, Priority.id == Indicator.priority_id)
        .where(Priority.board_id == board.id)
    )


@dataclass(frozen=True)
class MissingReturns:
    period: str | None
    #: (indicator, the latest period it has a value for, or None)
    missing: list[tuple[Indicator, str | None]]
    total: int


def missing_returns(board: Board) -> MissingReturns:
    """The board's indicators with no value for its last period."""
    period = last_period(board)
    indicators = board_indicators(board)
    latest = dict(
        db.session.execute(
            select(IndicatorValue.indicator_id, func.max(IndicatorValue.period))
            .where(IndicatorValue.indicator_id.in_([i.id for i in indicators]))
            .group_by(IndicatorValue.indicator_id)
        ).all()
    )
    missing = [(i, latest.get(i.id)) for i in indicators if period is None or latest.get(i.id) != period]
    return MissingReturns(period, missing, len(indicators))
