"""Small-cell suppression that holds across everything published about a consultation or an exercise
(pure NumPy and SciPy, no Flask).

Two kinds of output are protected:

* **Groups of people** (an exercise's scores or shares broken down by an equality question or a channel):
  :func:`suppress_groups` hides every group of 1 to ``threshold - 1`` people, and then the next smallest
  groups until the hidden ones together hold at least ``threshold`` people, so that "everyone" minus the
  groups shown never leaves fewer than ``threshold`` people. The hidden groups may be shown together as one
  "Other / not shown" group: it holds at least ``threshold`` people.
* **Tables of counts and their totals** (a consultation's answers by an equality question, the answers'
  overall counts, "who we heard from"): every published figure is a value, and the linear relations between
  them (a row's cells add up to its total, a column's to the overall count, ...) are :class:`Relations`.
  :func:`protect` hides the small counts (primary suppression) and then more figures (secondary
  suppression) until, for every hidden figure, the linear program an attacker would solve (minimise and
  maximise it subject to everything shown, every relation and non-negativity: :func:`feasible_ranges`)
  leaves a range at least ``threshold`` wide. Hidden figures are never labelled "fewer than 5": a secondary
  figure usually holds more, and the label itself would be a published bound.

Zero counts are shown: they count no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from scipy.optimize import linprog

#: A range narrower than the threshold by more than this counts as too narrow (the LP's own tolerance).
TOLERANCE = 1e-6


def _check_threshold(threshold: int) -> None:
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")


def suppress_groups(sizes, threshold: int, hide=None) -> np.ndarray:
    """A boolean mask of the groups (people in each) to hide: every group of 1 to ``threshold - 1`` people
    (and any in ``hide``), then the next smallest until the hidden groups hold at least ``threshold`` people
    between them (or all are hidden). Empty groups are never hidden (there is nothing in them to show)."""
    _check_threshold(threshold)
    people = np.asarray(sizes, dtype=float)
    hide = (people > 0) & ((people < threshold) | (False if hide is None else np.asarray(hide, dtype=bool)))
    while hide.any() and people[hide].sum() < threshold:
        shown = np.flatnonzero(~hide & (people > 0))
        if not shown.size:
            break
        hide[shown[np.argmin(people[shown])]] = True
    return hide


#: The name of the group that stands for every hidden group of a breakdown together.
OTHER_GROUP = "Other / not shown"


def protect_breakdowns(
    breakdowns: dict[str, dict[str, set]], everyone: set, threshold: int
) -> dict[str, dict[str, set]]:
    """The groups of people to show in each breakdown ({breakdown: {group: people}}, each a partition of
    ``everyone``, whose figures are published too): small groups hidden as :func:`suppress_groups` says,
    together as OTHER_GROUP when that holds at least ``threshold`` people; and, across breakdowns, no two
    groups shown whose difference either way is 1 to ``threshold - 1`` people (religion "none" and
    disability "no" differing by one person would give away that person's answers): the smaller of the
    two is hidden too, and the whole is checked again."""
    _check_threshold(threshold)
    forced: dict[str, set[str]] = {name: set() for name in breakdowns}
    dropped: set[str] = set()
    while True:
        shown: dict[str, dict[str, set]] = {}
        for name, groups in breakdowns.items():
            if name in dropped:
                shown[name] = {}
                continue
            labels = [label for label, people in groups.items() if people]
            hide = suppress_groups(
                [len(groups[label]) for label in labels],
                threshold,
                [label in forced[name] for label in labels],
            )
            visible = {label: set(groups[label]) for label, h in zip(labels, hide, strict=True) if not h}
            rest = set().union(*(groups[label] for label, h in zip(labels, hide, strict=True) if h))
            if len(rest) >= threshold and visible:
                visible[OTHER_GROUP] = rest  # (alone, "other" would be everyone: nothing to break down)
            shown[name] = visible
        conflict = _overlapping(shown, everyone, threshold)
        if conflict is None:
            return shown
        name, label = conflict
        if label == OTHER_GROUP:  # widen "other" by hiding the smallest group still shown beside it
            others = [lbl for lbl in shown[name] if lbl != OTHER_GROUP]
            if not others:
                dropped.add(name)  # "other" is all there is to show: show none of this breakdown
                continue
            label = min(others, key=lambda lbl: len(shown[name][lbl]))
        forced[name].add(label)


def _overlapping(shown: dict[str, dict[str, set]], everyone: set, threshold: int) -> tuple[str, str] | None:
    """A (breakdown, group) to hide because it and a group of another breakdown (or everyone) differ by
    1 to threshold - 1 people either way; None when there is none."""
    groups: list[tuple[str | None, str | None, set]] = [
        (name, label, people) for name, visible in shown.items() for label, people in visible.items()
    ]
    groups.append((None, None, everyone))
    for i, (name_a, label_a, a) in enumerate(groups):
        for name_b, label_b, b in groups[i + 1 :]:
            if name_a == name_b:
                continue  # the groups of one breakdown do not overlap
            only_a, only_b = len(a - b), len(b - a)
            if (only_a or only_b) and only_a < threshold and only_b < threshold:
                # "everyone" (the None group) is never the one hidden
                if name_b is None or (name_a is not None and len(a) <= len(b)):
                    return cast(tuple[str, str], (name_a, label_a))
                return cast(tuple[str, str], (name_b, label_b))
    return None


@dataclass(frozen=True)
class Relations:
    """Linear relations among published figures ``v`` (all non-negative): ``equal @ v == 0`` and
    ``at_most @ v <= 0``, one row per relation, one column per figure."""

    equal: np.ndarray
    at_most: np.ndarray

    @classmethod
    def build(cls, size: int, equal=(), at_most=()) -> Relations:
        """From lists of {figure index: coefficient} (one dict per relation)."""

        def matrix(rows) -> np.ndarray:
            out = np.zeros((len(rows), size))
            for r, row in enumerate(rows):
                for k, coefficient in row.items():
                    out[r, k] += coefficient
            return out

        return cls(matrix(list(equal)), matrix(list(at_most)))

    @property
    def size(self) -> int:
        return self.equal.shape[1]


def feasible_ranges(
    values, hidden, relations: Relations, which=None, enough: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The attack: for each hidden figure (or only those in ``which``), its smallest and largest value given
    the figures shown, the relations and non-negativity (``np.inf`` where nothing bounds it above). Returns
    (low, high) arrays the length of ``values`` (NaN for the figures not attacked). With ``enough``, a figure
    whose largest value is under it gets 0 as its smallest without solving for it (it is narrow anyway)."""
    values = np.asarray(values, dtype=float)
    hidden = np.asarray(hidden, dtype=bool)
    low = np.full(values.shape, np.nan)
    high = np.full(values.shape, np.nan)
    unknown = np.flatnonzero(hidden)
    if not unknown.size:
        return low, high
    targets = hidden if which is None else hidden & np.asarray(which, dtype=bool)
    shown = ~hidden
    problem: dict[str, Any] = {"bounds": [(0, None)] * unknown.size, "method": "highs"}
    if relations.equal.size:
        problem["A_eq"] = relations.equal[:, unknown]
        problem["b_eq"] = -relations.equal[:, shown] @ values[shown]
    if relations.at_most.size:
        problem["A_ub"] = relations.at_most[:, unknown]
        problem["b_ub"] = -relations.at_most[:, shown] @ values[shown]
    for position, k in enumerate(unknown):
        if not targets[k]:
            continue
        objective = np.zeros(unknown.size)
        objective[position] = 1.0
        largest = linprog(-objective, **problem)
        if largest.status == 2:
            raise ValueError("the published figures contradict the relations given")
        high[k] = -largest.fun if largest.status == 0 else np.inf
        if enough is not None and high[k] < enough:
            low[k] = 0.0
            continue
        smallest = linprog(objective, **problem)
        low[k] = smallest.fun if smallest.status == 0 else 0.0
    return low, high


@dataclass(frozen=True)
class Protection:
    #: The figures to hide.
    hidden: np.ndarray
    #: Hidden because they are small themselves (the rest of ``hidden`` protects them).
    primary: np.ndarray
    #: The attacker's range for each hidden figure (NaN for those shown), as last attacked: never wider than
    #: the range the published figures leave.
    low: np.ndarray
    high: np.ndarray

    @property
    def secondary(self) -> np.ndarray:
        return self.hidden & ~self.primary

    def narrow(self, threshold: int) -> np.ndarray:
        """Hidden figures whose range is narrower than ``threshold`` (none, once protected)."""
        return self.hidden & ((self.high - self.low) < threshold - TOLERANCE)


def _adjacency(relations: Relations) -> np.ndarray:
    """adjacency[j, k]: figures j and k share a relation."""
    terms = [np.abs(m) > 0 for m in (relations.equal, relations.at_most) if m.size]
    if not terms:
        return np.zeros((relations.size, relations.size), dtype=bool)
    both = np.vstack(terms).astype(np.int64)
    return (both.T @ both) > 0


def _candidates(adjacency: np.ndarray, k: int, free: np.ndarray) -> np.ndarray:
    """The free figures nearest figure ``k``: those sharing a relation with it, else with a figure that
    does, and so on outwards."""
    reached = np.zeros(len(adjacency), dtype=bool)
    reached[k] = True
    while True:
        ring = adjacency[reached].any(axis=0) & ~reached
        if not ring.any():
            return free & False
        if (ring & free).any():
            return ring & free
        reached |= ring


def _pick(values: np.ndarray, candidates: np.ndarray, wanted: float) -> int | None:
    """The figure to hide next: the smallest one holding at least ``wanted`` (so one step can widen the
    range enough), else the largest; zeros only when nothing else is left."""
    options = np.flatnonzero(candidates)
    if not options.size:
        return None
    nonzero = options[values[options] > 0]
    if nonzero.size:
        options = nonzero
    enough = options[values[options] >= wanted]
    if enough.size:
        return int(enough[np.argmin(values[enough])])
    return int(options[np.argmax(values[options])])


def _complete_relations(values: np.ndarray, hidden: np.ndarray, locked: np.ndarray, relations: Relations):
    """The cheap part of secondary suppression: no equality may have exactly one hidden figure (it would
    be its own subtraction)."""
    changed = True
    while changed:
        changed = False
        for row in relations.equal:
            terms = row != 0
            if (hidden & terms).sum() == 1 and terms.sum() > 1:
                k = _pick(values, terms & ~hidden & ~locked, 1.0)
                if k is not None:
                    hidden[k] = True
                    changed = True


def protect(
    values,
    relations: Relations,
    threshold: int,
    *,
    primary=None,
    hidden=None,
    locked=None,
    max_rounds: int = 200,
) -> Protection:
    """Which figures to hide so that no hidden one can be narrowed to a range under ``threshold``.

    ``primary`` (default: the values from 1 to threshold - 1) must be hidden; ``hidden`` are hidden already
    (decided elsewhere, e.g. an overall count on another page), and are protected too; ``locked`` figures are
    published elsewhere whatever this table does, so they are never chosen to hide. Where no choice of
    figures can protect a value (a published total under the threshold bounds it), everything that may be
    hidden is hidden and :meth:`Protection.narrow` says what is still narrow.
    """
    _check_threshold(threshold)
    values = np.asarray(values, dtype=float)
    n = values.size
    small = (values > 0) & (values < threshold)
    primary = small if primary is None else np.asarray(primary, dtype=bool)
    locked = np.zeros(n, dtype=bool) if locked is None else np.asarray(locked, dtype=bool)
    mask = primary.copy() if hidden is None else primary | np.asarray(hidden, dtype=bool)
    _complete_relations(values, mask, locked, relations)
    # Hiding more only widens every range (fewer figures fixed, the same relations), so a figure found wide
    # enough stays so: each round attacks only the figures not yet found wide enough.
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    wide = np.zeros(n, dtype=bool)
    useless = np.zeros(n, dtype=bool)
    adjacency = _adjacency(relations)
    for _round in range(max_rounds):
        found_low, found_high = feasible_ranges(
            values, mask, relations, which=~wide, enough=threshold - TOLERANCE
        )
        attacked = mask & ~wide
        low[attacked], high[attacked] = found_low[attacked], found_high[attacked]
        # A hidden zero that the figures shown pin to zero tells nothing by being shown (and hides nothing).
        known_zero = attacked & ~primary & (high < TOLERANCE)
        mask[known_zero] = False
        useless |= known_zero
        low[known_zero] = high[known_zero] = np.nan
        width = high - low
        wide |= mask & (width >= threshold - TOLERANCE)
        failing = np.flatnonzero(mask & ~wide)
        if not failing.size:
            break
        # One figure for each failing one, except where a figure hidden this round shares a relation with
        # it (that may be enough: the next round's ranges tell).
        added = np.zeros(n, dtype=bool)
        for k in failing[np.argsort(width[failing], kind="stable")]:
            if (adjacency[k] & added).any():
                continue
            choice = _pick(
                values, _candidates(adjacency, k, ~mask & ~locked & ~useless), threshold - width[k]
            )
            if choice is not None:
                mask[choice] = added[choice] = True
        if not added.any():
            break  # nothing left to hide: report what stays narrow
    # The ranges are as last attacked: at least as narrow as the final ones (ranges only widen).
    low[~mask] = high[~mask] = np.nan
    return Protection(mask, primary & mask, low, high)


# Tables of counts with their totals -------------------------------------------------------------------


@dataclass(frozen=True)
class TableLayout:
    """Where each figure of a (groups x answers) table sits in the vector of published figures: the cells
    (row by row), the row totals (people in each group), the column totals (everyone's count of each
    answer), the grand total (people answering), then any "who we heard from" counts and their total."""

    groups: int
    answers: int
    heard: int = 0

    @property
    def cells(self) -> slice:
        return slice(0, self.groups * self.answers)

    @property
    def rows(self) -> slice:
        start = self.groups * self.answers
        return slice(start, start + self.groups)

    @property
    def columns(self) -> slice:
        start = self.groups * (self.answers + 1)
        return slice(start, start + self.answers)

    @property
    def total(self) -> int:
        return self.groups * (self.answers + 1) + self.answers

    @property
    def heard_counts(self) -> slice:
        return slice(self.total + 1, self.total + 1 + self.heard)

    @property
    def heard_total(self) -> int:
        return self.total + 1 + self.heard

    @property
    def size(self) -> int:
        return self.heard_total + (1 if self.heard else 0)

    def cell(self, g: int, a: int) -> int:
        return g * self.answers + a


def table_relations(
    layout: TableLayout,
    *,
    one_answer_each: bool = True,
    heard_rows: list[int | None] | None = None,
    scores=None,
    mean: float | None = None,
) -> Relations:
    """The relations a reader knows between a table's figures.

    ``one_answer_each``: each person gives one answer, so a row's cells add up to its total; otherwise
    (tick all that apply) each cell is at most its row's total and the cells at least add up to it.
    ``heard_rows[k]`` is the row whose group the k-th "who we heard from" count is (None: no row): at
    least the row's total, and those counts add up to their own total. With ``scores`` (each answer's
    value, a 0-10 rating) and their published ``mean``, the column totals' scores add up to mean x total.
    """
    equal: list[dict[int, float]] = []
    at_most: list[dict[int, float]] = []
    for g in range(layout.groups):
        cells = [layout.cell(g, a) for a in range(layout.answers)]
        row_total = layout.rows.start + g
        if one_answer_each:
            equal.append({**dict.fromkeys(cells, 1.0), row_total: -1.0})
        else:
            at_most.extend({cell: 1.0, row_total: -1.0} for cell in cells)
            at_most.append({**dict.fromkeys(cells, -1.0), row_total: 1.0})
    for a in range(layout.answers):
        cells = [layout.cell(g, a) for g in range(layout.groups)]
        equal.append({**dict.fromkeys(cells, 1.0), layout.columns.start + a: -1.0})
    equal.append({**{layout.rows.start + g: 1.0 for g in range(layout.groups)}, layout.total: -1.0})
    if scores is not None and mean is not None:
        columns = {layout.columns.start + a: float(score) for a, score in enumerate(scores)}
        equal.append({**columns, layout.total: -float(mean)})
    if layout.heard:
        heard = list(range(layout.heard_counts.start, layout.heard_counts.stop))
        equal.append({**dict.fromkeys(heard, 1.0), layout.heard_total: -1.0})
        for k, row in enumerate(heard_rows or []):
            if row is not None:
                at_most.append({layout.rows.start + row: 1.0, heard[k]: -1.0})
    return Relations.build(layout.size, equal, at_most)


def counts_relations(answers: int, *, one_answer_each: bool = True, scores=None, mean=None) -> Relations:
    """The relations between one question's overall counts and the number answering (the last figure):
    the counts add up to it (or, tick all that apply, each is at most it and together at least it); with
    ``scores`` and their published ``mean`` (a 0-10 rating), the counts' scores add up to mean x answered."""
    total = answers
    equal: list[dict[int, float]] = []
    at_most: list[dict[int, float]] = []
    if one_answer_each:
        equal.append({**dict.fromkeys(range(answers), 1.0), total: -1.0})
    else:
        at_most.extend({a: 1.0, total: -1.0} for a in range(answers))
        at_most.append({**dict.fromkeys(range(answers), -1.0), total: 1.0})
    if scores is not None and mean is not None:
        equal.append({**{a: float(s) for a, s in enumerate(scores)}, total: -float(mean)})
    return Relations.build(answers + 1, equal, at_most)


def protect_counts(
    counts, answered: int, threshold: int, *, one_answer_each: bool = True, scores=None, mean=None
) -> np.ndarray:
    """Which of one question's overall counts to hide (a boolean per count), given that the number
    answering is published; all of them when fewer than ``threshold`` answered."""
    counts = np.asarray(counts, dtype=float)
    if 0 < answered < threshold:
        return counts > 0
    values = np.append(counts, answered)
    locked = np.zeros(values.size, dtype=bool)
    locked[-1] = True
    relations = counts_relations(counts.size, one_answer_each=one_answer_each, scores=scores, mean=mean)
    return protect(values, relations, threshold, locked=locked).hidden[:-1]


@dataclass(frozen=True)
class TableProtection:
    #: (groups x answers) cells and the row totals to hide
    cells: np.ndarray
    rows: np.ndarray
    #: Cells hidden because they are small themselves.
    primary: np.ndarray
    #: The attacker's ranges over every figure (see TableLayout for the order)
    low: np.ndarray
    high: np.ndarray


def protect_table(
    cells,
    row_totals,
    column_totals,
    threshold: int,
    *,
    columns_hidden=None,
    one_answer_each: bool = True,
    heard=None,
    heard_rows: list[int | None] | None = None,
    heard_hidden=None,
    scores=None,
) -> TableProtection:
    """Protect a (groups x answers) table whose row totals are published beside it, whose column totals
    and grand total are published elsewhere (``columns_hidden``: those the other page hides; with
    ``scores``, a rating, their mean too), and whose groups' sizes may be published again as "who we heard
    from" (``heard``, for the rows ``heard_rows``, ``heard_hidden`` as that page hides them). Small row
    totals are hidden with every cell of their row."""
    cells = np.asarray(cells, dtype=float)
    groups, answers = cells.shape
    row_totals = np.asarray(row_totals, dtype=float)
    column_totals = np.asarray(column_totals, dtype=float)
    heard = np.zeros(0) if heard is None else np.asarray(heard, dtype=float)
    layout = TableLayout(groups, answers, heard.size)
    values = np.zeros(layout.size)
    values[layout.cells] = cells.ravel()
    values[layout.rows] = row_totals
    values[layout.columns] = column_totals
    values[layout.total] = row_totals.sum()
    hidden = np.zeros(layout.size, dtype=bool)
    locked = np.zeros(layout.size, dtype=bool)
    locked[layout.columns] = True
    locked[layout.total] = True
    if columns_hidden is not None:
        hidden[layout.columns] = np.asarray(columns_hidden, dtype=bool)
    if heard.size:
        values[layout.heard_counts] = heard
        values[layout.heard_total] = heard.sum()
        locked[layout.heard_counts] = True
        locked[layout.heard_total] = True
        if heard_hidden is not None:
            hidden[layout.heard_counts] = np.asarray(heard_hidden, dtype=bool)
    small_rows = (row_totals > 0) & (row_totals < threshold)
    primary = np.zeros(layout.size, dtype=bool)
    primary[layout.cells] = ((cells > 0) & (cells < threshold) | small_rows[:, None] & (cells > 0)).ravel()
    primary[layout.rows] = small_rows
    mean = None
    if scores is not None and row_totals.sum():
        mean = float(np.dot(scores, column_totals) / row_totals.sum())
    relations = table_relations(
        layout, one_answer_each=one_answer_each, heard_rows=heard_rows, scores=scores, mean=mean
    )
    result = protect(values, relations, threshold, primary=primary, hidden=hidden, locked=locked)
    return TableProtection(
        result.hidden[layout.cells].reshape(groups, answers),
        result.hidden[layout.rows],
        result.primary[layout.cells].reshape(groups, answers),
        result.low,
        result.high,
    )


#: Rounding steps a mean share shown live may take (fractions of the whole), finest first.
SHARE_STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)
#: How uncertain one newcomer's share must stay to someone who reads a live mean before and after they
#: answered: a range at least this wide (a share runs from 0 to 1).
DIFFERENCING_SPREAD = 0.5


def differencing_step(respondents: int, spread: float = DIFFERENCING_SPREAD) -> float:
    """The step to round a live mean share of ``respondents`` people to, so that two readings of it, before
    and after one more person answered, leave that person's share within a range at least ``spread`` wide.

    With the means shown rounded to a step ``s``, the newcomer's share ``(n + 1) m' - n m`` is known only to
    within ``(2n + 1) s``: the step is the finest of :data:`SHARE_STEPS` with ``(2n + 1) s >= spread``.
    (That shares run from 0 to 1 can narrow the range for a newcomer who gave all or nothing, to no less
    than half of it.)
    """
    if respondents < 1:
        raise ValueError("a mean needs at least one respondent")
    wanted = spread / (2 * respondents + 1)
    return next((step for step in SHARE_STEPS if step >= wanted), SHARE_STEPS[-1])


def round_to_step(values, step: float) -> np.ndarray:
    """Each value rounded to the nearest multiple of ``step`` (half away from zero, as people round)."""
    values = np.asarray(values, dtype=float)
    return np.sign(values) * np.floor(np.abs(values) / step + 0.5) * step
