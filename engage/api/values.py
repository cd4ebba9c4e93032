"""A partner's system sends indicator values (POST /api/v1/indicators/values): every item checked as the
importer checks a row (``check_figures``), then all of them written or none; the same values again change
nothing, so a system may send a period as often as it likes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engage.api.models import ApiToken, TokenScope
from engage.boards.models import Board, Priority
from engage.extensions import db
from engage.indicators.access import token_can_enter_values
from engage.indicators.entry import write_value
from engage.indicators.models import Indicator, ValueSource
from engage.indicators.rows import FIGURE_FIELDS, Figures, check_figures, normalise
from engage.transactions import atomic

#: Items one request may carry at most.
MAX_ITEMS = 1000
#: Fields of an item: which indicator, then its figures.
KEYS = ("board", "priority_code", "reference")
TEXT_FIELDS = {"board", "priority_code", "reference", "period", "polarity", "status", "commentary"}
NUMBER_FIELDS = {"actual", "target"}


@dataclass
class Refused(Exception):
    """The request was refused, nothing written: its HTTP status, a message, and each item's problems."""

    status: int
    message: str
    problems: list[dict[str, Any]] = field(default_factory=list)


def _number_text(raw: float) -> str | None:
    """A JSON number as the text the shared check reads; None when it is too large to be one."""
    try:
        number = float(raw)
    except OverflowError:
        return None
    return repr(number) if math.isfinite(number) else None


def _as_text(item: dict[str, Any], problems: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in sorted(set(item) - TEXT_FIELDS - NUMBER_FIELDS):
        problems.append(f"Unknown field “{name[:40]}”")
    for name in TEXT_FIELDS | NUMBER_FIELDS:
        raw = item.get(name)
        if raw is None:
            values[name] = ""
        elif name in NUMBER_FIELDS and isinstance(raw, (int, float)) and not isinstance(raw, bool):
            text = _number_text(raw)
            if text is None:
                problems.append(f"“{name}” is too large")
            values[name] = text or ""
        elif isinstance(raw, str):
            values[name] = raw
        else:
            problems.append(f"“{name}” must be {'a number' if name in NUMBER_FIELDS else 'text'}")
            values[name] = ""
    return values


def _indicator(values: dict[str, str], boards: dict[str, Board], problems: list[str]) -> Indicator | None:
    for name in KEYS:
        if not values[name].strip():
            problems.append(f"“{name}” is empty")
    if any(not values[name].strip() for name in KEYS):
        return None
    board = boards.get(normalise(values["board"]))
    if board is None:
        problems.append(f"Unknown board “{values['board'][:40]}”")
        return None
    indicator = db.session.scalar(
        select(Indicator)
        .join(Priority, Priority.id == Indicator.priority_id)
        .where(
            Priority.board_id == board.id,
            func.lower(Priority.code) == values["priority_code"].strip().lower(),
            Indicator.reference == values["reference"].strip(),
        )
    )
    if indicator is None:
        problems.append(
            f"Board {board.short_code} has no indicator “{values['reference'][:60]}” under priority "
            f"“{values['priority_code'][:60]}”"
        )
    return indicator


def check_items(token: ApiToken, payload: Any) -> list[tuple[Indicator, Figures, bool]]:
    """Every item with its indicator and checked figures, or Refused (400 for a body of the wrong shape,
    403 for a read-only token or another organisation's indicator, 404 for an indicator Engage does not hold,
    422 for items with other problems; each item's problems are listed)."""
    if token.scope is not TokenScope.WRITE:
        raise Refused(403, "This token can only read. Ask an administrator for a read-and-write token.")
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("values"), list)
        or set(payload) - {"values"}
    ):
        raise Refused(400, "Send a JSON object with one field, “values”: a list of values.")
    items = payload["values"]
    if not items:
        raise Refused(400, "“values” is empty: send at least one value.")
    if len(items) > MAX_ITEMS:
        raise Refused(400, f"Send at most {MAX_ITEMS:,} values in one request.")
    boards = {normalise(b.short_code): b for b in db.session.scalars(select(Board))}
    checked: list[tuple[Indicator, Figures, bool]] = []
    problems: list[dict[str, Any]] = []
    not_owned: list[int] = []
    unknown: list[int] = []
    seen: dict[tuple[int, str], int] = {}
    for number, item in enumerate(items):
        found: list[str] = []
        if not isinstance(item, dict):
            problems.append({"item": number, "problems": ["Each value must be a JSON object"]})
            continue
        values = _as_text(item, found)
        named = len(found)
        indicator = _indicator(values, boards, found)
        if len(found) > named and all(values[k].strip() for k in KEYS):
            unknown.append(number)
        figures = check_figures({name: values[name] for name in FIGURE_FIELDS})
        found += [message for _name, message in figures.problems]
        if indicator is not None:
            if not token_can_enter_values(token, indicator):
                not_owned.append(number)
            key = (indicator.id, figures.period)
            if key in seen:
                found.append(f"The same indicator and period are in item {seen[key]}")
            seen.setdefault(key, number)
            # No "target" at all keeps the target held for the period (as an import's blank does); an
            # explicit null clears it.
            checked.append((indicator, figures, "target" not in item))
        if found:
            problems.append({"item": number, "problems": found})
    if not_owned:
        shown = ", ".join(str(n) for n in not_owned[:20])
        raise Refused(
            403,
            f"Your organisation does not own the indicators of items {shown}, so this token cannot send "
            "their values. Nothing was saved.",
        )
    if unknown:
        shown = ", ".join(str(n) for n in unknown[:20])
        raise Refused(404, f"Items {shown} name no indicator Engage holds. Nothing was saved.", problems)
    if problems:
        raise Refused(
            422, f"{len(problems)} of the {len(items)} values have problems. Nothing was saved.", problems
        )
    return checked


def push_values(token: ApiToken, payload: Any) -> list[dict[str, Any]]:
    """Write every item or none (Refused, nothing written): what happened to each."""
    checked = check_items(token, payload)
    actor = f"API token “{token.name}” ({token.organisation.name})"
    results = []
    try:
        with atomic():
            for indicator, figures, keep_target in checked:
                _value, outcome = write_value(
                    indicator, figures, source=ValueSource.API, actor=actor, keep_target=keep_target
                )
                results.append(
                    {
                        "board": indicator.priority.board.short_code,
                        "priority_code": indicator.priority.code,
                        "reference": indicator.reference,
                        "period": figures.period,
                        "result": outcome,
                    }
                )
    except IntegrityError as clash:
        raise Refused(
            409,
            "Another request was saving the same values at the same moment. Nothing was saved: send them "
            "again.",
        ) from clash
    return results
