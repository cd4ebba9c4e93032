"""Rankings: residents order the priorities (all of them, or only their top N).

A ranking is broken into pairwise wins (each ranked item beats every item ranked below it and every item
left unranked), so the Bradley-Terry machinery gives the same 0-100 "beats a random other" score as a
pairwise exercise; intervals come from the bootstrap over respondents, which keeps one person's pairs
together. This full rank-breaking is a pseudo-likelihood approximation to the Plackett-Luce model: it orders
items the same way, and its intervals stay honest because people, not pairs, are resampled.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def _check(rankings: Sequence[Sequence[int]], n_items: int) -> None:
    for ranking in rankings:
        if len(set(ranking)) != len(ranking):
            raise ValueError("an item appears twice in one ranking")
        if any(not 0 <= item < n_items for item in ranking):
            raise ValueError("item index out of range")


def rankings_to_pairs(
    rankings: Sequence[Sequence[int]], n_items: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """(winners, losers, respondent) for every pair implied by each ranking, best first."""
    _check(rankings, n_items)
    winners, losers, people = [], [], []
    everyone = np.arange(n_items)
    for person, ranking in enumerate(rankings):
        ranked = np.asarray(ranking, dtype=np.int64)
        unranked = np.setdiff1d(everyone, ranked)
        for position, item in enumerate(ranked):
            below = np.concatenate([ranked[position + 1 :], unranked])
            winners.append(np.full(below.size, item))
            losers.append(below)
            people.append(np.full(below.size, person))
    if not winners:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(winners), np.concatenate(losers), np.concatenate(people)


def borda_points(rankings: Sequence[Sequence[int]], n_items: int) -> NDArray[np.float64]:
    """Mean Borda points per item: n-1 for first place, down to 0; unranked items share what is left.

    With a top-N ranking the unranked items each get the mean of the points not handed out, so a partial
    ranking neither rewards nor punishes the items it leaves out relative to one another.
    """
    _check(rankings, n_items)
    if not rankings:
        return np.zeros(n_items)
    points = np.zeros((len(rankings), n_items))
    for person, ranking in enumerate(rankings):
        given = np.arange(n_items - 1, n_items - 1 - len(ranking), -1, dtype=np.float64)
        points[person, list(ranking)] = given
        left = n_items - len(ranking)
        if left:
            remaining = np.arange(left - 1, -1, -1, dtype=np.float64).mean()
            unranked = np.setdiff1d(np.arange(n_items), ranking)
            points[person, unranked] = remaining
    return points.mean(axis=0)


def rank_summary(
    rankings: Sequence[Sequence[int]], n_items: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(mean rank among those who ranked the item, NaN if nobody did; share of rankings that put it first)."""
    _check(rankings, n_items)
    rank_sum = np.zeros(n_items)
    rank_count = np.zeros(n_items)
    first = np.zeros(n_items)
    for ranking in rankings:
        for position, item in enumerate(ranking):
            rank_sum[item] += position + 1
            rank_count[item] += 1
        if ranking:
            first[ranking[0]] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rank = np.where(rank_count > 0, rank_sum / np.maximum(rank_count, 1), np.nan)
    return mean_rank, first / max(len(rankings), 1)
