"""A published weight set as CSV, JSON and XLSX. One function builds the rows; every format writes them, so
the downloads and the API cannot disagree.

CSV columns (stable; documented in docs/weights.md): board, priority_code, priority_title, weight, weight_low,
weight_high, rank, respondents, version, published_at, method, standing, decided_at, decided_by,
minute_reference, then the priority's title in each other language residents can choose (priority_title_cy,
priority_title_ur, priority_title_pl; empty where it has no translation). ``standing`` is "decided" (a
partnership board's decision, signed off by an accountable member: the decision columns say who, by name and
role on the board, when and the minute) or "advisory" (a network's advice, or a version published before
sign-off existed: the decision columns are empty). Weights are fractions that add up to 1, rounded to 6
decimal places by the largest-remainder method so that the rounded weights still add up to exactly 1; a
priority no source covered has empty weight, interval and rank.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engage.content import locale_columns, locale_values, translations_of
from engage.spreadsheets import csv_text, xlsx_bytes
from engage.stats.rounding import round_to_total
from engage.weights.models import WeightSet

CSV_COLUMNS = [
    "board",
    "priority_code",
    "priority_title",
    "weight",
    "weight_low",
    "weight_high",
    "rank",
    "respondents",
    "version",
    "published_at",
    "method",
    "standing",
    "decided_at",
    "decided_by",
    "minute_reference",
]
#: The columns every row of a version shares (the JSON document gives them once, not per priority).
VERSION_COLUMNS = {
    "board",
    "version",
    "published_at",
    "method",
    "standing",
    "decided_at",
    "decided_by",
    "minute_reference",
}
DECIMALS = 6


def _iso(moment) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def method_summary(weight_set: WeightSet) -> str:
    """One line for the CSV's method column, e.g. "pairwise 50% + budget 50%; online, paper; population
    weighted"."""
    parameters = json.loads(weight_set.parameters)
    blend = " + ".join(f"{s['kind']} {s['blend_percent']:g}%" for s in parameters["sources"])
    weighting = "population weighted" if parameters["population_weighting"] else "not population weighted"
    return f"{blend}; {', '.join(parameters['channels'])}; {weighting}"


def csv_columns() -> list[str]:
    """``CSV_COLUMNS``, then the priority title's translations."""
    return CSV_COLUMNS + locale_columns("priority_title")


def decision_document(weight_set: WeightSet) -> dict[str, Any] | None:
    """Who decided (name and role on the board), when, and the minute; None for advisory weights."""
    decision = weight_set.decision
    if decision is None:
        return None
    return {
        "decided_at": _iso(decision.decided_at),
        "decided_by": decision.decided_by_name,
        "decided_by_role": decision.decided_by_title,
        "minute_reference": decision.minute_reference,
    }


def _decided_by(decision: dict[str, Any] | None) -> str | None:
    return f"{decision['decided_by']} ({decision['decided_by_role']})" if decision else None


def weight_rows(weight_set: WeightSet) -> list[dict[str, Any]]:
    """One dict per priority with the CSV columns, in published order."""
    decision = decision_document(weight_set)
    standing = weight_set.standing
    translated = locale_columns("priority_title")
    common = {
        "board": weight_set.board.short_code,
        "version": weight_set.version,
        "published_at": _iso(weight_set.published_at),
        "method": method_summary(weight_set),
        "standing": standing.value if standing else None,
        "decided_at": decision["decided_at"] if decision else None,
        "decided_by": _decided_by(decision),
        "minute_reference": decision["minute_reference"] if decision else None,
    }
    entries = list(weight_set.entries)
    weights = round_to_total([np.nan if e.weight is None else e.weight for e in entries], DECIMALS)
    return [
        {
            **common,
            "priority_code": entry.priority_code,
            "priority_title": entry.priority_title,
            "weight": None if np.isnan(weight) else float(weight),
            "weight_low": _round(entry.weight_low),
            "weight_high": _round(entry.weight_high),
            "rank": entry.rank,
            "respondents": entry.respondents,
            **dict(zip(translated, locale_values(entry, "priority_title"), strict=True)),
        }
        for entry, weight in zip(entries, weights, strict=True)
    ]


def weight_set_document(weight_set: WeightSet) -> dict[str, Any]:
    """The JSON form: the version's facts, its method, its sources and one object per priority."""
    return {
        "board": {
            "slug": weight_set.board.slug,
            "code": weight_set.board.short_code,
            "name": weight_set.board.name,
        },
        "version": weight_set.version,
        "status": weight_set.status.value,
        "standing": weight_set.standing.value if weight_set.standing else None,
        "decision": decision_document(weight_set),
        "published_at": _iso(weight_set.published_at),
        "withdrawn_at": _iso(weight_set.withdrawn_at),
        "withdrawn_reason": weight_set.withdrawn_reason or None,
        "method": method_summary(weight_set),
        "method_statement": weight_set.method_statement,
        "method_statement_translations": {
            locale: texts["method_statement"]
            for locale, texts in translations_of(weight_set).items()
            if "method_statement" in texts
        },
        "parameters": json.loads(weight_set.parameters),
        "sources": [
            {
                "title": source.title,
                "blend_percent": source.blend,
                "respondents": source.respondents,
                "shares": json.loads(source.snapshot) if source.snapshot else {},
            }
            for source in weight_set.sources
        ],
        "weights": [
            {key: row[key] for key in csv_columns() if key not in VERSION_COLUMNS}
            for row in weight_rows(weight_set)
        ],
    }


def _table(weight_set: WeightSet) -> list[list]:
    columns = csv_columns()
    return [columns, *([row[column] for column in columns] for row in weight_rows(weight_set))]


def weight_set_csv(weight_set: WeightSet) -> str:
    return csv_text(_table(weight_set))


def weight_set_json(weight_set: WeightSet) -> str:
    return json.dumps(weight_set_document(weight_set), indent=2, ensure_ascii=False)


def weight_set_xlsx(weight_set: WeightSet) -> bytes:
    """Sheet "Weights" with the CSV columns; sheet "Method" with the statement and the sources."""
    method: list[Sequence[object]] = [
        ["Board", weight_set.board.name],
        ["Version", weight_set.version],
        ["Status", weight_set.status.value],
        ["Published", _iso(weight_set.published_at)],
    ]
    decision = decision_document(weight_set)
    method += [["Standing", weight_set.standing.value if weight_set.standing else None]]
    if decision:
        method += [
            ["Decided", decision["decided_at"]],
            ["Decided by", _decided_by(decision)],
            ["Minute reference", decision["minute_reference"]],
        ]
    method += [[]]
    method += [[paragraph] for paragraph in weight_set.method_statement.split("\n\n")]
    method += [[], ["Source", "Blend (%)", "Respondents"]]
    method += [[source.title, source.blend, source.respondents] for source in weight_set.sources]
    return xlsx_bytes({"Weights": _table(weight_set), "Method": method})


#: Each download format's writer (the public pages, the API and ``export-weights`` use the same).
WRITERS: dict[str, Callable[[WeightSet], str | bytes]] = {
    "csv": weight_set_csv,
    "json": weight_set_json,
    "xlsx": weight_set_xlsx,
}
