"""`make validate`: a simulation study of every interval the results pages publish, and of the pair chooser.

Not part of `make test`: it takes a few minutes on 2 cores. Writes docs/validation.md.

Residents are heterogeneous: each has their own strengths (pairwise and ranking) or their own spread of a
budget (a Dirichlet with a concentration of their own), and they make different numbers of choices. For each
sample size (10, 20, 50 and 200 respondents) the study draws many samples, computes each published interval
exactly as the results pages do (engage.stats), and counts how often it contains the true value. The true
value is what the same estimator gives for the whole population (for pairwise and ranking scores, the
Bradley-Terry fit to the population's expected wins, each person counting once; for budget shares, the
population's mean share). The Monte Carlo standard error of a row's average coverage is the standard
deviation of the per-sample shares of items covered over sqrt(samples); a single item's, sqrt(p(1-p)/R).
`--only PART ... --sizes N ...` runs some rows on their own (with more --runs) and prints them.

Blended weights: three sources (pairwise votes, budget dots, a 1-5 importance grid) about five priorities,
blended at thirds, each with the same number of respondents; either different people in each source, or the
same people in all three and linked by the joint bootstrap (as two grids of one consultation are). The truth
is the blend of the three sources' population values. A last table shows what the blend's stated assumption
costs when the same people answer every source but cannot be linked, and what the intervals that are not
shown (below MIN_INTERVAL_RESPONDENTS) would have covered.

The chooser study runs exercises vote by vote, with the old chooser (pairs close in running rating) and the
current one (exposure only), and compares the mean score of each item with the same study using uniformly
random pairs; the bias is reported in simulation standard errors.
"""

from __future__ import annotations

import argparse
import math
import platform
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import expit

from benchmarks.sections import write_section
from engage.stats import allocation
from engage.stats import pairwise as pairwise_stats
from engage.stats import ranking as ranking_stats
from engage.stats.allocation import MIN_INTERVAL_RESPONDENTS, share_intervals
from engage.stats.blend import PersonDraws, blend_sources, bradley_terry_strengths, rating_strengths
from engage.stats.pairs import first_item_weights, partner_weights
from engage.stats.pairwise import (
    DEFAULT_ALPHA,
    beat_random_scores,
    connected_scores,
    equal_voice,
    fit_bradley_terry,
    win_matrix,
)
from engage.stats.ranking import places_to_pairs

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 20, 50, 200)
#: Sizes below the minimum for an interval (MIN_INTERVAL_RESPONDENTS), measured to show why none is shown.
BELOW = (5, 8)
N_ITEMS = 6
#: Spread of residents' own log-strengths around the common ones (moderate disagreement).
DISAGREEMENT = 1.0
COMMON = np.array([1.0, 0.6, 0.3, 0.0, -0.4, -1.0])
BUDGET_TRUTH = np.array([0.4, 0.25, 0.15, 0.1, 0.08, 0.02])


@dataclass
class Coverage:
    name: str
    size: int
    hits: np.ndarray
    runs: int
    shown: int  # samples where an interval was published
    width: float
    #: Per sample shown: the share of the items whose interval held the truth.
    per_sample: np.ndarray

    @property
    def mean(self) -> float:
        return float((self.hits / self.shown).mean())

    @property
    def se(self) -> float:
        """Monte Carlo SE of the average coverage: the spread of the per-sample shares over sqrt(samples)
        (the items of one sample are not independent, so not sqrt(p(1-p)/samples) for the average)."""
        if self.shown < 2:
            return math.nan
        return float(np.std(self.per_sample, ddof=1) / math.sqrt(self.shown))

    def row(self) -> str:
        if self.shown == 0:
            return f"| {self.name} | {self.size} | no interval shown (too few responses) | | | |"
        size = str(self.size)
        if self.shown < self.runs:  # the others had too few (effective) respondents, or no common scale
            size += f" (interval in {self.shown} of {self.runs} samples)"
        share = self.hits / self.shown
        mean, se = self.mean, self.se
        low = float(share.min())
        low_se = math.sqrt(low * (1 - low) / self.shown)  # one item: a binomial share
        verdict = "yes" if 0.93 <= mean <= 0.97 and low >= 0.93 - 2 * low_se else "no"
        return (
            f"| {self.name} | {size} | {100 * mean:.1f}% (±{100 * se:.1f}) | {100 * low:.1f}% | "
            f"{self.width:.3g} | {verdict} |"
        )


#: What the other half of the area wants, for the weighted rows: the same items in another order.
OTHER = COMMON[[3, 5, 0, 4, 1, 2]]


def residents(
    rng: np.random.Generator, count: int, common: np.ndarray = COMMON, spread: float | None = None
) -> np.ndarray:
    """Each resident's own log-strengths."""
    spread = DISAGREEMENT if spread is None else spread
    return common + spread * rng.standard_normal((count, N_ITEMS))


def votes_each(rng: np.random.Generator, count: int) -> np.ndarray:
    """How many choices each makes: most a few, some many (geometric, mean about 12, at most 60)."""
    return np.minimum(rng.geometric(1 / 12, count), 60)


def pairwise_sample(rng: np.random.Generator, count: int, other: np.ndarray | None = None):
    """Votes from ``count`` residents; with ``other`` (a bool per resident) those residents want OTHER."""
    people = residents(rng, count)
    if other is not None:
        people[other] = residents(rng, int(other.sum()), OTHER)
    n_votes = votes_each(rng, count)
    who = np.repeat(np.arange(count), n_votes)
    left = rng.integers(0, N_ITEMS, who.size)
    right = (left + rng.integers(1, N_ITEMS, who.size)) % N_ITEMS
    left_wins = rng.random(who.size) < expit(people[who, left] - people[who, right])
    return np.where(left_wins, left, right), np.where(left_wins, right, left), who


def pairwise_truth(rng: np.random.Generator, mixed: bool = False, spread: float | None = None) -> np.ndarray:
    """Scores from the population's expected wins with uniformly random pairs, each person counting once
    (``mixed``: half the area wants OTHER)."""
    people = residents(rng, 200_000, spread=spread)
    if mixed:
        people[100_000:] = residents(rng, 100_000, OTHER)
    diff = people[:, :, None] - people[:, None, :]
    expected = expit(diff).mean(axis=0)
    np.fill_diagonal(expected, 0)
    return beat_random_scores(fit_bradley_terry(expected * 1e6, alpha=0))


def ranking_sample(rng: np.random.Generator, count: int, top: int = 3) -> np.ndarray:
    """Places (1 = first, NaN unranked) from each resident's own Plackett-Luce order, top ``top`` only."""
    people = residents(rng, count)
    gumbel = people + rng.gumbel(size=people.shape)
    order = np.argsort(-gumbel, axis=1)
    places = np.full((count, N_ITEMS), np.nan)
    rows = np.arange(count)[:, None]
    places[rows, order[:, :top]] = np.arange(1, top + 1)
    return places


def ranking_truth(rng: np.random.Generator) -> np.ndarray:
    places = ranking_sample(rng, 200_000)
    winners, losers, _ = places_to_pairs(places)
    return beat_random_scores(fit_bradley_terry(win_matrix(winners, losers, N_ITEMS), alpha=0))


def budget_sample(rng: np.random.Generator, count: int, truth: np.ndarray = BUDGET_TRUTH) -> np.ndarray:
    concentration = rng.uniform(0.5, 5, count)[:, None] * truth * 5
    return np.array([rng.multinomial(20, rng.dirichlet(c)) for c in concentration]) / 20


def study_pairwise(rng, truth, size, runs, method, resamples, weighted=False) -> Coverage:
    hits = np.zeros(N_ITEMS)
    shown, widths, per_sample = 0, [], []
    for _ in range(runs):
        weights = None
        if weighted:
            # Each respondent is in the second half with chance 0.3 where the area is 50:50; raking to that
            # one margin gives weights of population share over sample share.
            group = (rng.random(size) >= 0.7).astype(int)
            share = np.bincount(group, minlength=2) / size
            if share.min() == 0:  # a half with nobody: the page refuses to weight (issue 22 item 3)
                continue
            weights = (0.5 / share)[group]
            winners, losers, who = pairwise_sample(rng, size, group == 1)
        else:
            winners, losers, who = pairwise_sample(rng, size)
        options = {"n_resamples": resamples} if method == "bootstrap" else {"n_draws": 0}
        result = connected_scores(
            winners, losers, who, N_ITEMS, method, weights=weights, vote_weights=equal_voice(who), **options
        )
        if not result.graph.connected or np.isnan(result.scores).any() or np.isnan(result.score_low).any():
            continue  # no common scale, or too few (effective) respondents for an interval: none shown
        shown += 1
        held = (result.score_low <= truth) & (truth <= result.score_high)
        hits += held
        per_sample.append(held.mean())
        widths.append(np.mean(result.score_high - result.score_low))
    label = f"Pairwise score, {method}" + (", population-weighted" if weighted else "")
    width = float(np.mean(widths)) if widths else math.nan
    return Coverage(label, size, hits, runs, shown, width, np.array(per_sample))


def study_ranking(rng, truth, size, runs, resamples) -> Coverage:
    hits = np.zeros(N_ITEMS)
    shown, widths, per_sample = 0, [], []
    for _ in range(runs):
        winners, losers, who = places_to_pairs(ranking_sample(rng, size))
        result = connected_scores(
            winners,
            losers,
            who,
            N_ITEMS,
            "bootstrap",
            n_resamples=resamples,
            interval="expanded percentile",
            min_respondents=ranking_stats.MIN_INTERVAL_RESPONDENTS,
        )
        if np.isnan(result.scores).any() or np.isnan(result.score_low).any():
            continue
        shown += 1
        held = (result.score_low <= truth) & (truth <= result.score_high)
        hits += held
        per_sample.append(held.mean())
        widths.append(np.mean(result.score_high - result.score_low))
    label = "Ranking score (top 3), bootstrap"
    return Coverage(label, size, hits, runs, shown, float(np.mean(widths)), np.array(per_sample))


def study_budget(rng, size, runs, weighted=False) -> Coverage:
    hits = np.zeros(N_ITEMS)
    shown, widths, per_sample = 0, [], []
    other = BUDGET_TRUTH[::-1].copy()
    truth = 0.5 * BUDGET_TRUTH + 0.5 * other if weighted else BUDGET_TRUTH
    for _ in range(runs):
        if weighted:
            first = int(rng.binomial(size, 0.7))
            if first in (0, size):  # a half with nobody: the page refuses to weight (issue 22 item 3)
                continue
            shares = np.vstack([budget_sample(rng, first), budget_sample(rng, size - first, other)])
            weights = np.r_[
                np.full(first, 0.5 * size / first), np.full(size - first, 0.5 * size / (size - first))
            ]
            groups = [np.r_[np.zeros(first), np.ones(size - first)]]
        else:
            shares, weights, groups = budget_sample(rng, size), None, None
        low, high = share_intervals(shares, weights, groups=groups)
        if np.isnan(low).any():
            continue
        shown += 1
        held = (low <= truth) & (truth <= high)
        hits += held
        per_sample.append(held.mean())
        widths.append(np.mean(high - low))
    label = "Budget share" + (", population-weighted" if weighted else "")
    width = float(np.mean(widths)) if widths else math.nan
    return Coverage(label, size, hits, runs, shown, width, np.array(per_sample))


# --- Blended weights ----------------------------------------------------------------------------------------

#: Five priorities' common log-importance for the blend study.
BLEND_COMMON = np.array([0.8, 0.4, 0.0, -0.3, -0.9])
BLEND_PRIORITIES = len(BLEND_COMMON)


def blend_people(rng: np.random.Generator, count: int) -> np.ndarray:
    return BLEND_COMMON + DISAGREEMENT * rng.standard_normal((count, BLEND_PRIORITIES))


def blend_source(kind: str, rng: np.random.Generator, people: np.ndarray, resamples: int, draws=None):
    """One source's answers from these residents, on the common scale (engage.stats.blend)."""
    count = len(people)
    if kind == "pairwise":
        who = np.repeat(np.arange(count), votes_each(rng, count))
        left = rng.integers(0, BLEND_PRIORITIES, who.size)
        right = (left + rng.integers(1, BLEND_PRIORITIES, who.size)) % BLEND_PRIORITIES
        left_wins = rng.random(who.size) < expit(people[who, left] - people[who, right])
        winners, losers = np.where(left_wins, left, right), np.where(left_wins, right, left)
        items = list(range(BLEND_PRIORITIES))
        n = BLEND_PRIORITIES
        return bradley_terry_strengths(winners, losers, who, n, items, n, n_resamples=resamples, draws=draws)
    if kind == "budget":
        concentration = np.exp(people) * rng.uniform(0.5, 3, (count, 1))
        dots = np.array([rng.multinomial(20, rng.dirichlet(c)) for c in concentration]) / 20
        return rating_strengths(dots, n_resamples=resamples, draws=draws)
    ratings = np.clip(np.round(3 + 0.8 * people + rng.normal(0, 0.8, people.shape)), 1, 5)
    return rating_strengths(ratings, n_resamples=resamples, draws=draws)


BLEND_KINDS = ("pairwise", "budget", "grid")


def blend_truth(rng: np.random.Generator) -> np.ndarray:
    sources = [blend_source(kind, rng, blend_people(rng, 40_000), 0) for kind in BLEND_KINDS]
    return blend_sources(sources, [1, 1, 1]).weight


def study_blend(rng, truth, size, runs, resamples, people: str) -> Coverage:
    """``people``: "different" in each source, "linked" (the same people, one bootstrap across sources) or
    "unlinked" (the same people, each source resampled on its own: the blend's assumption where people
    cannot be linked)."""
    hits = np.zeros(BLEND_PRIORITIES)
    widths, per_sample = [], []
    for run in range(runs):
        same = blend_people(rng, size)
        bank = PersonDraws(resamples, seed=run)
        sources = []
        for kind in BLEND_KINDS:
            residents_here = blend_people(rng, size) if people == "different" else same
            draws = bank.for_people(list(range(size))) if people == "linked" else None
            sources.append(blend_source(kind, rng, residents_here, resamples, draws))
        result = blend_sources(sources, [1, 1, 1])
        held = (result.low <= truth) & (truth <= result.high)
        hits += held
        per_sample.append(held.mean())
        widths.append(np.mean(result.high - result.low))
    label = {
        "different": "Blended weight (thirds), different people per source",
        "linked": "Blended weight (thirds), the same people, linked",
        "unlinked": "Blended weight (thirds), the same people, not linked",
    }[people]
    return Coverage(label, size, hits, runs, runs, float(np.mean(widths)), np.array(per_sample))


@contextmanager
def thresholds_lifted():
    """What the intervals that are not shown would have covered: the minimum respondents set to 2."""
    saved = (
        allocation.MIN_INTERVAL_RESPONDENTS,
        pairwise_stats.MIN_INTERVAL_RESPONDENTS,
        ranking_stats.MIN_INTERVAL_RESPONDENTS,
    )
    allocation.MIN_INTERVAL_RESPONDENTS = pairwise_stats.MIN_INTERVAL_RESPONDENTS = 2
    ranking_stats.MIN_INTERVAL_RESPONDENTS = 2
    try:
        yield
    finally:
        (
            allocation.MIN_INTERVAL_RESPONDENTS,
            pairwise_stats.MIN_INTERVAL_RESPONDENTS,
            ranking_stats.MIN_INTERVAL_RESPONDENTS,
        ) = saved


def run_exercise(rng, chooser: str, people: int, spread: float, step: float = 0.2) -> np.ndarray:
    """One exercise, vote by vote, with the given chooser; returns the one-person-one-voice scores."""
    prefs = residents(rng, people, spread=spread)
    counts = votes_each(rng, people)
    shown = np.zeros(N_ITEMS)
    together = np.zeros((N_ITEMS, N_ITEMS))
    rating = np.zeros(N_ITEMS)
    winners, losers, who = [], [], []
    for person in range(people):
        last = None
        for _ in range(counts[person]):
            if chooser == "uniform":
                first = int(rng.integers(N_ITEMS))
                second = int((first + rng.integers(1, N_ITEMS)) % N_ITEMS)
            else:
                w = first_item_weights(shown)
                first = int(rng.choice(N_ITEMS, p=w / w.sum()))
                w = partner_weights(together[first])
                if chooser == "rating":  # the old chooser: also close in running rating
                    w = w * np.exp(-np.abs(rating - rating[first]))
                w[first] = 0
                if last is not None and first in last:
                    w[next(iter(last - {first}))] = 0
                if w.sum() == 0:
                    w = np.ones(N_ITEMS)
                    w[first] = 0
                second = int(rng.choice(N_ITEMS, p=w / w.sum()))
            last = {first, second}
            won = rng.random() < expit(prefs[person, first] - prefs[person, second])
            win, lose = (first, second) if won else (second, first)
            winners.append(win)
            losers.append(lose)
            who.append(person)
            shown[[first, second]] += 1
            together[first, second] += 1
            together[second, first] += 1
            surprise = expit(rating[lose] - rating[win])
            rating[win] += step * surprise
            rating[lose] -= step * surprise
    w, lo, p = np.array(winners), np.array(losers), np.array(who)
    return beat_random_scores(
        fit_bradley_terry(win_matrix(w, lo, N_ITEMS, equal_voice(p)), alpha=DEFAULT_ALPHA)
    )


#: Residents disagree more in the chooser study: the old chooser's pull shows at strong disagreement.
CHOOSER_DISAGREEMENT = 2.0


def study_chooser(rng, people: int, runs: int) -> list[str]:
    """Per chooser: each item's bias against the truth in simulation SEs, and the pull towards 50 (minus
    the slope of the error on the truth's distance from 50), with its SE."""
    truth = pairwise_truth(rng, spread=CHOOSER_DISAGREEMENT)
    centred = truth - 50
    lines = [
        f"| chooser | bias per item, in simulation SEs (truth {', '.join(f'{t:.1f}' for t in truth)}) | "
        "pull towards 50 (± SE) | pull in SEs |",
        "|---|---|---|---|",
    ]
    labels = {
        "uniform": "uniformly random pairs (reference)",
        "rating": "old: close in running rating",
        "exposure": "current: exposure only",
    }
    for chooser, label in labels.items():
        est = np.array([run_exercise(rng, chooser, people, CHOOSER_DISAGREEMENT) for _ in range(runs)])
        error = est - truth
        z = error.mean(axis=0) / (error.std(axis=0, ddof=1) / math.sqrt(runs))
        pulls = -(error @ centred) / (centred @ centred)
        pull, pull_se = pulls.mean(), pulls.std(ddof=1) / math.sqrt(runs)
        lines.append(
            f"| {label} | {', '.join(f'{v:+.1f}' for v in z)} | {100 * pull:+.1f}% (±{100 * pull_se:.1f}) | "
            f"{pull / pull_se:+.1f} |"
        )
    return lines


#: Rows ``--only`` can run on their own.
PARTS = ("blend", "blend-linked", "blend-unlinked", "pairwise", "ranking", "budget", "budget-weighted")


def some_rows(rng: np.random.Generator, args: argparse.Namespace):
    """The rows of the parts in ``args.only`` at ``args.sizes`` (for checking one change with more runs)."""
    truth = {
        "blend": blend_truth,
        "blend-linked": blend_truth,
        "blend-unlinked": blend_truth,
        "pairwise": pairwise_truth,
        "ranking": ranking_truth,
    }
    for part in args.only:
        made = truth[part](rng) if part in truth else None
        for size in args.sizes:
            if part.startswith("blend"):
                people = {"blend": "different", "blend-linked": "linked", "blend-unlinked": "unlinked"}[part]
                yield study_blend(rng, made, size, args.blend_runs, args.resamples, people)
            elif part == "pairwise":
                yield study_pairwise(rng, made, size, args.runs, "bootstrap", args.resamples)
            elif part == "ranking":
                yield study_ranking(rng, made, size, args.runs, args.resamples)
            else:
                yield study_budget(rng, size, args.runs * 2, weighted=part == "budget-weighted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="samples per interval and size")
    parser.add_argument("--resamples", type=int, default=200, help="bootstrap resamples per interval")
    parser.add_argument("--blend-runs", type=int, default=200, help="samples per blended-weight row")
    parser.add_argument("--chooser-runs", type=int, default=400)
    parser.add_argument("--chooser-people", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "validation.md")
    parser.add_argument(
        "--only",
        choices=PARTS,
        nargs="+",
        help="run only these rows (at --sizes) and print them, without writing the page",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.time()
    if args.only:
        for row in some_rows(rng, args):
            print(row.row(), flush=True)
        print(f"{time.time() - started:.0f} s, {time.process_time():.0f} s CPU", flush=True)
        return
    pair_truth = pairwise_truth(rng)
    mixed_truth = pairwise_truth(rng, mixed=True)
    rank_truth = ranking_truth(rng)
    truth_of_blend = blend_truth(rng)
    rows: list[Coverage] = []
    for size in SIZES:
        for people in ("different", "linked"):
            rows.append(study_blend(rng, truth_of_blend, size, args.blend_runs, args.resamples, people))
        rows.append(study_pairwise(rng, pair_truth, size, args.runs, "bootstrap", args.resamples))
        rows.append(study_pairwise(rng, pair_truth, size, args.runs, "sandwich", 0))
        rows.append(
            study_pairwise(rng, mixed_truth, size, args.runs, "bootstrap", args.resamples, weighted=True)
        )
        rows.append(study_ranking(rng, rank_truth, size, args.runs, args.resamples))
        rows.append(study_budget(rng, size, args.runs * 2))
        rows.append(study_budget(rng, size, args.runs * 2, weighted=True))
        print(f"size {size} done, {time.time() - started:.0f} s", flush=True)
    rows.sort(key=lambda row: (row.name, row.size))
    means = [float((row.hits / row.shown).mean()) for row in rows if row.shown]
    summary = (
        f"Lowest average coverage {100 * min(means):.1f}%, highest {100 * max(means):.1f}%; "
        f"{sum(m > 0.97 for m in means)} rows over 97% (wider than needed), "
        f"{sum(m < 0.93 for m in means)} under 93%."
    )
    # What the blend's assumption costs, and what the intervals not shown below the minimum would cover.
    blend_runs, resamples = args.blend_runs, args.resamples
    extra = [study_blend(rng, truth_of_blend, n, blend_runs, resamples, "unlinked") for n in (20, 200)]
    with thresholds_lifted():
        for size in BELOW:
            extra.append(study_pairwise(rng, pair_truth, size, args.runs, "bootstrap", args.resamples))
            extra.append(study_pairwise(rng, pair_truth, size, args.runs, "sandwich", 0))
            extra.append(study_ranking(rng, rank_truth, size, args.runs, args.resamples))
            extra.append(study_budget(rng, size, args.runs * 2))
        # Rankings show no interval below their own, higher minimum (engage.stats.ranking).
        extra.append(study_ranking(rng, rank_truth, 10, args.runs, args.resamples))
    print(f"extra rows done, {time.time() - started:.0f} s", flush=True)
    chooser = study_chooser(rng, args.chooser_people, args.chooser_runs)
    elapsed = time.time() - started
    machine = platform.machine()
    truth_text = ", ".join(f"{x:.0%}" for x in BUDGET_TRUTH)
    lines = [
        "Written by `make validate` (benchmarks/validate.py; not part of `make test`). Nominal level 95%;",
        "target 93-97% wherever an interval is shown. Coverage is averaged over the items, with its Monte",
        "Carlo standard error (the spread of the per-sample averages over the root of the samples), and the",
        'lowest single item\'s coverage is shown beside it. "Meets" is yes when the average is within 93-97%',
        "and no item is more than two of its own standard errors (sqrt(p(1-p)/samples)) below 93%.",
        "",
        f"Runs: {args.runs} samples per pairwise and ranking row ({args.resamples} bootstrap resamples",
        f"each), {2 * args.runs} per budget row; seed {args.seed}; {elapsed / 60:.1f} minutes on {machine}.",
        f"{N_ITEMS} items; residents' own log-strengths spread with standard deviation {DISAGREEMENT}",
        f"around the common ones, each making a different number of choices; budget truth {truth_text}",
        "of the pot, 20 dots each, every resident with a concentration of their own. Budget and pairwise",
        f"intervals are not shown below {MIN_INTERVAL_RESPONDENTS} respondents (effective, when weighted),",
        f"ranking intervals below {ranking_stats.MIN_INTERVAL_RESPONDENTS}. Weighted rows:",
        "each respondent is in the first half of the area with chance 0.7 where the area is 50:50, the",
        "halves want different things, and the weights make the halves 50:50 (raking on one margin); the",
        "truth is the whole area's.",
        "",
        "| interval | respondents | coverage (±MC SE) | lowest item | mean width | meets |",
        "|---|---|---|---|---|---|",
        *[row.row() for row in rows],
        "",
        summary + " Widths: budget shares as fractions of the pot, scores in points out of 100, "
        "blended weights as fractions of 1.",
        "",
        "Blended weights: three sources (pairwise votes, budget dots, a 1-5 importance grid) about "
        f"{BLEND_PRIORITIES} priorities",
        f"at thirds, {args.blend_runs} samples per row, respondents per source as given; the same residents'",
        'spread of tastes as above. "Linked": the same people answered all three sources and the bootstrap',
        "over people runs across the sources together (as for two importance grids of one consultation).",
        "",
        "## Not shown: the blend's assumption, and intervals below the minimum",
        "",
        'Rows that no page shows, to say why. "Not linked": the same people answered all three sources but',
        "the bootstrap takes them to be different people, which is what the blend must assume for sources",
        "whose respondents cannot be linked (an exercise and a consultation). Below "
        f"{MIN_INTERVAL_RESPONDENTS} respondents no interval",
        "is shown for budget shares or pairwise scores, and below "
        f"{ranking_stats.MIN_INTERVAL_RESPONDENTS} for ranking scores; these rows",
        "measure what they would have covered.",
        "",
        "| interval | respondents | coverage (±MC SE) | lowest item | mean width | meets |",
        "|---|---|---|---|---|---|",
        *[row.row() for row in extra],
        "",
        "## The pair chooser",
        "",
        f"{args.chooser_runs} exercises of {args.chooser_people} residents each per chooser, voting one at",
        f"a time, residents' own log-strengths spread with standard deviation {CHOOSER_DISAGREEMENT} (strong",
        "disagreement); scores one person one voice. Bias is against the truth (uniformly random pairs, the",
        "whole population). The pull towards 50 is minus the slope of the error on the truth's distance",
        "from 50: 10% means scores sit a tenth of the way closer to 50 than they should. Target: within",
        "1 SE.",
        "",
        *chooser,
    ]
    write_section(args.output, "validate", ["# Validation: a simulation study", "", *lines])
    print("\n".join(lines))


if __name__ == "__main__":
    main()
