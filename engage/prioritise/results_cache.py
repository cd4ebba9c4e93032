"""Each way an exercise's results are shown, kept between views (engage/jobs/cache.py): the officers' page
(with breakdowns), the public page, the comparison after answering, and the results downloads."""

from __future__ import annotations

from typing import Any

from engage.jobs.cache import Shown, exercise_results, shown_results
from engage.prioritise.budget.results import BudgetResults, budget_results
from engage.prioritise.models import Exercise, ExerciseKind
from engage.prioritise.pairwise.results import PairwiseResults, pairwise_results
from engage.prioritise.ranking.results import RankingResults, ranking_results


def _name(kind: str, breakdowns: bool, resamples: int | None) -> str:
    """One name per way of computing: with or without breakdowns, with or without intervals."""
    intervals = "no-intervals" if resamples == 0 else "intervals"
    return f"{kind}-{'breakdowns' if breakdowns else 'plain'}-{intervals}"


def budget(exercise: Exercise, breakdowns: bool = True, resamples: int | None = None) -> BudgetResults:
    """Budget results (``resamples=0``: shares without intervals, for the comparison after answering)."""
    name = _name("budget", breakdowns, resamples)
    extra = {} if resamples is None else {"resamples": resamples}
    return exercise_results(exercise, name, lambda: budget_results(exercise, breakdowns=breakdowns, **extra))


def ranking(exercise: Exercise, breakdowns: bool = True, resamples: int | None = None) -> RankingResults:
    name = _name("ranking", breakdowns, resamples)
    extra = {} if resamples is None else {"resamples": resamples}
    return exercise_results(exercise, name, lambda: ranking_results(exercise, breakdowns=breakdowns, **extra))


def _pairwise_name(breakdowns: bool) -> str:
    return f"pairwise-{'breakdowns' if breakdowns else 'plain'}"


def pairwise(exercise: Exercise, breakdowns: bool = True) -> PairwiseResults:
    name = _pairwise_name(breakdowns)
    return exercise_results(exercise, name, lambda: pairwise_results(exercise, breakdowns=breakdowns))


def for_page(exercise: Exercise, breakdowns: bool) -> Shown[Any]:
    """What the officers' (with breakdowns) or the public results page shows, never computed in the request
    when the exercise is large (engage/jobs/cache.py, :func:`shown_results`)."""
    if exercise.kind is ExerciseKind.PAIRWISE:
        name = _pairwise_name(breakdowns)
        return shown_results(exercise, name, lambda: pairwise_results(exercise, breakdowns=breakdowns))
    if exercise.kind is ExerciseKind.BUDGET:
        name = _name("budget", breakdowns, None)
        return shown_results(exercise, name, lambda: budget_results(exercise, breakdowns=breakdowns))
    name = _name("ranking", breakdowns, None)
    return shown_results(exercise, name, lambda: ranking_results(exercise, breakdowns=breakdowns))


def warm(exercise: Exercise) -> None:
    """Compute again what the officers' and public pages show (the refresh job after answers arrive)."""
    if exercise.kind is ExerciseKind.PAIRWISE:
        pairwise(exercise)
        pairwise(exercise, breakdowns=False)
    elif exercise.kind is ExerciseKind.BUDGET:
        budget(exercise)
        budget(exercise, breakdowns=False)
    else:
        ranking(exercise)
        ranking(exercise, breakdowns=False)
