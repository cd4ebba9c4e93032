"""What a report says: gathered once from the database into plain values, which every format (the page, the
PDF, the XLSX) writes out. An organisation's report covers the boards it sits on, the indicators it owns and
the exercises and consultations it runs; a board pack covers one board, its indicators whoever owns them, and
the exercises and consultations held for it.

The period (first and last day, UK dates) chooses:
- the weights: each board's newest published version by the end of the period;
- indicator values: those whose period label falls in it (see ``periods.py``); the latest of them is the
  performance against target, all of them the trend;
- exercises and consultations: those open at some time in it (opened, not draft; no dates means always);
  their responses counted are those made in the period, by channel. Headline results are the results as they
  stand (every counted answer, as on the results pages), so they match what the board has seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select

from engage.accounts.models import Organisation
from engage.boards.models import Board
from engage.channels import Channel
from engage.database import utcnow
from engage.dates import end_of_day, start_of_day
from engage.extensions import db
from engage.indicators.entry import board_indicators
from engage.indicators.matrix import target_gap
from engage.indicators.models import Indicator, IndicatorValue, Polarity
from engage.jobs.cache import Shown
from engage.prioritise import results_cache
from engage.prioritise.budget.results import BudgetResults
from engage.prioritise.models import Exercise, ExerciseStatus, Respondent
from engage.prioritise.pairwise.results import PairwiseResults
from engage.prioritise.ranking.results import RankingResults
from engage.reports.periods import overlaps, period_dates
from engage.surveys.models import Consultation, ConsultationResponse, ConsultationStatus, QuestionKind
from engage.surveys.results import QuestionResult, published_results
from engage.weights.models import WeightSet, WeightSetStatus

#: Items or answers shown as an exercise's or a question's headline.
TOP_ITEMS = 3
#: Closed questions of a consultation shown in its headline.
TOP_QUESTIONS = 5


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class WeightLine:
    rank: int | None
    code: str
    title: str
    #: Share of the whole (0 to 1); None when no source covered the priority.
    weight: float | None


@dataclass
class BoardWeights:
    board: Board
    version: int | None = None
    published_at: datetime | None = None
    #: "decided" (a partnership's signed-off decision) or "advisory" (a network's, or a set published
    #: before sign-off existed); "none": nothing published by the period's end.
    status: str = "none"
    #: The decision's details where they are recorded (who, when, the minute reference), else "".
    decision: str = ""
    lines: list[WeightLine] = field(default_factory=list)


@dataclass
class IndicatorLine:
    indicator: Indicator
    board: str
    priority: str
    owner: str
    #: (period, actual, target) in the report's period, oldest first.
    values: list[tuple[str, float, float | None]]
    #: The latest of them (None when the indicator has none in the period).
    latest: IndicatorValue | None
    #: How far better (positive) or worse than target the latest value is, as a fraction of the target.
    gap: float | None
    #: "better", "worse" or "same": the latest actual against the one before it, in the indicator's
    #: direction; None with fewer than two values.
    direction: str | None


@dataclass
class ActivityLine:
    """An exercise or a consultation with its headline results."""

    kind: str  # "pairwise", "budget", "ranking" or "consultation"
    title: str
    board: str
    organisation: str
    status: str
    #: Responses made in the report's period, by channel value, and in all.
    in_period: dict[str, int]
    total: int
    #: [(what, figure as shown)]: an exercise's top items, a consultation's top answer per question.
    headlines: list[tuple[str, str]]
    #: Too few people for headline results (they could give away one person's answer): the fewest needed.
    withheld_below: int | None = None
    #: The page only: a large exercise's results are being worked out in the background (no headlines yet),
    #: or the headlines are the last kept results, from this time, while newer answers are added.
    results_pending: bool = False
    results_from: datetime | None = None

    @property
    def responses_in_period(self) -> int:
        return sum(self.in_period.values())


@dataclass
class Report:
    #: "organisation" or "board"
    subject: str
    name: str
    period: Period
    made_at: datetime
    boards: list[BoardWeights]
    indicators: list[IndicatorLine]
    activities: list[ActivityLine]
    #: Responses made in the period, by channel value (online, workshop, paper), every exercise and
    #: consultation of the report together.
    participation: dict[str, int]
    #: Period labels the report could not date (kept in, and listed so readers know).
    undated_periods: list[str] = field(default_factory=list)

    @property
    def participants(self) -> int:
        return sum(self.participation.values())

    @property
    def slug(self) -> str:
        """For file names: lower-case letters, digits and hyphens."""
        words = "".join(c.lower() if c.isalnum() else " " for c in self.name).split()
        return "-".join(words)[:60] or "report"


# -- weights --------------------------------------------------------------------------------------------


def publication_status(weight_set: WeightSet) -> tuple[str, str]:
    """("decided" | "advisory", the decision's details): the standing the weights, the API and the public
    board page give (engage.weights: a partnership's set is a decision once its accountable member signed
    it off; a network's, or one published before sign-off existed, is advice)."""
    decision = weight_set.decision
    standing = weight_set.standing
    if standing is None or decision is None or decision.decided_at is None:
        return (standing.value if standing else "advisory"), ""
    who = decision.decided_by_name + (f" ({decision.decided_by_title})" if decision.decided_by_title else "")
    details = [decision.decided_at.date().isoformat(), who, decision.minute_reference]
    return standing.value, ", ".join(part for part in details if part)


def board_weights(board: Board, period: Period) -> BoardWeights:
    """The board's newest version published by the end of the period (withdrawn ones left out)."""
    weight_set = db.session.scalars(
        select(WeightSet)
        .where(
            WeightSet.board_id == board.id,
            WeightSet.status == WeightSetStatus.PUBLISHED,
            WeightSet.published_at < end_of_day(period.end),
        )
        .order_by(WeightSet.version.desc())
        .limit(1)
    ).first()
    result = BoardWeights(board)
    if weight_set is None:
        return result
    result.version, result.published_at = weight_set.version, weight_set.published_at
    result.status, result.decision = publication_status(weight_set)
    result.lines = [
        WeightLine(e.rank, e.priority_code, e.priority_title, e.weight) for e in weight_set.entries
    ]
    return result


# -- indicators -----------------------------------------------------------------------------------------


def _direction(indicator: Indicator, values: Sequence[tuple[str, float, float | None]]) -> str | None:
    if len(values) < 2:
        return None
    change = values[-1][1] - values[-2][1]
    if change == 0:
        return "same"
    better = change > 0 if indicator.polarity is Polarity.HIGHER else change < 0
    return "better" if better else "worse"


def indicator_lines(indicators: Sequence[Indicator], period: Period) -> tuple[list[IndicatorLine], list[str]]:
    """Each indicator's values in the period (one query), its latest against target and its direction; and
    the period labels that could not be dated."""
    held: dict[int, list[IndicatorValue]] = {i.id: [] for i in indicators}
    undated: set[str] = set()
    if indicators:
        for value in db.session.scalars(
            select(IndicatorValue)
            .where(IndicatorValue.indicator_id.in_(list(held)))
            .order_by(IndicatorValue.period)
        ):
            if overlaps(value.period, period.start, period.end):
                held[value.indicator_id].append(value)
                if period_dates(value.period) is None:
                    undated.add(value.period)
    lines = []
    for indicator in indicators:
        values = held[indicator.id]
        latest = values[-1] if values else None
        figures = [(v.period, v.actual, v.target) for v in values]
        lines.append(
            IndicatorLine(
                indicator,
                indicator.priority.board.short_code,
                f"{indicator.priority.code}: {indicator.priority.title}",
                indicator.owner.name if indicator.owner else "",
                figures,
                latest,
                target_gap(latest.actual, latest.target, indicator.polarity) if latest else None,
                _direction(indicator, figures),
            )
        )
    return lines, sorted(undated)


# -- exercises and consultations ------------------------------------------------------------------------


def _open_in(model: type[Exercise] | type[Consultation], period: Period):
    return (
        or_(model.opens_at.is_(None), model.opens_at < end_of_day(period.end)),
        or_(model.closes_at.is_(None), model.closes_at > start_of_day(period.start)),
    )


#: The fewest people an exercise's headline results are shown for: with fewer, the top items can give away
#: one person's answer (one budget response is that person's whole allocation). The results pages show no
#: interval below the same number.
HEADLINE_PEOPLE = 10


def headline_minimum() -> int:
    """People an exercise needs before a report shows its headline results (at least the small-cell size)."""
    return max(HEADLINE_PEOPLE, int(current_app.config.get("ENGAGE_SMALL_CELL", 5)))


def _exercise_headlines(outcome: PairwiseResults | BudgetResults | RankingResults) -> list[tuple[str, str]]:
    """The top items as the results pages rank them (point estimates; the intervals are on those pages)."""
    if isinstance(outcome, PairwiseResults):
        scored = sorted((s for s in outcome.items if s.rank is not None), key=lambda s: s.rank or 0)
        return [(s.item.title, f"{s.score:.0f} / 100") for s in scored[:TOP_ITEMS] if s.score is not None]
    if isinstance(outcome, BudgetResults):
        shares = sorted(outcome.items, key=lambda s: s.rank)
        return [(s.item.title, f"{s.mean:.0%} of the budget") for s in shares[:TOP_ITEMS]]
    ranks = sorted(outcome.items, key=lambda r: r.rank)
    return [(r.item.title, f"{r.score:.0f} / 100") for r in ranks[:TOP_ITEMS]]


def _exercise_results(exercise: Exercise, compute_all: bool) -> Shown[Any]:
    """The public page's results (kept between views): computed whatever it takes for a report's file (a
    job), and on the page only as a results page would (a large exercise's never in the request)."""
    if compute_all:
        return Shown(results_cache.results(exercise, breakdowns=False))
    return results_cache.for_page(exercise, breakdowns=False)


def _question_headline(result: QuestionResult) -> tuple[str, str] | None:
    """A closed question's most given answer (small counts stay hidden), as label and share."""
    label = result.question.label
    if result.question.kind is QuestionKind.IMPORTANCE and result.priorities:
        priority, _people, _mean, share = max(result.priorities, key=lambda p: p[3])
        return label, f"{getattr(priority, 'title', priority)}: {share:.0%} say important"
    if result.question.kind is QuestionKind.RANKING and result.ranks:
        first, mean_place, _share = result.ranks[0]
        return label, f"{first} (mean place {mean_place:.1f})"
    shown = [
        (answer, count, share)
        for k, (answer, count, share) in enumerate(result.counts)
        if count is not None and share is not None and not (result.hidden and result.hidden[k])
    ]
    if not shown or not result.answered:
        return None
    answer, _count, share = max(shown, key=lambda c: c[1])
    return label, f"{answer}: {share:.0%}"


def _consultation_headlines(consultation: Consultation) -> tuple[int, list[tuple[str, str]]]:
    results = published_results(consultation)
    headlines = []
    for result in results.questions:
        line = _question_headline(result)
        if line is not None:
            headlines.append(line)
        if len(headlines) == TOP_QUESTIONS:
            break
    return results.responses, headlines


def _per_channel(rows) -> dict[int, dict[str, int]]:
    counted: dict[int, dict[str, int]] = {}
    for owner_id, channel, n in rows:
        counted.setdefault(owner_id, {})[channel.value] = n
    return counted


def exercise_lines(
    exercises: Sequence[Exercise], period: Period, compute_all: bool = False
) -> list[ActivityLine]:
    """Each exercise's people in the period by channel (one query; excluded respondents left out), all its
    people, and its top items (see :func:`_exercise_results` for ``compute_all``)."""
    ids = [e.id for e in exercises]
    counting = Respondent.excluded_at.is_(None)
    in_period = _per_channel(
        db.session.execute(
            select(Respondent.exercise_id, Respondent.channel, func.count())
            .where(
                Respondent.exercise_id.in_(ids),
                counting,
                Respondent.created_at >= start_of_day(period.start),
                Respondent.created_at < end_of_day(period.end),
            )
            .group_by(Respondent.exercise_id, Respondent.channel)
        )
    )
    totals = dict(
        db.session.execute(
            select(Respondent.exercise_id, func.count())
            .where(Respondent.exercise_id.in_(ids), counting)
            .group_by(Respondent.exercise_id)
        ).all()
    )
    minimum = headline_minimum()
    lines = []
    for exercise in exercises:
        total = totals.get(exercise.id, 0)
        results = _exercise_results(exercise, compute_all) if total >= minimum else None
        outcome = results.value if results is not None else None
        lines.append(
            ActivityLine(
                exercise.kind.value,
                exercise.title,
                exercise.board.name,
                exercise.organisation.name,
                exercise.status.value,
                in_period.get(exercise.id, {}),
                total,
                _exercise_headlines(outcome) if outcome is not None else [],
                None if results is not None else minimum,
                results_pending=results is not None and outcome is None,
                results_from=results.computed_at if results is not None else None,
            )
        )
    return lines


def consultation_lines(consultations: Sequence[Consultation], period: Period) -> list[ActivityLine]:
    ids = [c.id for c in consultations]
    in_period = _per_channel(
        db.session.execute(
            select(ConsultationResponse.consultation_id, ConsultationResponse.channel, func.count())
            .where(
                ConsultationResponse.consultation_id.in_(ids),
                ConsultationResponse.submitted_at >= start_of_day(period.start),
                ConsultationResponse.submitted_at < end_of_day(period.end),
            )
            .group_by(ConsultationResponse.consultation_id, ConsultationResponse.channel)
        )
    )
    lines = []
    for consultation in consultations:
        total, headlines = _consultation_headlines(consultation)
        lines.append(
            ActivityLine(
                "consultation",
                consultation.title,
                consultation.board.name if consultation.board else "Whole partnership",
                consultation.organisation.name,
                consultation.status.value,
                in_period.get(consultation.id, {}),
                total,
                headlines,
            )
        )
    return lines


def _participation(activities: Sequence[ActivityLine]) -> dict[str, int]:
    counts: Counter = Counter()
    for line in activities:
        counts.update(line.in_period)
    return {channel.value: counts.get(channel.value, 0) for channel in Channel}


def _report(
    subject: str,
    name: str,
    period: Period,
    boards: Sequence[Board],
    indicators: Sequence[Indicator],
    exercises: Sequence[Exercise],
    consultations: Sequence[Consultation],
    compute_all: bool,
) -> Report:
    lines, undated = indicator_lines(indicators, period)
    activities = exercise_lines(exercises, period, compute_all) + consultation_lines(consultations, period)
    return Report(
        subject,
        name,
        period,
        utcnow(),
        [board_weights(board, period) for board in boards],
        lines,
        activities,
        _participation(activities),
        undated,
    )


def _held(model: type[Exercise] | type[Consultation], column: str, key: int, period: Period) -> list:
    """Exercises (or consultations) whose ``column`` is ``key``, open in the period (no drafts)."""
    draft = ExerciseStatus.DRAFT if model is Exercise else ConsultationStatus.DRAFT
    return list(
        db.session.scalars(
            select(model)
            .where(getattr(model, column) == key, model.status != draft, *_open_in(model, period))
            .order_by(model.id)
        )
    )


def organisation_report(organisation: Organisation, period: Period, compute_all: bool = False) -> Report:
    """The boards the organisation sits on, the indicators it owns, and its exercises and consultations.
    ``compute_all``: every exercise's results computed whatever it takes (a report's file, made by a job);
    otherwise a large exercise's are those kept, or marked as being worked out (the page)."""
    boards = list(organisation.boards)
    indicators = [
        indicator
        for board in boards
        for indicator in board_indicators(board)
        if indicator.owner_organisation_id == organisation.id
    ]
    exercises = _held(Exercise, "organisation_id", organisation.id, period)
    consultations = _held(Consultation, "organisation_id", organisation.id, period)
    return _report(
        "organisation", organisation.name, period, boards, indicators, exercises, consultations, compute_all
    )


def board_pack(board: Board, period: Period, compute_all: bool = False) -> Report:
    """For the board's meeting: its weights, every indicator on it, and its exercises and consultations
    (``compute_all`` as for :func:`organisation_report`)."""
    exercises = _held(Exercise, "board_id", board.id, period)
    consultations = _held(Consultation, "board_id", board.id, period)
    indicators = board_indicators(board)
    return _report("board", board.name, period, [board], indicators, exercises, consultations, compute_all)
