"""Setting up a budget exercise's items: current budgets, floors and ceilings, steps, what each buys and
what happens at each level; and whether an exercise is ready to open."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from engage.extensions import db
from engage.prioritise import logger
from engage.prioritise.budget.amounts import format_amount
from engage.prioritise.models import BudgetMode, Exercise, ItemConsequence, Submission, Threshold
from engage.service_errors import FieldConflict

_CONSEQUENCE = re.compile(r"^\s*(below|under|above|over)\s+([\d,\s£]+?)\s*:\s*(.+?)\s*$", re.IGNORECASE)


@dataclass
class ItemBudget:
    current_amount: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    step: int = 1
    buys: str = ""
    #: (direction, threshold, text)
    consequences: list[tuple[Threshold, int, str]] = field(default_factory=list)


def has_submissions(exercise: Exercise) -> bool:
    """Whether anyone has submitted an allocation or ranking yet."""
    if exercise.id is None:
        return False
    first = select(Submission.id).where(Submission.exercise_id == exercise.id).limit(1)
    return db.session.scalar(first) is not None


def parse_consequences(text: str) -> list[tuple[Threshold, int, str]]:
    """Lines like 'below 80000: Library opening hours cut'; raises ValueError naming the first bad line."""
    parsed = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _CONSEQUENCE.match(line)
        if not match:
            raise ValueError(
                _(
                    "Line %(n)s is not like 'below 80000: Library opening hours cut'",
                    n=number,
                )
            )
        word, amount, consequence = match.groups()
        digits = re.sub(r"[,\s£]", "", amount)
        direction = Threshold.BELOW if word.lower() in {"below", "under"} else Threshold.ABOVE
        parsed.append((direction, int(digits), consequence[:300]))
    return parsed


def consequences_text(exercise_item) -> str:
    """The consequences of an item written back in the form officers type them."""
    return "\n".join(f"{c.direction.value} {c.threshold}: {c.text}" for c in exercise_item.consequences)


def save_item_budgets(exercise: Exercise, budgets: dict[int, ItemBudget]) -> None:
    """Set each item's amounts and texts. Refused once anyone has answered: it would change their question."""
    if has_submissions(exercise):
        raise FieldConflict(
            "items", _("People have already answered, so the items' amounts can no longer change")
        )
    chosen = [(item, budgets[item.id]) for item in exercise.active_items if budgets.get(item.id) is not None]
    for item, budget in chosen:  # every check before the first change: a refusal leaves every item as it was
        if budget.minimum is not None and budget.maximum is not None and budget.minimum > budget.maximum:
            raise FieldConflict(
                f"item-{item.id}-maximum", _("The most for %(item)s is less than its least", item=item.title)
            )
    for item, budget in chosen:
        item.current_amount, item.minimum, item.maximum = (
            budget.current_amount,
            budget.minimum,
            budget.maximum,
        )
        item.step, item.buys = budget.step, budget.buys.strip()
        item.consequences = [
            ItemConsequence(direction=direction, threshold=threshold, text=text)
            for direction, threshold, text in budget.consequences
        ]
    logger.info("saved item budgets of exercise %s", exercise.id)


def budget_not_ready(exercise: Exercise) -> str | None:
    """Why a budget exercise cannot open yet, in words an officer can act on; None when it can."""
    items = exercise.active_items
    unit = exercise.unit
    if exercise.budget_mode is BudgetMode.REBALANCE:
        missing = [item.title for item in items if item.current_amount is None]
        if missing:
            return _(
                "Enter the current budget of every item first (missing: %(items)s)", items=", ".join(missing)
            )
        total = exercise.current_total
        outside = [
            item.title
            for item in items
            if item.current_amount is not None
            if (item.minimum is not None and item.current_amount < item.minimum)
            or (item.maximum is not None and item.current_amount > item.maximum)
        ]
        if outside:
            return _(
                "The current budget of %(items)s is outside the least and most residents may choose",
                items=", ".join(outside),
            )
        if exercise.total_min is not None and not exercise.total_min <= total <= (
            exercise.total_max or total
        ):
            return _(
                "Current spending (%(total)s) must be inside the range residents may choose",
                total=format_amount(total, unit),
            )
    elif not exercise.budget_total:
        return _("Set the budget residents share out first")
    else:
        total = exercise.budget_total
    floors = sum(item.minimum or 0 for item in items)
    if floors > total:
        return _(
            "The items' minimums add up to %(floors)s, more than the %(total)s to share",
            floors=format_amount(floors, unit),
            total=format_amount(total, unit),
        )
    return None
