"""Each way an exercise's results are computed, kept between views (engage/jobs/cache.py): with breakdowns
(the officers' page) and without (the public page, the results downloads, the comparison after answering,
the pairwise finish page's standings and the reports' headlines, which all read the same kept copy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engage.jobs.cache import Shown, exercise_results, shown_results
from engage.prioritise.budget.results import BudgetResults, budget_results
from engage.prioritise.models import Exercise, ExerciseKind
from engage.prioritise.pairwise.results import PairwiseResults, pairwise_results
from engage.prioritise.ranking.results import RankingResults, ranking_results


def _computation(exercise: Exercise, breakdowns: bool) -> tuple[str, Callable[[], Any]]:
    """The kept results' name (one per way of computing) and how to compute them."""
    detail = "breakdowns" if breakdowns else "plain"
    if exercise.kind is ExerciseKind.PAIRWISE:
        return f"pairwise-{detail}", lambda: pairwise_results(exercise, breakdowns=breakdowns)
    if exercise.kind is ExerciseKind.BUDGET:
        return f"budget-{detail}-intervals", lambda: budget_results(exercise, breakdowns=breakdowns)
    return f"ranking-{detail}-intervals", lambda: ranking_results(exercise, breakdowns=breakdowns)


def results(exercise: Exercise, breakdowns: bool = True) -> Any:
    """The exercise's results, kept or computed now whatever it takes (a job, a command, a test)."""
    name, compute = _computation(exercise, breakdowns)
    return exercise_results(exercise, name, compute)


def budget(exercise: Exercise, breakdowns: bool = True) -> BudgetResults:
    assert exercise.kind is ExerciseKind.BUDGET
    return results(exercise, breakdowns)


def ranking(exercise: Exercise, breakdowns: bool = True) -> RankingResults:
    assert exercise.kind is ExerciseKind.RANKING
    return results(exercise, breakdowns)


def pairwise(exercise: Exercise, breakdowns: bool = True) -> PairwiseResults:
    assert exercise.kind is ExerciseKind.PAIRWISE
    return results(exercise, breakdowns)


def for_page(exercise: Exercise, breakdowns: bool) -> Shown[Any]:
    """What a request shows: the officers' page (with breakdowns), or the results without them (the public
    page, downloads, the comparison after answering, the finish page, the reports page), never computed in
    the request when the exercise is large (engage/jobs/cache.py, :func:`shown_results`)."""
    name, compute = _computation(exercise, breakdowns)
    return shown_results(exercise, name, compute)


def warm(exercise: Exercise) -> None:
    """Compute again what the pages show (the refresh job after answers arrive)."""
    results(exercise, breakdowns=True)
    results(exercise, breakdowns=False)
