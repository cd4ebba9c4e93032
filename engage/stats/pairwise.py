"""Pairwise comparisons: win matrices, Bradley-Terry fits, "beats a random other" scores and intervals.

Model: item i beats item j with probability sigmoid(s_i - s_j), where s are log-strengths. The fit works on
the aggregated win matrix, so its cost depends on the number of items, not the number of votes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg, sparse, stats
from scipy.sparse.csgraph import connected_components
from scipy.special import expit

from engage.stats.allocation import MIN_INTERVAL_RESPONDENTS

#: Prior precision on log-strengths: a N(0, 1/alpha) prior. Weak: 0.1 is a prior standard deviation of about
#: 3.2 on the log-odds scale, enough to keep an item with only wins finite, negligible once items have votes.
DEFAULT_ALPHA = 0.1


def win_matrix(
    winners: ArrayLike, losers: ArrayLike, n_items: int, weights: ArrayLike | None = None
) -> NDArray[np.float64]:
    """n x n matrix whose [i, j] entry is the (weighted) number of times item i beat item j."""
    winners = np.asarray(winners, dtype=np.int64)
    losers = np.asarray(losers, dtype=np.int64)
    if winners.shape != losers.shape:
        raise ValueError("winners and losers must have the same length")
    if winners.size and (min(winners.min(), losers.min()) < 0 or max(winners.max(), losers.max()) >= n_items):
        raise ValueError("item index out of range")
    if np.any(winners == losers):
        raise ValueError("an item cannot beat itself")
    flat = np.bincount(winners * n_items + losers, weights=weights, minlength=n_items * n_items)
    return flat.astype(np.float64).reshape(n_items, n_items)


def equal_voice(respondents: ArrayLike) -> NDArray[np.float64]:
    """A weight per vote that gives every respondent's votes the same total weight: the median number of
    votes per respondent, divided by this respondent's number of votes.

    So a resident who makes 100 choices counts as much as one who makes 10 (one person, one voice). Each
    person's votes add up to what a typical person's do, which keeps the prior's pull about what it is with
    plain counts; the median, not the mean, so that a few heavy voters do not change it either. Combine with
    population weights per respondent by multiplying.
    """
    respondents = np.asarray(respondents, dtype=np.int64)
    if respondents.size == 0:
        return np.ones(0)
    counts = np.bincount(respondents)
    typical = float(np.median(counts[counts > 0]))
    return typical / counts[respondents]


def simulate_votes(
    strengths: ArrayLike, n_votes: int, n_respondents: int, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Votes drawn from the Bradley-Terry model: random pairs, winners by ``strengths``, random respondents.

    For tests, benchmarks and demos: (winners, losers, respondents).
    """
    strengths = np.asarray(strengths, dtype=np.float64)
    n_items = strengths.size
    left = rng.integers(0, n_items, n_votes)
    right = (left + rng.integers(1, n_items, n_votes)) % n_items
    left_wins = rng.random(n_votes) < expit(strengths[left] - strengths[right])
    winners = np.where(left_wins, left, right)
    losers = np.where(left_wins, right, left)
    return winners, losers, rng.integers(0, n_respondents, n_votes)


def _check_ml_exists(wins: NDArray[np.float64]) -> None:
    graph = sparse.csr_matrix(wins > 0)
    n_components, _ = connected_components(graph, directed=True, connection="strong")
    if n_components > 1:
        raise ValueError(
            "The maximum-likelihood estimate does not exist: some items never lose (or never win) against "
            f"the rest, so the comparison graph splits into {n_components} strongly connected parts. "
            "Use alpha > 0."
        )


def _information(
    p: NDArray[np.float64], totals: NDArray[np.float64], alpha: float, out: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Minus the Hessian of the log-posterior, from the win probabilities ``p`` and comparisons ``totals``.

    Built in place (in ``out`` when given) to spare n x n temporaries; pinned to mean 0 when alpha is 0,
    where the likelihood ignores a common shift.
    """
    n = p.shape[0]
    information = np.multiply(p, p, out=out)
    np.subtract(information, p, out=information)  # -(p (1 - p)) off the diagonal
    information *= totals
    np.fill_diagonal(information, -information.sum(axis=1) + alpha)
    if alpha == 0:
        information += 1.0 / n
    return information


def fit_bradley_terry(
    wins: ArrayLike,
    alpha: float = DEFAULT_ALPHA,
    initial: ArrayLike | None = None,
    tol: float = 1e-9,
    max_iter: int = 100,
) -> NDArray[np.float64]:
    """Log-strengths (mean 0) maximising the Bradley-Terry likelihood plus a N(0, 1/alpha) prior.

    ``alpha=0`` gives the plain maximum-likelihood estimate and raises ``ValueError`` when it does not exist.
    Newton's method on the concave log-posterior; ``initial`` warm-starts it (bootstrap resamples).
    """
    wins = np.asarray(wins, dtype=np.float64)
    n = wins.shape[0]
    if wins.shape != (n, n):
        raise ValueError("wins must be a square matrix")
    if alpha < 0:
        raise ValueError("alpha must be >= 0")
    if n == 0:
        return np.zeros(0)
    if alpha == 0:
        _check_ml_exists(wins)
    totals = wins + wins.T
    row_wins = wins.sum(axis=1)
    if initial is None:
        # Start from each item's log win/loss ratio: close to the answer, so Newton needs few steps.
        s = np.log((row_wins + 0.5) / (wins.sum(axis=0) + 0.5))
        s -= s.mean()
    else:
        s = np.asarray(initial, dtype=np.float64)
        s = s - s.mean()

    def log_posterior(x: NDArray[np.float64]) -> float:
        diff = x[:, None] - x[None, :]
        return float(np.sum(wins * -np.logaddexp(0.0, -diff)) - 0.5 * alpha * x @ x)

    information = np.empty((n, n))
    for _ in range(max_iter):
        p = expit(s[:, None] - s[None, :])
        gradient = row_wins - np.einsum("ij,ij->i", totals, p) - alpha * s
        _information(p, totals, alpha, out=information)
        step = linalg.cho_solve(
            linalg.cho_factor(information, overwrite_a=True, check_finite=False), gradient, check_finite=False
        )
        size = np.max(np.abs(step))
        if size <= 0.5:
            # Close to the optimum the quadratic model is good: take the full Newton step unchecked.
            s = s + step
            s -= s.mean()
        else:
            # Far from it, halve the step until the log-posterior does not fall.
            current = log_posterior(s)
            scale = 1.0
            while True:
                candidate = s + scale * step
                candidate -= candidate.mean()
                value = log_posterior(candidate)
                if value >= current - 1e-12 or scale < 1e-4:
                    break
                scale /= 2
            s = candidate
            size *= scale
        if size < tol:
            break
    return s


def beat_random_scores(log_strengths: ArrayLike) -> NDArray[np.float64]:
    """0-100: the chance each item beats another item chosen at random (each other item equally likely)."""
    s = np.asarray(log_strengths, dtype=np.float64)
    n = s.shape[-1]
    if n < 2:
        return np.full(s.shape, 50.0)
    p = expit(s[..., :, None] - s[..., None, :])
    # Subtract the diagonal (an item against itself, 0.5) and average over the n - 1 others.
    return 100.0 * (p.sum(axis=-1) - 0.5) / (n - 1)


@dataclass(frozen=True)
class ComparisonGraph:
    """Which items were compared, and whether the comparisons join every compared item into one scale."""

    #: Items in at least one decisive comparison.
    compared: NDArray[np.bool_]
    #: Each item's group of items linked by comparisons (0, 1, ...), -1 for an item never compared.
    groups: NDArray[np.int64]

    @property
    def n_groups(self) -> int:
        return int(self.groups.max(initial=-1)) + 1

    @property
    def connected(self) -> bool:
        """One common scale: every compared item is linked to every other through comparisons."""
        return self.n_groups <= 1


def comparison_graph(wins: ArrayLike) -> ComparisonGraph:
    """The groups of items that comparisons link together (in either direction).

    Scores from different groups are not comparable: the prior centres each group on its own, so an item
    never compared sits at 50 with nothing behind it, and two separate groups each average 50.
    """
    wins = np.asarray(wins, dtype=np.float64)
    totals = wins + wins.T
    compared = totals.sum(axis=1) > 0
    groups = np.full(wins.shape[0], -1, dtype=np.int64)
    if compared.any():
        inner = totals[np.ix_(compared, compared)] > 0
        _, labels = connected_components(sparse.csr_matrix(inner), directed=False)
        # Number the groups in order of their first item, so the numbering is stable.
        _, first = np.unique(labels, return_index=True)
        groups[compared] = np.argsort(np.argsort(first))[labels]
    return ComparisonGraph(compared, groups)


@dataclass(frozen=True)
class PairwiseResult:
    """Point estimates and bootstrap percentile intervals.

    Scores, limits and samples are NaN for an item never compared, and for every item when the comparisons
    split into separate groups (``graph.connected`` is False): there is then no common scale to publish.
    """

    log_strengths: NDArray[np.float64]
    scores: NDArray[np.float64]
    score_low: NDArray[np.float64]
    score_high: NDArray[np.float64]
    #: Scores from every bootstrap resample, resamples x items (for stability checks).
    samples: NDArray[np.float64]
    graph: ComparisonGraph | None = None

    @property
    def scored(self) -> NDArray[np.bool_]:
        """Items with a published score."""
        return ~np.isnan(self.scores)


def _people(person_weight: NDArray[np.float64], respondents: NDArray[np.int64]) -> float:
    """Kish's effective number of people among those with votes."""
    voted = np.zeros(person_weight.size, dtype=bool)
    voted[respondents] = True
    w = person_weight[voted]
    return float(w.sum() ** 2 / np.sum(w * w)) if w.size and np.any(w) else 0.0


def logit_interval(
    scores: ArrayLike,
    logit_spread: ArrayLike,
    people: float,
    level: float = 0.95,
    cluster_correction: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Score intervals made on the log-odds scale of score / 100, where a score near 0 or 100 is not squeezed
    against the end, with Student's t on (people - 1) degrees of freedom and the usual sqrt(n / (n - 1))
    cluster correction: the simulation study (docs/validation.md) found the plain percentile bootstrap and
    normal intervals covered 84-89% at 10 respondents. ``logit_spread`` is the standard error of
    logit(score / 100); ``people`` the (effective) number of respondents; ``cluster_correction=False`` when
    the spread has the sqrt(n / (n - 1)) in it already (the sandwich)."""
    scores = np.asarray(scores, dtype=np.float64)
    p = np.clip(scores / 100.0, 1e-9, 1 - 1e-9)
    n = max(float(people), 2.0)
    factor = stats.t.ppf(0.5 + level / 2, n - 1) * (np.sqrt(n / (n - 1)) if cluster_correction else 1.0)
    centre = np.log(p / (1 - p))
    spread = np.asarray(logit_spread, dtype=np.float64)
    return 100.0 * expit(centre - factor * spread), 100.0 * expit(centre + factor * spread)


def expanded_percentile_interval(
    samples: ArrayLike, people: float, level: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Hesterberg's expanded percentile interval: the resamples' percentiles at a wider level, chosen so that
    the normal quantile of the new level is sqrt(n / (n - 1)) x Student's t on n - 1 degrees of freedom
    (the usual small-sample corrections, as in :func:`logit_interval`), with n the (effective) number of
    respondents. Percentiles follow the resamples' own skew, which a symmetric interval cannot: for top-N
    rankings with 10 to 20 respondents the symmetric log-odds interval covered 97% on average but 90.5% for
    the item most people left unranked; this one covers 93.5-94% on average at 15 and 20 respondents with
    every item at 92% or above (docs/validation.md; below 15 rankings show no interval).
    ``samples`` is resamples x items."""
    samples = np.asarray(samples, dtype=np.float64)
    n = max(float(people), 2.0)
    widened = stats.t.ppf(0.5 + level / 2, n - 1) * np.sqrt(n / (n - 1))
    tail = float(stats.norm.sf(widened))
    return np.quantile(samples, tail, axis=0), np.quantile(samples, 1 - tail, axis=0)


#: How :func:`bootstrap_scores` makes an interval from its resamples: "logit t" (:func:`logit_interval`, for
#: pairwise exercises) or "expanded percentile" (:func:`expanded_percentile_interval`, for rankings).
INTERVALS = ("logit t", "expanded percentile")


def _unless_too_few(
    low: NDArray[np.float64], high: NDArray[np.float64], people: float, minimum: float | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """No interval (NaN: "too few responses for an interval") below MIN_INTERVAL_RESPONDENTS (effective)
    respondents, as for budget shares: the simulation study (docs/validation.md) finds none that holds its
    95% below it."""
    if people < (MIN_INTERVAL_RESPONDENTS if minimum is None else minimum) - 1e-9:
        return np.full_like(low, np.nan), np.full_like(high, np.nan)
    return low, high


def bootstrap_scores(
    winners: ArrayLike,
    losers: ArrayLike,
    respondents: ArrayLike,
    n_items: int,
    n_resamples: int = 200,
    alpha: float = DEFAULT_ALPHA,
    weights: ArrayLike | None = None,
    level: float = 0.95,
    seed: int | None = 0,
    vote_weights: ArrayLike | None = None,
    interval: str = "logit t",
    min_respondents: float | None = None,
) -> PairwiseResult:
    """Scores with intervals from a bootstrap over respondents (one resident's votes stay together).

    The interval (``interval``, one of :data:`INTERVALS`) uses the resamples' spread on the log-odds scale
    (``logit_interval``), not their plain percentiles, which covered too little with few respondents; or,
    for rankings, their expanded percentiles (``expanded_percentile_interval``). No interval below
    ``min_respondents`` (effective) respondents, MIN_INTERVAL_RESPONDENTS unless given.

    ``respondents`` gives each vote's respondent as an index 0..R-1; ``weights`` an optional weight per
    respondent (population weighting); ``vote_weights`` an optional weight per vote (``equal_voice``).
    Each resample draws respondents with replacement, multiplies each respondent's votes by how often they
    were drawn, and refits from the point estimate.
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}")
    winners = np.asarray(winners, dtype=np.int64)
    losers = np.asarray(losers, dtype=np.int64)
    respondents = np.asarray(respondents, dtype=np.int64)
    n_respondents = int(respondents.max()) + 1 if respondents.size else 0
    person_weight = np.ones(n_respondents) if weights is None else np.asarray(weights, dtype=np.float64)
    per_vote = np.ones(winners.size) if vote_weights is None else np.asarray(vote_weights, dtype=np.float64)
    point = fit_bradley_terry(
        win_matrix(winners, losers, n_items, person_weight[respondents] * per_vote), alpha=alpha
    )
    scores = beat_random_scores(point)
    if n_respondents == 0 or n_resamples == 0:
        empty = np.empty((0, n_items))
        return PairwiseResult(point, scores, scores.copy(), scores.copy(), empty)

    # One sparse matrix maps respondents to their votes' cells; a resample is then one sparse product.
    cells = winners * n_items + losers
    by_respondent = sparse.csr_matrix(
        (per_vote, (respondents, cells)),
        shape=(n_respondents, n_items * n_items),
    )
    by_respondent.sum_duplicates()
    to_cells = by_respondent.T.tocsr()
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n_respondents, np.full(n_respondents, 1.0 / n_respondents), size=n_resamples)
    samples = np.empty((n_resamples, n_items))
    for b in range(n_resamples):
        resampled = (to_cells @ (draws[b] * person_weight)).reshape(n_items, n_items)
        samples[b] = beat_random_scores(fit_bradley_terry(resampled, alpha=alpha, initial=point, tol=1e-6))
    people = _people(person_weight, respondents)
    if interval == "expanded percentile":
        low, high = expanded_percentile_interval(samples, people, level)
    else:
        p = np.clip(samples / 100.0, 1e-9, 1 - 1e-9)
        spread = np.log(p / (1 - p)).std(axis=0, ddof=1) if n_resamples > 1 else np.zeros(n_items)
        low, high = logit_interval(scores, spread, people, level)
    return PairwiseResult(point, scores, *_unless_too_few(low, high, people, min_respondents), samples)


def _score_jacobian(s: NDArray[np.float64]) -> NDArray[np.float64]:
    """d(beat-random score_i) / d(s_k), for the delta method."""
    n = s.size
    p = expit(s[:, None] - s[None, :])
    q = p - p * p
    np.fill_diagonal(q, 0.0)
    jacobian = -q * (100.0 / (n - 1))
    np.fill_diagonal(jacobian, q.sum(axis=1) * (100.0 / (n - 1)))
    return jacobian


def sandwich_scores(
    winners: ArrayLike,
    losers: ArrayLike,
    respondents: ArrayLike,
    n_items: int,
    alpha: float = DEFAULT_ALPHA,
    weights: ArrayLike | None = None,
    level: float = 0.95,
    n_draws: int = 200,
    seed: int | None = 0,
    vote_weights: ArrayLike | None = None,
) -> PairwiseResult:
    """Scores with intervals from a cluster-robust (sandwich) covariance and the delta method.

    Clusters are respondents, so one person's many votes count as one person's evidence, as in the
    bootstrap over respondents (the tests check the two agree). One fit and a few matrix products: it is
    used for large exercises, where refitting hundreds of resamples would be slow. ``samples`` are draws
    from the normal approximation, for the stability signal.
    """
    winners = np.asarray(winners, dtype=np.int64)
    losers = np.asarray(losers, dtype=np.int64)
    respondents = np.asarray(respondents, dtype=np.int64)
    n = n_items
    n_respondents = int(respondents.max()) + 1 if respondents.size else 0
    person_weight = np.ones(n_respondents) if weights is None else np.asarray(weights, dtype=np.float64)
    vote_weight = person_weight[respondents]
    if vote_weights is not None:
        vote_weight = vote_weight * np.asarray(vote_weights, dtype=np.float64)
    wins = win_matrix(winners, losers, n, vote_weight)
    s = fit_bradley_terry(wins, alpha=alpha)
    scores = beat_random_scores(s)
    if n_respondents < 2:
        nan = np.full(n, np.nan)
        return PairwiseResult(s, scores, nan, nan.copy(), np.empty((0, n)))
    # Each respondent's contribution to the gradient of the log-likelihood.
    surprise = vote_weight * expit(s[losers] - s[winners])
    rows = np.concatenate([respondents, respondents])
    contributions = sparse.csr_matrix(
        (np.concatenate([surprise, -surprise]), (rows, np.concatenate([winners, losers]))),
        shape=(n_respondents, n),
    )
    mean = np.asarray(contributions.mean(axis=0)).ravel()
    meat = (contributions.T @ contributions).toarray() - n_respondents * np.outer(mean, mean)
    meat *= n_respondents / (n_respondents - 1)
    p = expit(s[:, None] - s[None, :])
    bread = linalg.cho_solve(linalg.cho_factor(_information(p, wins + wins.T, alpha)), np.eye(n))
    covariance = bread @ meat @ bread
    jacobian = _score_jacobian(s)
    spread = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", jacobian, covariance, jacobian), 0.0))
    # The delta method once more, onto the log-odds scale of score / 100 (the meat has the n / (n - 1)).
    p = np.clip(scores / 100.0, 1e-9, 1 - 1e-9)
    people = _people(person_weight, respondents)
    logit_spread = spread / (100.0 * p * (1 - p))
    low, high = _unless_too_few(
        *logit_interval(scores, logit_spread, people, level, cluster_correction=False), people
    )
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(s, (covariance + covariance.T) / 2, size=n_draws, method="eigh")
    samples = np.stack([beat_random_scores(draw) for draw in draws]) if n_draws else np.empty((0, n))
    return PairwiseResult(s, scores, low, high, samples)


@dataclass(frozen=True)
class Stability:
    """How settled the order is at the top."""

    #: Largest k such that the same k items are the top k in at least ``level`` of resamples (0 if none).
    settled_top: int
    #: For the k asked about: the share of resamples with the same top-k set.
    agreement: float
    #: Rough extra votes needed to settle the k asked about (0 when settled).
    more_votes_needed: int


def top_k_stability(
    scores: ArrayLike, samples: ArrayLike, k: int, n_votes: int, level: float = 0.95
) -> Stability:
    """How settled the top ``k`` is, from bootstrap samples of the scores.

    The top k is settled when at least ``level`` of resamples put the same k items in the top k. When it is
    not, the extra votes needed are estimated from how much the intervals must shrink (width falls as one
    over the square root of the votes) for the k-th and (k+1)-th items to separate. It is a guide, not a
    guarantee.
    """
    scores = np.asarray(scores, dtype=np.float64)
    samples = np.asarray(samples, dtype=np.float64)
    n = scores.size
    if n < 2 or samples.shape[0] == 0:
        return Stability(0, 0.0, 0)
    order = np.argsort(-scores, kind="stable")
    sample_ranks = np.argsort(np.argsort(-samples, axis=1, kind="stable"), axis=1)

    def agreement_for(size: int) -> float:
        top = order[:size]
        return float(np.mean(np.all(sample_ranks[:, top] < size, axis=1)))

    settled = 0
    for size in range(1, n):
        if agreement_for(size) >= level:
            settled = size
    k = min(max(k, 1), n - 1)
    agreement = agreement_for(k)
    if agreement >= level:
        return Stability(settled, agreement, 0)
    inside, outside = order[k - 1], order[k]
    gap = samples[:, inside] - samples[:, outside]
    spread = np.std(gap)
    mean_gap = max(float(np.mean(gap)), 1e-9)
    # need mean_gap >= z * spread; spread shrinks as sqrt(n_now / n_future)
    z = 1.96
    factor = (z * spread / mean_gap) ** 2
    needed = int(np.ceil(max(factor - 1.0, 0.0) * max(n_votes, 1)))
    return Stability(settled, agreement, needed)


def _expand(result: PairwiseResult, keep: NDArray[np.bool_], graph: ComparisonGraph) -> PairwiseResult:
    """A result fitted on the items ``keep`` picks, put back in place with NaN for the others."""
    n = keep.size

    def put(values: NDArray[np.float64], fill: float = np.nan) -> NDArray[np.float64]:
        out = np.full((*values.shape[:-1], n), fill)
        out[..., keep] = values
        return out

    return PairwiseResult(
        put(result.log_strengths),
        put(result.scores),
        put(result.score_low),
        put(result.score_high),
        put(result.samples),
        graph,
    )


def connected_scores(
    winners: ArrayLike,
    losers: ArrayLike,
    respondents: ArrayLike,
    n_items: int,
    method: str = "bootstrap",
    **options,
) -> PairwiseResult:
    """Scores and intervals on one common scale, or none where there is no such scale.

    Items never compared get NaN ("not enough comparisons"), and the others are scored against each other
    only (an uncompared item is not a random other to beat). When the compared items split into separate
    groups, every score is NaN: ``graph`` says which group each item is in. ``method`` is "bootstrap"
    (``bootstrap_scores``) or "sandwich" (``sandwich_scores``); ``options`` go to it.
    """
    winners = np.asarray(winners, dtype=np.int64)
    losers = np.asarray(losers, dtype=np.int64)
    respondents = np.asarray(respondents, dtype=np.int64)
    graph = comparison_graph(win_matrix(winners, losers, n_items))
    keep = graph.compared if graph.connected else np.zeros(n_items, dtype=bool)
    position = np.cumsum(keep) - 1
    fits: dict[str, Callable[..., PairwiseResult]] = {
        "bootstrap": bootstrap_scores,
        "sandwich": sandwich_scores,
    }
    fit = fits[method]
    if not keep.any():  # no votes, or no common scale
        empty = np.zeros(0)
        return _expand(PairwiseResult(empty, empty, empty, empty, np.empty((0, 0))), keep, graph)
    inner = fit(position[winners], position[losers], respondents, int(keep.sum()), **options)
    return _expand(inner, keep, graph)


def point_scores(
    winners: ArrayLike,
    losers: ArrayLike,
    n_items: int,
    vote_weights: ArrayLike | None = None,
    alpha: float = DEFAULT_ALPHA,
) -> NDArray[np.float64]:
    """Scores without intervals, on one common scale as in :func:`connected_scores`: NaN for an item nobody
    compared ("not enough comparisons"), and for every item when the comparisons split into separate groups.
    For every table of point estimates (breakdowns by group, the workshop room's results), so that they say
    what the main table says where there is nothing to score."""
    winners = np.asarray(winners, dtype=np.int64)
    losers = np.asarray(losers, dtype=np.int64)
    wins = win_matrix(winners, losers, n_items, vote_weights)
    graph = comparison_graph(win_matrix(winners, losers, n_items))
    scores = np.full(n_items, np.nan)
    if graph.connected and graph.compared.any():
        keep = graph.compared
        scores[keep] = beat_random_scores(fit_bradley_terry(wins[np.ix_(keep, keep)], alpha=alpha))
    return scores
