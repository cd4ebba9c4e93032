"""From a table of text to indicator rows: which column holds which field (guessed from the headers, or as the
organisation mapped it last time), then each row checked, every problem named with its line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from engage.boards.models import Board, Priority
from engage.indicators.models import Polarity, Rag
from engage.indicators.reading import Table

#: Engage's fields: (name, label, required, header spellings seen in real exports, normalised)
FIELDS = [
    (
        "reference",
        "Indicator reference",
        True,
        ["indicatorref", "ref", "reference", "indicatorid", "indicatorcode", "piref", "pi", "code"],
    ),
    (
        "name",
        "Indicator name",
        True,
        ["indicatorname", "name", "indicator", "measure", "measurename", "title", "description"],
    ),
    ("board", "Board code", True, ["board", "boardcode", "theme", "partnership"]),
    (
        "priority_code",
        "Priority code",
        True,
        ["prioritycode", "priority", "outcomecode", "outcome", "priorityref"],
    ),
    ("period", "Period", True, ["period", "quarter", "month", "reportingperiod", "date"]),
    ("actual", "Actual value", True, ["actual", "value", "result", "outturn", "actualvalue", "performance"]),
    ("target", "Target", False, ["target", "targetvalue", "goal"]),
    (
        "polarity",
        "Polarity (which direction is better)",
        True,
        ["polarity", "direction", "goodis", "betteris", "aim"],
    ),
    ("unit", "Unit", False, ["unit", "units", "unitofmeasure", "measureunit"]),
    ("status", "Status (red, amber, green)", False, ["status", "rag", "ragstatus", "ragrating", "rating"]),
    ("commentary", "Commentary", False, ["commentary", "comment", "comments", "narrative", "notes"]),
]
REQUIRED = [name for name, _label, required, _s in FIELDS if required]
LABELS = {name: label for name, label, _r, _s in FIELDS}

POLARITY_WORDS = {
    Polarity.HIGHER: {"higherisbetter", "higher", "high", "up", "increase", "biggerisbetter", "maximise"},
    Polarity.LOWER: {"lowerisbetter", "lower", "low", "down", "decrease", "smallerisbetter", "minimise"},
}
RAG_WORDS = {Rag.RED: {"red", "r"}, Rag.AMBER: {"amber", "a", "yellow"}, Rag.GREEN: {"green", "g"}}
#: The longest period label and commentary stored.
MAX_PERIOD, MAX_COMMENTARY = 40, 2000
NUMBER = re.compile(r"^[-+]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def guess_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """{field: header}: the remembered header where the file has it, else the first header that matches a
    known spelling. Fields without a match are left out."""
    present = {normalise(h): h for h in headers if h}
    mapping: dict[str, str] = {}
    for name, _label, _required, spellings in FIELDS:
        wanted = (remembered or {}).get(name)
        if wanted and normalise(wanted) in present:
            mapping[name] = present[normalise(wanted)]
            continue
        match = next(
            (present[s] for s in spellings if s in present and present[s] not in mapping.values()), None
        )
        if match:
            mapping[name] = match
    return mapping


def mapping_problems(mapping: dict[str, str], headers: list[str]) -> list[str]:
    """What stops the mapping being used: a required field with no column, a column used twice."""
    problems = [
        f"Choose the column that holds “{LABELS[name]}”" for name in REQUIRED if not mapping.get(name)
    ]
    used = [h for h in mapping.values() if h]
    problems += [
        f"The column “{h}” is chosen for more than one field" for h in sorted(set(used)) if used.count(h) > 1
    ]
    problems += [f"The file has no column “{h}”" for h in sorted(set(used) - set(headers))]
    return problems


def parse_number(text: str) -> float | None:
    """'1,234.5', '21.4%', ' 7 ' -> float; '' -> None; anything else raises ValueError."""
    cleaned = text.strip().rstrip("%").strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if not NUMBER.match(cleaned):
        raise ValueError(text)
    return float(cleaned.replace(",", ""))


def plain_number(figure: float | None) -> str:
    """A stored figure as a person would type it (no exponent, no trailing .0); "" for none."""
    if figure is None:
        return ""
    figure = float(figure)
    return str(int(figure)) if figure.is_integer() else repr(figure)


#: What a word names: a polarity or a RAG status.
WordT = TypeVar("WordT")


def _word(text: str, words: Mapping[WordT, set[str]]) -> WordT | None:
    key = normalise(text)
    return next((value for value, spellings in words.items() if key in spellings), None)


#: The figures of one indicator's value: what the importer reads from a row, the entry form and the API take.
FIGURE_FIELDS = ("period", "actual", "target", "polarity", "status", "commentary")


@dataclass
class Figures:
    period: str = ""
    actual: float | None = None
    target: float | None = None
    polarity: Polarity | None = None
    status: Rag | None = None
    commentary: str = ""
    #: (field, message) for each problem, in the order found
    problems: list[tuple[str, str]] = field(default_factory=list)


def check_figures(values: dict[str, str]) -> Figures:
    """Check one value's figures as text (as a file, a form or the API gives them): the period, an actual
    value and the polarity are needed; numbers may have thousands separators or a % sign; polarity and status
    take the words real exports use. The one check behind the importer, the entry form and the API."""
    figures = Figures(
        period=values.get("period", "").strip(), commentary=values.get("commentary", "").strip()
    )
    for name in ("period", "actual", "polarity"):
        if not values.get(name, "").strip():
            figures.problems.append((name, f"{LABELS[name]} is empty"))
    if len(figures.period) > MAX_PERIOD:
        figures.problems.append(("period", f"{LABELS['period']} must be {MAX_PERIOD} characters or fewer"))
    for name in ("actual", "target"):
        try:
            setattr(figures, name, parse_number(values.get(name, "")))
        except ValueError:
            figures.problems.append((name, f"{LABELS[name]} “{values[name]}” is not a number"))
    if values.get("polarity", "").strip():
        figures.polarity = _word(values["polarity"], POLARITY_WORDS)
        if figures.polarity is None:
            figures.problems.append(
                (
                    "polarity",
                    f"Unknown polarity “{values['polarity']}” (use Higher is better or Lower is better)",
                )
            )
    if values.get("status", "").strip():
        figures.status = _word(values["status"], RAG_WORDS)
        if figures.status is None:
            figures.problems.append(
                ("status", f"Unknown status “{values['status']}” (use Red, Amber or Green)")
            )
    if len(figures.commentary) > MAX_COMMENTARY:
        figures.problems.append(
            ("commentary", f"{LABELS['commentary']} must be {MAX_COMMENTARY:,} characters or fewer")
        )
    return figures


@dataclass
class IndicatorRow:
    line: int
    values: dict[str, str]
    priority: Priority | None = None
    figures: Figures = field(default_factory=Figures)
    problems: list[str] = field(default_factory=list)
    #: For a row with no target: the target already held for its indicator and period, which the import
    #: keeps (blank means unchanged). Looked up by the preview.
    held_target: float | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def note(self) -> str:
        """What the import does with a valid row's blank target (nothing to say when it has one)."""
        if not self.valid or self.target is not None:
            return ""
        if self.held_target is not None:
            held = plain_number(self.held_target)
            return f"No target: the target already held for this period ({held}) is kept."
        return "No target given."

    @property
    def actual(self) -> float | None:
        return self.figures.actual

    @property
    def target(self) -> float | None:
        return self.figures.target

    @property
    def polarity(self) -> Polarity | None:
        return self.figures.polarity

    @property
    def status(self) -> Rag | None:
        return self.figures.status


def check_rows(
    table: Table, mapping: dict[str, str], boards: list[Board], allowed_board_ids: set[int] | None
):
    """Every row with its parsed values or its problems. ``allowed_board_ids`` None means any board."""
    column = {
        name: table.headers.index(header) for name, header in mapping.items() if header in table.headers
    }
    by_code = {normalise(b.short_code): b for b in boards}
    checked = []
    seen: dict[tuple[str, ...], int] = {}
    for line, cells in table.rows:
        values = {name: cells[k] for name, k in column.items()}
        row = IndicatorRow(line, values)
        for name in REQUIRED:
            if name not in FIGURE_FIELDS and not values.get(name, "").strip():
                row.problems.append(f"{LABELS[name]} is empty")
        board = by_code.get(normalise(values.get("board", "")))
        if values.get("board") and board is None:
            row.problems.append(f"Unknown board “{values['board']}”")
        elif board is not None and allowed_board_ids is not None and board.id not in allowed_board_ids:
            row.problems.append(f"Your organisation does not sit on board “{values['board']}”")
        elif board is not None and values.get("priority_code"):
            codes = {p.code.lower(): p for p in board.priorities}
            row.priority = codes.get(values["priority_code"].strip().lower())
            if row.priority is None:
                row.problems.append(f"Board {board.short_code} has no priority “{values['priority_code']}”")
        row.figures = check_figures(values)
        row.problems += [message for _name, message in row.figures.problems]
        key = tuple(normalise(values.get(n, "")) for n in ("board", "priority_code", "reference", "period"))
        if key in seen:
            row.problems.append(f"The same indicator and period are on line {seen[key]}")
        seen.setdefault(key, line)
        checked.append(row)
    return checked
