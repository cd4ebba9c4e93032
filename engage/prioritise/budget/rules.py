"""The rules a budget allocation must meet, and the running totals a resident sees while making one.

Amounts are whole units (pounds, points or dots), keyed by exercise item id. ``None`` is an amount the
resident typed that is not a whole number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from engage.prioritise.budget.amounts import format_amount
from engage.prioritise.models import BudgetMode, Exercise, ExerciseItem, ItemConsequence


@dataclass(frozen=True)
class Problem:
    #: The form field it belongs to: ``item-<id>`` or ``total``.
    field: str
    message: str


@dataclass
class AllocationSummary:
    allocated: int
    #: What is left to allocate (negative when over); None when the total may move within a range.
    left: int | None
    #: Rebalance mode: the chosen total minus current spending.
    change: int = 0
    #: The change in a band D household's yearly council tax, in pounds, when the exercise shows it.
    band_d_change: float | None = None
    #: {item id: the consequences that apply at the amount entered}
    consequences: dict[int, list[ItemConsequence]] = field(default_factory=dict)


def field_name(item: ExerciseItem) -> str:
    return f"item-{item.id}"


def summarise(exercise: Exercise, amounts: Mapping[int, int | None]) -> AllocationSummary:
    """Allocated so far, what is left, and the consequences that apply (unreadable amounts count as 0)."""
    values = {item.id: amounts.get(item.id) or 0 for item in exercise.active_items}
    allocated = sum(values.values())
    flexible = exercise.budget_mode is BudgetMode.REBALANCE and exercise.total_min is not None
    summary = AllocationSummary(allocated, None if flexible else exercise.starting_total - allocated)
    if exercise.budget_mode is BudgetMode.REBALANCE:
        summary.change = allocated - exercise.current_total
        if exercise.band_d_households:
            summary.band_d_change = summary.change / exercise.band_d_households
    for item in exercise.active_items:
        applying = [c for c in item.consequences if c.applies(values[item.id])]
        if applying:
            summary.consequences[item.id] = applying
    return summary


def _item_problems(exercise: Exercise, item: ExerciseItem, amount: int | None) -> list[str]:
    money = exercise.unit
    if amount is None:
        return [_("Enter a whole number for %(item)s, like 25000", item=item.title)]
    problems = []
    if item.minimum is not None and amount < item.minimum:
        problems.append(
            _(
                "%(item)s cannot be less than %(minimum)s",
                item=item.title,
                minimum=format_amount(item.minimum, money),
            )
        )
    if item.maximum is not None and amount > item.maximum:
        problems.append(
            _(
                "%(item)s cannot be more than %(maximum)s",
                item=item.title,
                maximum=format_amount(item.maximum, money),
            )
        )
    if item.step > 1 and amount % item.step:
        problems.append(
            _(
                "%(item)s must be a multiple of %(step)s",
                item=item.title,
                step=format_amount(item.step, money),
            )
        )
    return problems


def _total_problem(exercise: Exercise, summary: AllocationSummary) -> str | None:
    """The total's problem, if any; amounts are written out (a locale's currency pattern each) only for a
    message that is shown, not for every allocation that meets the rules."""
    unit = exercise.unit
    low, high = exercise.total_min, exercise.total_max
    if exercise.budget_mode is BudgetMode.REBALANCE and low is not None and high is not None:
        if not low <= summary.allocated <= high:
            return _(
                "Your total is %(allocated)s. It must be between %(low)s and %(high)s",
                allocated=format_amount(summary.allocated, unit),
                low=format_amount(low, unit),
                high=format_amount(high, unit),
            )
        return None
    if summary.left is None:  # a range with one end only: the exercise form asks for both or neither
        return None
    if summary.left < 0:
        return _(
            "You have allocated %(allocated)s, which is %(over)s more than the %(total)s available. "
            "Take some away from other items",
            allocated=format_amount(summary.allocated, unit),
            over=format_amount(-summary.left, unit),
            total=format_amount(exercise.starting_total, unit),
        )
    if summary.left > 0 and (exercise.require_full or exercise.budget_mode is BudgetMode.REBALANCE):
        return _(
            "You have %(left)s left to allocate. Share out all %(total)s before you continue",
            left=format_amount(summary.left, unit),
            total=format_amount(exercise.starting_total, unit),
        )
    return None


def check_allocation(exercise: Exercise, amounts: Mapping[int, int | None]) -> list[Problem]:
    """Every problem with an allocation, item by item and then the total; empty when it can be submitted."""
    problems = [
        Problem(field_name(item), message)
        for item in exercise.active_items
        for message in _item_problems(exercise, item, amounts.get(item.id, 0))
    ]
    unknown = set(amounts) - {item.id for item in exercise.active_items}
    if unknown:
        problems.append(Problem("total", _("Something went wrong with the items. Start again.")))
    total = _total_problem(exercise, summarise(exercise, amounts))
    if total:
        problems.append(Problem("total", total))
    return problems


def starting_amounts(exercise: Exercise) -> dict[int, int]:
    """Where a resident starts: current spending when rebalancing, else each item's minimum (or nothing)."""
    if exercise.budget_mode is BudgetMode.REBALANCE:
        return {item.id: item.current_amount or 0 for item in exercise.active_items}
    return {item.id: item.minimum or 0 for item in exercise.active_items}
