"""Blend several sources into one weight per priority, so that each source's stated share is its influence.

The method (docs/weights.md says it in plain words):

1. **A common scale.** Every source estimates, for each pair of priorities it covers, the chance that a
   resident prefers one to the other. Pairwise and ranking sources: a Bradley-Terry model, where a priority's
   log-strength is the mean of its items' log-strengths (so splitting an item into two equally liked items
   changes nothing). Budget and importance-grid sources: the share of respondents who gave one priority more
   than the other (a tie counts half), so only the order within each person's answers counts and recoding a
   rating scale (1-5 or 0-4, or any other order-keeping relabelling) changes nothing. Each source's
   *log-strengths* are the least-squares fit to the log-odds of those chances (for Bradley-Terry, exactly
   its log-strengths).
2. **Standardise.** Each source's log-strengths are centred on the priorities it covers and divided by their
   standard deviation, so every source has the same spread before blending.
3. **Blend.** A priority's blended standardised strength is the share-weighted mean of the sources that
   cover it; it is scaled back to log-strengths by the share-weighted mean of the sources' spreads. With every
   source covering every priority, source s's part of the blended log-strengths has a spread of exactly
   share_s x the total: its stated share is its influence (:func:`source_influence` measures it).
4. **Weight.** A priority's weight is the chance it is preferred to another priority chosen at random under
   the blended log-strengths, divided by the total of those chances, so the weights add up to 1.

A source covering a single priority cannot say how important it is compared with anything: it is refused
(:class:`BlendError`).

Intervals: Bayesian-bootstrap replicates of every source, blended replicate by replicate. The bootstrap is
over people across all the sources together: :class:`PersonDraws` gives a person the same random weight in
every source they answered, wherever the sources can tell it is the same person (two importance grids of one
consultation share its responses). Where they cannot (a respondent's identity is deliberately not linkable
across exercises and consultations), the people are assumed to be different. The interval is made on the
log-odds scale of each priority's "chance preferred to a random other" (the weight times half the number of
priorities), from the replicates' spread, with Student's t whose degrees of freedom combine the sources'
respondents (Welch-Satterthwaite) and the Bayesian bootstrap's sqrt((n + 1) / (n - 1)) per source: the
percentile interval it replaces covered 84-91% with 10 to 50 respondents per source (docs/validation.md).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse, stats
from scipy.special import expit, logit

from engage.stats.pairwise import DEFAULT_ALPHA, fit_bradley_terry

#: An indifferent pseudo-respondent added to every pair of a budget or grid source (half a "prefers" each
#: way), so a unanimous pair has finite log-odds: with n respondents all agreeing, the chance is
#: (n + 0.5) / (n + 1).
PSEUDO_RESPONDENTS = 1.0

#: People per block when building the preference counts (bounds the memory: block x priorities^2).
_BLOCK = 512


class BlendError(ValueError):
    """Sources that cannot be blended (e.g. a source covering a single priority)."""


@dataclass(frozen=True)
class SourceStrengths:
    """One source on the common scale: ``point`` has one log-strength per priority (NaN where the source does
    not cover it); ``samples`` is replicates x priorities with NaN in the same columns; ``evidence`` counts,
    per priority, the respondents who said something about it."""

    point: NDArray[np.float64]
    samples: NDArray[np.float64]
    evidence: NDArray[np.int64]
    #: The (effective) number of respondents behind the replicates, for the interval's degrees of freedom;
    #: infinite for a source given without one (no small-sample correction).
    people: float = math.inf

    @property
    def covered(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.point)

    def without(self, drop: ArrayLike) -> SourceStrengths:
        """The same source with the priorities in the boolean mask ``drop`` left out."""
        drop = np.asarray(drop, dtype=bool)
        point, samples = self.point.copy(), self.samples.copy()
        point[drop] = np.nan
        samples[:, drop] = np.nan
        return SourceStrengths(point, samples, np.where(drop, 0, self.evidence), self.people)


@dataclass(frozen=True)
class Blend:
    #: One weight per priority (NaN where no source covers it); the others sum to 1.
    weight: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    #: 1 for the most important; 0 where there is no weight.
    rank: NDArray[np.int64]
    #: The blended replicates (replicates x priorities).
    samples: NDArray[np.float64]
    #: Each source's measured share of the spread of the blended log-strengths (adds up to 1).
    influence: NDArray[np.float64]


def _nanmean(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean over the non-NaN entries of the last axis (NaN, without a warning, where there are none)."""
    known = ~np.isnan(values)
    count = known.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.where(known, values, 0.0).sum(axis=-1, keepdims=True) / count, np.nan)


def _centre(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Subtract the mean over the non-NaN entries of the last axis."""
    return values - _nanmean(values)


def priority_log_strengths(
    item_log_strengths: ArrayLike, groups: Sequence[int | None], n_priorities: int
) -> NDArray[np.float64]:
    """Items' log-strengths (last axis) as priorities' log-strengths: the mean over each priority's items
    (``groups[k]`` is item k's priority, None to leave it out), centred over the covered priorities; NaN for a
    priority with no item. Two equally liked items on one priority give it the strength of one."""
    values = np.asarray(item_log_strengths, dtype=np.float64)
    total = np.zeros(values.shape[:-1] + (n_priorities,))
    count = np.zeros(n_priorities)
    for column, group in enumerate(groups):
        if group is not None:
            total[..., group] += values[..., column]
            count[group] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    return _centre(mean)


def pool_columns(values: ArrayLike, groups: Sequence[int | None], n_groups: int) -> NDArray[np.float64]:
    """Add up columns that belong to the same group (e.g. a person's budget for two items of one priority):
    column k goes to group ``groups[k]``; None drops it. A group with no column, or whose columns are all
    NaN in a row, is NaN there."""
    values = np.asarray(values, dtype=np.float64)
    pooled = np.zeros(values.shape[:-1] + (n_groups,))
    present = np.zeros(values.shape[:-1] + (n_groups,), dtype=bool)
    for column, group in enumerate(groups):
        if group is not None:
            cell = values[..., column]
            pooled[..., group] += np.nan_to_num(cell)
            present[..., group] |= ~np.isnan(cell)
    pooled[~present] = np.nan
    return pooled


def preference_chances(values: ArrayLike, person_weights: ArrayLike | None = None) -> NDArray[np.float64]:
    """From people x priorities answers (NaN = not answered; larger = more important), the chance that a
    respondent prefers the row priority to the column priority: the weighted share of those who answered both
    that gave the row more, a tie counting half, plus :data:`PSEUDO_RESPONDENTS` indifferent people. NaN where
    nobody answered both. ``person_weights`` is one weight per person, or replicates x people (the result then
    has a leading replicate axis)."""
    values = np.asarray(values, dtype=np.float64)
    n_people, n = values.shape
    weights = np.ones(n_people) if person_weights is None else np.asarray(person_weights, dtype=np.float64)
    single = weights.ndim == 1
    weights = np.atleast_2d(weights)
    wins = np.zeros((len(weights), n * n))
    both = np.zeros((len(weights), n * n))
    for start in range(0, n_people, _BLOCK):
        block = values[start : start + _BLOCK]
        row, column = block[:, :, None], block[:, None, :]
        answered = ~np.isnan(row) & ~np.isnan(column)
        score = np.where(answered, (row > column) + 0.5 * (row == column), 0.0)
        w = weights[:, start : start + _BLOCK]
        wins += w @ score.reshape(len(block), n * n)
        both += w @ answered.reshape(len(block), n * n).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        chances = np.where(
            both > 0, (wins + 0.5 * PSEUDO_RESPONDENTS) / (both + PSEUDO_RESPONDENTS), np.nan
        ).reshape(len(weights), n, n)
    return chances[0] if single else chances


def strengths_from_chances(chances: ArrayLike) -> NDArray[np.float64]:
    """Log-strengths (last axis over priorities) fitted by least squares to the log-odds of pairwise chances
    (..., n, n): the mean log-odds of each priority against every covered priority including itself, centred.
    Exact for a complete matrix; a priority with no chance against any other is NaN."""
    chances = np.asarray(chances, dtype=np.float64)
    odds = logit(np.clip(chances, 1e-12, 1 - 1e-12))
    known = ~np.isnan(chances)
    with np.errstate(invalid="ignore", divide="ignore"):
        strength = np.where(known, odds, 0.0).sum(axis=-1) / known.sum(axis=-1)
    others = known.sum(axis=-1) - np.diagonal(known, axis1=-2, axis2=-1)
    return _centre(np.where(others > 0, strength, np.nan))


def _exponential_draws(n_resamples: int, n_people: int, seed: int | None) -> NDArray[np.float64]:
    """Bayesian-bootstrap weights: a standard exponential weight per person per replicate."""
    return np.random.default_rng(seed).standard_exponential((n_resamples, n_people))


@dataclass
class PersonDraws:
    """One Bayesian bootstrap over people across several sources: each person, named by a key, gets one
    standard exponential weight per replicate, the same in every source that names them, so the replicates of
    sources that share people move together as the people do. Keys never seen before get fresh weights (in
    the order they are first asked for, so the draws depend only on the seed and the order of the sources)."""

    n_resamples: int
    seed: int | None = 0
    _columns: dict[Hashable, int] = field(default_factory=dict)
    _blocks: list[NDArray[np.float64]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)

    def __len__(self) -> int:
        """How many different people have been named."""
        return len(self._columns)

    def for_people(self, keys: Sequence[Hashable]) -> NDArray[np.float64]:
        """Replicates x people weights for the people ``keys`` (one key per person, in order)."""
        new = [key for key in dict.fromkeys(keys) if key not in self._columns]
        if new:
            start = len(self._columns)
            self._columns.update({key: start + k for k, key in enumerate(new)})
            self._blocks.append(self._rng.standard_exponential((self.n_resamples, len(new))))
            self._blocks = [np.hstack(self._blocks)]
        table = self._blocks[0] if self._blocks else np.zeros((self.n_resamples, 0))
        return table[:, [self._columns[key] for key in keys]]


def _effective_people(weights: NDArray[np.float64]) -> float:
    """Kish's effective number of people with these (population) weights."""
    return float(weights.sum() ** 2 / np.sum(weights**2)) if weights.size and np.any(weights) else 0.0


def _bootstrap_weights(
    draws: ArrayLike | None, n_resamples: int, n_people: int, seed: int | None
) -> NDArray[np.float64]:
    if draws is None:
        return _exponential_draws(n_resamples, n_people, seed)
    draws = np.asarray(draws, dtype=np.float64)
    if draws.shape != (n_resamples, n_people):
        raise ValueError("draws must be replicates x people")
    return draws


def rating_strengths(
    values: ArrayLike,
    weights: ArrayLike | None = None,
    n_resamples: int = 200,
    seed: int | None = 0,
    draws: ArrayLike | None = None,
) -> SourceStrengths:
    """A budget or importance-grid source on the common scale: people x priorities answers (NaN where a person
    did not answer about a priority), an optional weight per person (population weighting, mean 1), and
    Bayesian-bootstrap replicates over people (``draws``, replicates x people, from :class:`PersonDraws` when
    people are shared with other sources; else drawn from ``seed``)."""
    values = np.asarray(values, dtype=np.float64)
    n_people, n = values.shape
    w = np.ones(n_people) if weights is None else np.asarray(weights, dtype=np.float64)
    if n_people and w.sum() > 0:
        w = w * (n_people / w.sum())  # so the pseudo-respondent counts as one person against n
    evidence = (~np.isnan(values)).sum(axis=0).astype(np.int64)
    point = strengths_from_chances(preference_chances(values, w))
    people = _effective_people(w)
    if n_people == 0 or n_resamples == 0:
        return SourceStrengths(point, np.tile(point, (n_resamples, 1)), evidence, people)
    replicate = _bootstrap_weights(draws, n_resamples, n_people, seed) * w
    return SourceStrengths(
        point, strengths_from_chances(preference_chances(values, replicate)), evidence, people
    )


def bradley_terry_strengths(
    winners: ArrayLike,
    losers: ArrayLike,
    people: ArrayLike,
    n_items: int,
    groups: Sequence[int | None],
    n_priorities: int,
    weights: ArrayLike | None = None,
    n_resamples: int = 200,
    seed: int | None = 0,
    alpha: float = DEFAULT_ALPHA,
    draws: ArrayLike | None = None,
) -> SourceStrengths:
    """A pairwise or ranking source on the common scale: votes (item positions; ``people`` numbers each vote's
    respondent 0..R-1), each item's priority in ``groups``. Each person's votes carry the same total weight
    (times their population weight, when given), so a resident who votes 100 times counts as one; the
    replicates are a Bayesian bootstrap over people (``draws`` as for :func:`rating_strengths`), each
    refitted."""
    winners = np.asarray(winners, dtype=np.int64)
    losers = np.asarray(losers, dtype=np.int64)
    people = np.asarray(people, dtype=np.int64)
    n_people = max(
        int(people.max()) + 1 if people.size else 0,
        0 if weights is None else np.shape(weights)[0],
        0 if draws is None else np.shape(draws)[1],
    )
    person_weight = np.ones(n_people) if weights is None else np.asarray(weights, dtype=np.float64)
    per_person = np.bincount(people, minlength=n_people).astype(np.float64)
    # Each vote weighs 1/(that person's votes), scaled so the total stays the number of votes (the prior's
    # strength relative to the data is then as in the results pages).
    scale = len(winners) / max(n_people, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vote_share = np.where(per_person > 0, scale / per_person, 0.0)
    cells = winners * n_items + losers
    to_cells = sparse.csr_matrix(
        (vote_share[people], (cells, people)), shape=(n_items * n_items, max(n_people, 1))
    )
    to_cells.sum_duplicates()

    item_of = np.zeros(n_items, dtype=bool)
    item_of[winners] = True
    item_of[losers] = True
    evidence = np.zeros(n_priorities, dtype=np.int64)
    for priority in range(n_priorities):
        items = [k for k, g in enumerate(groups) if g == priority]
        involved = np.isin(winners, items) | np.isin(losers, items)
        evidence[priority] = len(np.unique(people[involved]))

    def fit(person: NDArray[np.float64], initial=None) -> NDArray[np.float64]:
        wins = (to_cells @ person).reshape(n_items, n_items)
        return fit_bradley_terry(
            wins, alpha=alpha, initial=initial, tol=1e-6 if initial is not None else 1e-9
        )

    # Items nobody voted on say nothing: they are left out (their priority, if it has no other item, is NaN).
    voted = [g if item_of[k] else None for k, g in enumerate(groups)]
    item_point = fit(person_weight) if n_people else np.zeros(n_items)
    point = priority_log_strengths(item_point, voted, n_priorities)
    respondents = _effective_people(person_weight[per_person > 0])
    if n_people == 0 or n_resamples == 0:
        return SourceStrengths(point, np.tile(point, (n_resamples, 1)), evidence, respondents)
    replicate = _bootstrap_weights(draws, n_resamples, n_people, seed) * person_weight
    refits = np.array([fit(draw, initial=item_point) for draw in replicate])
    return SourceStrengths(point, priority_log_strengths(refits, voted, n_priorities), evidence, respondents)


def _standardise(stacked: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per source (and replicate): centred log-strengths over the covered priorities divided by their
    standard deviation (all zero when the source rates every priority the same), and that deviation."""
    centred = _centre(stacked)
    spread = np.sqrt(_nanmean(centred**2))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(spread > 1e-12, centred / spread, 0.0)
    return np.where(np.isnan(stacked), np.nan, z), spread


def _blended_strengths(
    stacked: NDArray[np.float64], shares: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sources x ... x priorities log-strengths -> the blended log-strengths (... x priorities) and each
    source's additive part of them (sources x ... x priorities, 0 where it does not cover)."""
    z, spread = _standardise(stacked)
    covered = ~np.isnan(stacked)
    b = shares.reshape((-1,) + (1,) * (stacked.ndim - 1))
    denominator = (covered * b).sum(axis=0)
    total_spread = (b * spread).sum(axis=0)  # ... x 1
    with np.errstate(invalid="ignore", divide="ignore"):
        parts = np.where(
            covered & (denominator > 0), np.where(covered, b * z, 0.0) * total_spread / denominator, 0.0
        )
    blended = np.where(denominator > 0, parts.sum(axis=0), np.nan)
    return blended, parts


def beat_random_weights(log_strengths: ArrayLike) -> NDArray[np.float64]:
    """The chance each priority is preferred to another (non-NaN) priority chosen at random, divided by the
    total of those chances (which is half the number of priorities); NaN stays NaN. One priority alone: 1."""
    s = np.asarray(log_strengths, dtype=np.float64)
    known = ~np.isnan(s)
    n = known.sum(axis=-1, keepdims=True)
    p = expit(s[..., :, None] - s[..., None, :])
    p = np.where(known[..., None, :], p, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        chance = np.where(n > 1, (p.sum(axis=-1) - 0.5) / (n - 1), 1.0)
        weight = chance / np.where(n > 1, n / 2, 1.0)
    return np.where(known, weight, np.nan)


def ranks(weight: ArrayLike) -> NDArray[np.int64]:
    """1 for the largest weight (ties keep the earlier priority first); 0 for NaN."""
    weight = np.asarray(weight, dtype=np.float64)
    order = np.argsort(np.where(np.isnan(weight), -np.inf, -weight), kind="stable")
    rank = np.zeros(len(weight), dtype=np.int64)
    valid = order[~np.isnan(weight[order])]
    rank[valid] = np.arange(1, len(valid) + 1)
    return rank


def _check(sources: Sequence[SourceStrengths], blend: ArrayLike) -> NDArray[np.float64]:
    shares = np.asarray(blend, dtype=np.float64)
    if not sources:
        raise BlendError("a blend needs at least one source")
    if len(shares) != len(sources):
        raise BlendError("one blend weight is needed per source")
    if np.any(shares <= 0) or not np.all(np.isfinite(shares)):
        raise BlendError("blend weights must be positive numbers")
    if len({len(s.point) for s in sources}) != 1 or len({len(s.samples) for s in sources}) != 1:
        raise BlendError("every source needs the same priorities and the same number of replicates")
    for k, source in enumerate(sources):
        if source.covered.sum() < 2:
            raise BlendError(
                f"source {k + 1} covers fewer than two priorities, so it cannot say which matters more"
            )
    return shares / shares.sum()


def source_influence(sources: Sequence[SourceStrengths], blend: ArrayLike) -> NDArray[np.float64]:
    """Each source's share of the spread of the blended log-strengths: the root mean square, over the
    priorities with a weight, of the source's additive part, as a share of the sum over sources. With every
    source covering every priority it equals the source's blend share exactly."""
    shares = _check(sources, blend)
    blended, parts = _blended_strengths(np.stack([s.point for s in sources]), shares)
    rms = np.sqrt(np.mean(parts[:, ~np.isnan(blended)] ** 2, axis=-1))
    return rms / rms.sum()


def _log_odds(weight: NDArray[np.float64]) -> NDArray[np.float64]:
    """A weight as the log-odds of its "chance preferred to a random other" (weight x priorities / 2)."""
    n = (~np.isnan(weight)).sum(axis=-1, keepdims=True)
    chance = np.clip(weight * n / 2, 1e-9, 1 - 1e-9)
    return np.log(chance / (1 - chance))


def bayesian_bootstrap_inflation(people: float) -> float:
    """What the variance of Bayesian-bootstrap replicates is multiplied by to give the usual unbiased variance
    of a mean of ``people`` independent people: (n + 1) / (n - 1); 1 for infinitely many.

    With exponential (Dirichlet after normalising) weights, the replicates of a mean vary by
    sum (x - mean)^2 / (n (n + 1)), where the unbiased variance of the mean is sum (x - mean)^2 / (n (n - 1)).
    (The ordinary bootstrap's factor is n / (n - 1); using it here left the blend's intervals about 5% too
    narrow at 10 respondents per source, docs/validation.md.)"""
    n = max(float(people), 2.0)
    return (n + 1) / (n - 1) if math.isfinite(n) else 1.0


def _interval(
    sources: Sequence[SourceStrengths],
    shares: NDArray[np.float64],
    weight: NDArray[np.float64],
    samples: NDArray[np.float64],
    level: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Limits on the log-odds scale: weight's log-odds -/+ t x the replicates' spread, the spread corrected
    by sqrt((n + 1) / (n - 1)) per source (:func:`bayesian_bootstrap_inflation`) and t's degrees of freedom
    by Welch-Satterthwaite, each source's part of the variance measured by blending its replicates with the
    other sources held at their points."""
    columns = ~np.isnan(weight)
    low, high = weight.copy(), weight.copy()
    if len(samples) < 2 or not columns.any():
        return low, high
    centre = _log_odds(weight)
    variance = _log_odds(samples).var(axis=0, ddof=1)
    points = np.stack([s.point for s in sources])
    parts, corrected, welch = np.zeros_like(weight), np.zeros_like(weight), np.zeros_like(weight)
    for k, source in enumerate(sources):
        alone = np.repeat(points[:, None, :], len(samples), axis=1)
        alone[k] = source.samples
        part = _log_odds(beat_random_weights(_blended_strengths(alone, shares)[0])).var(axis=0, ddof=1)
        n = max(source.people, 2.0)
        parts += part
        corrected += part * bayesian_bootstrap_inflation(n)
        welch += (part * bayesian_bootstrap_inflation(n)) ** 2 / (n - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        inflation = np.where(parts > 0, corrected / parts, 1.0)
        df = np.where(welch > 0, corrected**2 / welch, np.inf)
    spread = np.sqrt(variance * inflation)
    factor = stats.t.ppf(0.5 + level / 2, np.maximum(df, 1.0))
    n = columns.sum() / 2
    low[columns] = (expit(centre - factor * spread) / n)[columns]
    high[columns] = (expit(centre + factor * spread) / n)[columns]
    return low, high


def blend_sources(sources: Sequence[SourceStrengths], blend: ArrayLike, level: float = 0.95) -> Blend:
    """Blend sources with the given blend shares (positive; they are normalised). Intervals: see
    :func:`_interval`."""
    shares = _check(sources, blend)
    weight = beat_random_weights(_blended_strengths(np.stack([s.point for s in sources]), shares)[0])
    stacked = np.stack([s.samples for s in sources])  # sources x replicates x priorities
    samples = beat_random_weights(_blended_strengths(stacked, shares)[0]) if stacked.shape[1] else stacked[0]
    low, high = _interval(sources, shares, weight, samples, level)
    return Blend(weight, low, high, ranks(weight), samples, source_influence(sources, shares))


def rank_agreement(a: ArrayLike, b: ArrayLike) -> float | None:
    """Kendall's tau-b between two sets of weights over the priorities both have (None with fewer than 2)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    both = ~np.isnan(a) & ~np.isnan(b)
    if both.sum() < 2:
        return None
    tau = stats.kendalltau(a[both], b[both]).statistic
    return None if np.isnan(tau) else float(tau)
