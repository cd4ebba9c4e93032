"""Rankings: residents order the priorities (all of them, or only their top N).

A ranking is broken into pairwise wins (each ranked item beats every item ranked below it and every item
left unranked), so the Bradley-Terry machinery gives the same 0-100 "beats a random other" score as a
pairwise exercise; intervals come from the bootstrap over respondents, which keeps one person's pairs
together. This full rank-breaking is a pseudo-likelihood approximation to the Plackett-Luce model: it orders
items the same way, and its intervals stay honest because people, not pairs, are resampled.

Two forms of the same data: a list of rankings (item indices, best first) or a respondents x items matrix of
places (1 = first, NaN = not ranked). The work is done on the matrix, one vectorised step per pair of items,
so 100,000 rankings cost no Python loop per person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Fewer respondents than this (effective, when weighted) and a ranking's scores have no interval ("too few
#: responses for an interval"). Higher than budget shares' and pairwise scores' 10: the simulation study
#: (docs/validation.md) found no interval that holds for every item of a top-3 ranking at 10 respondents
#: (the item most people leave unranked was covered about 91% of the time by the symmetric log-odds
#: interval and by the expanded percentile one alike), while the expanded percentile interval holds every
#: item at 15 and 20.
MIN_INTERVAL_RESPONDENTS = 15


def rankings_to_places(rankings: Sequence[Sequence[int]], n_items: int) -> NDArray[np.float64]:
    """The places matrix of a list of rankings; refuses an item twice in a ranking or out of range."""
    places = np.full((len(rankings), n_items), np.nan)
    for person, ranking in enumerate(rankings):
        if len(set(ranking)) != len(ranking):
            raise ValueError("an item appears twice in one ranking")
        if any(not 0 <= item < n_items for item in ranking):
            raise ValueError("item index out of range")
        places[person, list(ranking)] = np.arange(1, len(ranking) + 1)
    return places


def _as_places(rankings_or_places, n_items: int) -> NDArray[np.float64]:
    if isinstance(rankings_or_places, np.ndarray) and rankings_or_places.ndim == 2:
        return rankings_or_places.astype(np.float64, copy=False)
    return rankings_to_places(rankings_or_places, n_items)


def places_to_pairs(places: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """(winners, losers, respondent) for every pair a places matrix implies: a ranked item beats each item
    placed below it and each unranked one; two unranked items are not compared."""
    places = np.asarray(places, dtype=np.float64)
    n = places.shape[1]
    ordered = np.where(np.isnan(places), np.inf, places)
    winners, losers, people = [], [], []
    for i in range(n):
        for j in range(i + 1, n):
            for a, b in ((i, j), (j, i)):
                wins = np.flatnonzero(ordered[:, a] < ordered[:, b])
                winners.append(np.full(wins.size, a))
                losers.append(np.full(wins.size, b))
                people.append(wins)
    if not winners:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    people_all = np.concatenate(people)
    order = np.argsort(people_all, kind="stable")  # one person's pairs together, people in order
    return (
        np.concatenate(winners).astype(np.int64)[order],
        np.concatenate(losers).astype(np.int64)[order],
        people_all.astype(np.int64)[order],
    )


def rankings_to_pairs(
    rankings: Sequence[Sequence[int]], n_items: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """(winners, losers, respondent) for every pair implied by each ranking, best first."""
    return places_to_pairs(rankings_to_places(rankings, n_items))


def borda_points(rankings, n_items: int, weights: ArrayLike | None = None) -> NDArray[np.float64]:
    """Mean Borda points per item: n-1 for first place, down to 0; unranked items share what is left.

    With a top-N ranking the unranked items each get the mean of the points not handed out, so a partial
    ranking neither rewards nor punishes the items it leaves out relative to one another. Takes a list of
    rankings or a places matrix; ``weights`` (one per ranking) give a weighted mean.
    """
    places = _as_places(rankings, n_items)
    if len(places) == 0:
        return np.zeros(n_items)
    ranked = (~np.isnan(places)).sum(axis=1, keepdims=True)
    leftover = np.maximum(n_items - ranked - 1, 0) / 2  # the mean of 0 .. n-k-1
    points = np.where(np.isnan(places), leftover, n_items - places)
    w = np.ones(len(places)) if weights is None else np.asarray(weights, dtype=np.float64)
    return (w @ points) / w.sum()


def rank_summary(
    rankings, n_items: int, weights: ArrayLike | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(mean place among those who ranked the item, NaN if nobody did; share of rankings that put it first).
    Takes a list of rankings or a places matrix; ``weights`` (one per ranking) give weighted means."""
    places = _as_places(rankings, n_items)
    w = np.ones(len(places)) if weights is None else np.asarray(weights, dtype=np.float64)
    ranked = ~np.isnan(places)
    counted = w @ ranked
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rank = np.where(
            counted > 0, (w @ np.where(ranked, places, 0.0)) / np.maximum(counted, 1e-300), np.nan
        )
    first = (w @ (places == 1)) / max(w.sum(), 1e-300) if len(places) else np.zeros(n_items)
    return mean_rank, first
