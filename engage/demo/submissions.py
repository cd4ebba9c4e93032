"""Synthetic budget allocations and rankings for the demo, valid by the exercise's own rules.

An allocation starts from each item's current budget and moves money one step at a time, from items the
person cares less about to ones they care more about, never below an item's least or above its most; where
the total may move, some people raise or lower it within the allowed range.
A ranking orders the items by made-up strengths plus Gumbel noise, which draws it from a Plackett-Luce
model with those strengths.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from engage.database import utcnow
from engage.demo.votes import insert_rows, inserted_ids, synthetic_person, write_people
from engage.prioritise.budget.rules import check_allocation
from engage.prioritise.models import Exercise, ExerciseKind, Submission, SubmissionEntry


def _allocation(exercise: Exercise, rng: np.random.Generator, strengths: np.ndarray) -> dict[int, int]:
    items = exercise.active_items
    amounts = {item.id: item.current_amount or item.minimum or 0 for item in items}
    taste = strengths + rng.normal(0, 0.7, len(items))
    for _ in range(int(rng.integers(2, 12))):
        giver, taker = rng.choice(len(items), 2, replace=False, p=None)
        if taste[giver] > taste[taker]:
            giver, taker = taker, giver
        step = max(items[giver].step, items[taker].step)
        floor = items[giver].minimum or 0
        ceiling = items[taker].maximum
        if amounts[items[giver].id] - step < floor:
            continue
        if ceiling is not None and amounts[items[taker].id] + step > ceiling:
            continue
        amounts[items[giver].id] -= step
        amounts[items[taker].id] += step
    if exercise.total_min is not None and exercise.total_max is not None and rng.random() < 0.3:
        # Some people would raise or lower the total: through their favourite or least favourite item.
        favourite, least = items[int(np.argmax(taste))], items[int(np.argmin(taste))]
        for _ in range(int(rng.integers(1, 4))):
            total = sum(amounts.values())
            if rng.random() < 0.5 and total + favourite.step <= exercise.total_max:
                if favourite.maximum is None or amounts[favourite.id] + favourite.step <= favourite.maximum:
                    amounts[favourite.id] += favourite.step
            elif total - least.step >= exercise.total_min and amounts[least.id] - least.step >= (
                least.minimum or 0
            ):
                amounts[least.id] -= least.step
    return amounts


def _ranking(exercise: Exercise, rng: np.random.Generator, strengths: np.ndarray) -> dict[int, int]:
    items = exercise.active_items
    noisy = strengths + rng.gumbel(size=len(items))
    order = np.argsort(-noisy)[: exercise.ranked_places]
    return {items[k].id: place for place, k in enumerate(order, start=1)}


def add_synthetic_submissions(exercise: Exercise, respondents: int = 300, seed: int = 2026) -> int:
    """Add ``respondents`` made-up people's allocations or rankings; returns how many were written."""
    rng = np.random.default_rng(seed)
    strengths = rng.normal(0, 0.8, len(exercise.active_items))
    make = _allocation if exercise.kind is ExerciseKind.BUDGET else _ranking
    now = utcnow()
    people, submissions = [], []
    for person in range(respondents):
        values = make(exercise, rng, strengths)
        if exercise.kind is ExerciseKind.BUDGET and check_allocation(exercise, values):
            continue  # cannot happen with the moves above; never store what the rules refuse
        people.append(synthetic_person(rng))
        submissions.append(
            (
                {
                    "exercise_id": exercise.id,
                    "channel": people[-1].channel,
                    "locale": "cy" if person % 12 == 0 else "en",
                    "created_at": now - timedelta(days=float(rng.uniform(0, 14))),
                    "idempotency_key": f"demo-{person}",
                },
                values,
            )
        )
    # In bulk, as the votes are: a few statements for the 300 people, not a flush for each.
    respondent_ids = write_people(exercise, people)
    rows = [row | {"respondent_id": id_} for (row, _), id_ in zip(submissions, respondent_ids, strict=True)]
    submission_ids = inserted_ids(Submission, rows)
    entries = [
        {"submission_id": id_, "item_id": item_id, "value": value}
        for id_, (_, values) in zip(submission_ids, submissions, strict=True)
        for item_id, value in values.items()
    ]
    insert_rows(SubmissionEntry, entries)
    return len(rows)
