"""Bradley-Terry fits and scores against hand-computed answers, a published table and choix."""

import numpy as np
import pytest

from engage.stats.pairwise import (
    beat_random_scores,
    bootstrap_scores,
    comparison_graph,
    connected_scores,
    equal_voice,
    expanded_percentile_interval,
    fit_bradley_terry,
    logit_interval,
    point_scores,
    sandwich_scores,
    simulate_votes,
    top_k_stability,
    win_matrix,
)

# Agresti, Categorical Data Analysis (2nd ed., 2002), Table 10.10: 1987 American League East baseball,
# wins of the row team over the column team (13 games per pair). Table 10.11 gives the fitted
# Bradley-Terry parameters with Baltimore fixed at 0.
TEAMS = ["Milwaukee", "Detroit", "Toronto", "New York", "Boston", "Cleveland", "Baltimore"]
BASEBALL = np.array(
    [
        [0, 7, 9, 7, 7, 9, 11],
        [6, 0, 7, 5, 11, 9, 9],
        [4, 6, 0, 7, 7, 8, 12],
        [6, 8, 6, 0, 6, 7, 10],
        [6, 2, 6, 7, 0, 7, 12],
        [4, 4, 5, 6, 6, 0, 6],
        [2, 4, 1, 3, 1, 7, 0],
    ],
    dtype=float,
)
AGRESTI_FIT = np.array([1.5814, 1.4364, 1.2945, 1.2476, 1.1077, 0.6839, 0.0])


def random_votes(rng, n_items, n_votes, n_respondents):
    return simulate_votes(rng.normal(0, 1, n_items), n_votes, n_respondents, rng)


def test_win_matrix_counts_and_weights():
    wins = win_matrix([0, 0, 2], [1, 1, 0], 3)
    assert wins.tolist() == [[0, 2, 0], [0, 0, 0], [1, 0, 0]]
    weighted = win_matrix([0, 0, 2], [1, 1, 0], 3, weights=[0.5, 1.5, 2])
    assert weighted[0, 1] == 2.0 and weighted[2, 0] == 2.0


@pytest.mark.parametrize(("winners", "losers"), [([0], [3]), ([1], [1]), ([0, 1], [1])])
def test_win_matrix_rejects_bad_input(winners, losers):
    with pytest.raises(ValueError):
        win_matrix(winners, losers, 3)


def test_two_items_fit_the_log_odds_exactly():
    # i beat j 3 times and lost once: s_i - s_j = log(3)
    s = fit_bradley_terry(np.array([[0, 3], [1, 0]]), alpha=0)
    assert s[0] - s[1] == pytest.approx(np.log(3), abs=1e-9)
    assert s.mean() == pytest.approx(0, abs=1e-12)


def test_hand_computed_three_items():
    # Strengths 1, 2, 4: observed counts equal the expected ones, so the ML estimate is log(1, 2, 4), centred.
    wins = np.array([[0, 1, 1], [2, 0, 1], [4, 2, 0]], dtype=float)
    s = fit_bradley_terry(wins, alpha=0)
    assert s == pytest.approx(np.log([1, 2, 4]) - np.log([1, 2, 4]).mean(), abs=1e-9)
    # Scores: item 2 beats item 0 with chance 4/5 and item 1 with chance 2/3; the mean is 73.33
    assert beat_random_scores(s)[2] == pytest.approx(100 * (4 / 5 + 2 / 3) / 2)


def test_published_bradley_terry_table():
    s = fit_bradley_terry(BASEBALL, alpha=0)
    assert s - s[-1] == pytest.approx(AGRESTI_FIT, abs=5e-4)


def test_agrees_with_choix_maximum_likelihood():
    choix = pytest.importorskip("choix")
    rng = np.random.default_rng(1)
    winners, losers, _ = random_votes(rng, 12, 3000, 100)
    wins = win_matrix(winners, losers, 12)
    ours = fit_bradley_terry(wins, alpha=0)
    theirs = choix.ilsr_pairwise_dense(wins, alpha=0, tol=1e-12, max_iter=10_000)
    assert ours == pytest.approx(theirs - theirs.mean(), abs=1e-6)


def test_agrees_with_choix_map_estimate():
    choix = pytest.importorskip("choix")
    rng = np.random.default_rng(2)
    winners, losers, _ = random_votes(rng, 6, 40, 10)
    alpha = 0.5
    ours = fit_bradley_terry(win_matrix(winners, losers, 6), alpha=alpha)
    # choix penalises penalty * ||s||^2; our prior is alpha / 2 * ||s||^2
    theirs = choix.opt_pairwise(6, list(zip(winners, losers, strict=True)), alpha=alpha / 2, method="BFGS")
    assert ours == pytest.approx(theirs, abs=1e-4)


def test_maximum_likelihood_that_does_not_exist_is_a_clear_error():
    # item 0 never loses: ML would send it to infinity
    wins = np.array([[0, 3, 2], [0, 0, 1], [0, 1, 0]], dtype=float)
    with pytest.raises(ValueError, match="does not exist"):
        fit_bradley_terry(wins, alpha=0)
    s = fit_bradley_terry(wins)  # the prior keeps it finite
    assert np.all(np.isfinite(s)) and np.argmax(s) == 0


def test_items_with_no_votes_sit_at_the_middle():
    wins = np.zeros((4, 4))
    wins[0, 1], wins[1, 0] = 5, 1
    s = fit_bradley_terry(wins)
    assert s[2] == pytest.approx(s[3])
    assert beat_random_scores(np.zeros(5)) == pytest.approx(np.full(5, 50.0))


def test_adding_a_win_never_lowers_the_winner():
    rng = np.random.default_rng(3)
    for _ in range(20):
        wins = rng.integers(0, 4, (5, 5)).astype(float)
        np.fill_diagonal(wins, 0)
        before = beat_random_scores(fit_bradley_terry(wins))
        i, j = rng.choice(5, 2, replace=False)
        wins[i, j] += 1
        after = beat_random_scores(fit_bradley_terry(wins))
        assert after[i] >= before[i] - 1e-9


def test_relabelling_items_permutes_the_output():
    rng = np.random.default_rng(4)
    wins = rng.integers(0, 5, (6, 6)).astype(float)
    np.fill_diagonal(wins, 0)
    perm = rng.permutation(6)
    assert fit_bradley_terry(wins[np.ix_(perm, perm)]) == pytest.approx(
        fit_bradley_terry(wins)[perm], abs=1e-8
    )


def test_scores_average_fifty():
    s = np.array([2.0, -1.0, 0.3, 0.0])
    assert beat_random_scores(s).mean() == pytest.approx(50.0)


def test_bootstrap_intervals_contain_the_estimate_and_shrink_with_more_respondents():
    rng = np.random.default_rng(5)
    small = bootstrap_scores(*random_votes(rng, 5, 200, 20), n_items=5, n_resamples=200)
    large = bootstrap_scores(*random_votes(rng, 5, 20_000, 2000), n_items=5, n_resamples=200)
    for result in (small, large):
        assert np.all(result.score_low <= result.scores + 1e-9)
        assert np.all(result.scores <= result.score_high + 1e-9)
    assert np.mean(large.score_high - large.score_low) < np.mean(small.score_high - small.score_low) / 3


def test_bootstrap_over_respondents_is_wider_when_each_person_repeats_themselves():
    # 20 people each cast the same vote 50 times: really 20 opinions, not 1000 independent votes.
    people = np.repeat(np.arange(20), 50)
    winners = np.where(people < 12, 0, 1)
    losers = 1 - winners
    clustered = bootstrap_scores(winners, losers, people, 2, n_resamples=300)
    independent = bootstrap_scores(winners, losers, np.arange(1000), 2, n_resamples=300)
    width = lambda r: r.score_high[0] - r.score_low[0]  # noqa: E731
    assert width(clustered) > 3 * width(independent)


def test_bootstrap_with_weights_of_one_equals_unweighted():
    rng = np.random.default_rng(6)
    winners, losers, people = random_votes(rng, 4, 300, 30)
    plain = bootstrap_scores(winners, losers, people, 4, n_resamples=50, seed=9)
    weighted = bootstrap_scores(winners, losers, people, 4, n_resamples=50, seed=9, weights=np.ones(30))
    assert weighted.scores == pytest.approx(plain.scores)
    assert weighted.score_low == pytest.approx(plain.score_low)


def test_stability_of_a_clear_order_and_of_a_tie():
    rng = np.random.default_rng(7)
    n = 4
    strengths = np.array([3.0, 1.5, 0.0, -1.5])
    left = rng.integers(0, n, 4000)
    right = (left + rng.integers(1, n, 4000)) % n
    left_wins = rng.random(4000) < 1 / (1 + np.exp(strengths[right] - strengths[left]))
    winners, losers = np.where(left_wins, left, right), np.where(left_wins, right, left)
    result = bootstrap_scores(winners, losers, np.arange(4000) // 20, n, n_resamples=200)
    clear = top_k_stability(result.scores, result.samples, k=2, n_votes=4000)
    assert clear.settled_top == 3 and clear.agreement >= 0.95 and clear.more_votes_needed == 0

    tie = bootstrap_scores([0, 1] * 50, [1, 0] * 50, np.arange(100), 2, n_resamples=200)
    unsettled = top_k_stability(tie.scores, tie.samples, k=1, n_votes=100)
    assert unsettled.settled_top == 0 and unsettled.agreement < 0.95
    assert unsettled.more_votes_needed > 0


def test_sandwich_intervals_agree_with_the_bootstrap_over_respondents():
    rng = np.random.default_rng(11)
    n_items, people = 8, 400
    strengths = rng.normal(0, 1, n_items)
    # each person has their own taste (so their votes are correlated) and casts 15 votes
    taste = strengths + rng.normal(0, 0.8, (people, n_items))
    person = np.repeat(np.arange(people), 15)
    left = rng.integers(0, n_items, person.size)
    right = (left + rng.integers(1, n_items, person.size)) % n_items
    left_wins = rng.random(person.size) < 1 / (1 + np.exp(taste[person, right] - taste[person, left]))
    winners, losers = np.where(left_wins, left, right), np.where(left_wins, right, left)
    boot = bootstrap_scores(winners, losers, person, n_items, n_resamples=600, seed=1)
    sandwich = sandwich_scores(winners, losers, person, n_items)
    assert sandwich.scores == pytest.approx(boot.scores)
    boot_width = boot.score_high - boot.score_low
    sandwich_width = sandwich.score_high - sandwich.score_low
    assert sandwich_width == pytest.approx(boot_width, rel=0.2)
    assert sandwich.samples.shape == (200, n_items)


def test_sandwich_is_wider_than_treating_votes_as_independent():
    people = np.repeat(np.arange(30), 40)
    winners = np.where(people < 18, 0, 1)
    clustered = sandwich_scores(winners, 1 - winners, people, 2)
    independent = sandwich_scores(winners, 1 - winners, np.arange(people.size), 2)
    assert (clustered.score_high - clustered.score_low)[0] > 3 * (
        independent.score_high - independent.score_low
    )[0]


def test_an_item_nobody_compared_gets_no_score_not_fifty():
    # Items 0-2 compared (0 beats 1 beats 2, each by several people); item 3 never shown. The old code gave
    # item 3 a score of 50 with the narrowest interval in the table.
    rng = np.random.default_rng(4)
    winners, losers, people = simulate_votes([1.0, 0.0, -1.0], 600, 60, rng)
    result = connected_scores(winners, losers, people, 4, n_resamples=50)
    assert result.graph.connected and result.graph.compared.tolist() == [True, True, True, False]
    assert np.isnan(result.scores[3]) and np.isnan(result.score_low[3]) and np.isnan(result.score_high[3])
    # The compared items are scored against each other only: the same as fitting the three alone.
    alone = bootstrap_scores(winners, losers, people, 3, n_resamples=50)
    np.testing.assert_allclose(result.scores[:3], alone.scores, atol=1e-9)
    np.testing.assert_allclose(result.score_low[:3], alone.score_low, atol=1e-9)
    assert result.scores[:3].mean() == pytest.approx(50)


def test_disconnected_comparisons_publish_no_common_scale():
    # {0, 1} and {2, 3} were only ever compared within their pair: each would be centred on 50 on its own.
    winners = [0, 0, 0, 1, 2, 3, 3, 3]
    losers = [1, 1, 1, 0, 3, 2, 2, 2]
    people = [0, 1, 2, 3, 0, 1, 2, 3]
    graph = comparison_graph(win_matrix(winners, losers, 5))
    assert graph.n_groups == 2 and not graph.connected
    assert graph.groups.tolist() == [0, 0, 1, 1, -1]
    for method, options in (("bootstrap", {"n_resamples": 20}), ("sandwich", {"n_draws": 20})):
        result = connected_scores(winners, losers, people, 5, method, **options)
        assert np.isnan(result.scores).all() and np.isnan(result.score_low).all()
        assert result.samples.shape == (0, 5) or np.isnan(result.samples).all()


def test_a_connected_graph_by_hand():
    # 0-1 and 1-2 compared (in either direction): one group, though 0 and 2 never met.
    graph = comparison_graph(win_matrix([0, 2], [1, 1], 3))
    assert graph.connected and graph.groups.tolist() == [0, 0, 0]
    assert comparison_graph(np.zeros((3, 3))).n_groups == 0


def test_equal_voice_weights_by_hand():
    # Person 0 votes 3 times, persons 1 and 2 once each: the median person votes once.
    assert equal_voice([0, 0, 0, 1, 2]).tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 1, 1])
    assert equal_voice([]).size == 0


def test_heavy_voters_do_not_count_more_with_one_person_one_voice():
    # 90 residents make 10 choices each from the model; 10 residents always choose item 0. When the ten make
    # 100 choices (their 10, ten times over) instead of 10, the per-vote score of item 0 jumps, while the
    # one-person-one-voice score stays where it was (to within the weak prior's pull).
    rng = np.random.default_rng(8)
    w, lo, people = simulate_votes([0.0, 0.0, 0.0, 0.0], 900, 90, rng)
    keen_w = np.zeros(100, dtype=np.int64)
    keen_l = np.tile([1, 2, 3, 1, 2, 3, 1, 2, 3, 1], 10)
    keen_p = np.repeat(np.arange(90, 100), 10)

    def votes(repeat):
        winners = np.concatenate([w, np.tile(keen_w, repeat)])
        losers = np.concatenate([lo, np.tile(keen_l, repeat)])
        respondents = np.concatenate([people, np.tile(keen_p, repeat)])
        return winners, losers, respondents

    light, heavy = votes(1), votes(10)
    per_vote_light = bootstrap_scores(*light, 4, n_resamples=0).scores[0]
    per_vote_heavy = bootstrap_scores(*heavy, 4, n_resamples=0).scores[0]
    voice_light = bootstrap_scores(*light, 4, n_resamples=0, vote_weights=equal_voice(light[2])).scores[0]
    voice_heavy = bootstrap_scores(*heavy, 4, n_resamples=0, vote_weights=equal_voice(heavy[2])).scores[0]
    assert per_vote_heavy > per_vote_light + 10
    assert voice_heavy == pytest.approx(voice_light, abs=0.2)
    # The intervals resample people with the same weights: the bootstrap and the sandwich agree.
    boot = bootstrap_scores(*heavy, 4, n_resamples=400, vote_weights=equal_voice(heavy[2]), seed=1)
    sand = sandwich_scores(*heavy, 4, vote_weights=equal_voice(heavy[2]))
    np.testing.assert_allclose(boot.score_high - boot.score_low, sand.score_high - sand.score_low, rtol=0.25)


def test_logit_interval_by_hand():
    # Score 80 (log-odds log 4), standard error 0.5 on that scale, 10 people: t(9) = 2.262157 times
    # sqrt(10/9); limits 100 * expit(log 4 -/+ 2.384523 * 0.5).
    low, high = logit_interval([80.0], [0.5], 10)
    half = 2.2621571627982053 * np.sqrt(10 / 9) * 0.5
    assert low[0] == pytest.approx(100 / (1 + np.exp(-(np.log(4) - half))))
    assert high[0] == pytest.approx(100 / (1 + np.exp(-(np.log(4) + half))))
    # Never beyond 0-100, and asymmetric towards the middle near an end.
    low, high = logit_interval([97.0], [1.0], 10)
    assert 0 < low[0] < 97 < high[0] < 100 and 97 - low[0] > high[0] - 97


def test_expanded_percentile_interval_by_hand():
    # Resamples 0, 1, ..., 1000 for one item. With 10 people the level is widened until the normal quantile
    # is t(9) x sqrt(10/9) = 2.262157 x 1.054093 = 2.384523: a tail of Phi(-2.384523) = 0.0085506 each side,
    # so the limits are the 0.85506th and 99.14494th percentiles, 8.5506 and 991.4494.
    samples = np.arange(1001.0)[:, None]
    low, high = expanded_percentile_interval(samples, 10)
    assert low[0] == pytest.approx(8.5506, abs=1e-3) and high[0] == pytest.approx(991.4494, abs=1e-3)
    # With very many people it is the plain 95% percentile interval (numpy's percentiles).
    low, high = expanded_percentile_interval(samples, 1e9)
    assert low[0] == pytest.approx(np.percentile(samples, 2.5)) and high[0] == pytest.approx(975.0)
    # Skewed resamples give a skewed interval (a symmetric one could not).
    skewed = np.exp(np.random.default_rng(3).normal(0, 1, (4000, 1)))
    low, high = expanded_percentile_interval(skewed, 50)
    assert high[0] - np.median(skewed) > 3 * (np.median(skewed) - low[0])


def test_bootstrap_scores_take_the_interval_method():
    rng = np.random.default_rng(8)
    winners, losers, respondents = simulate_votes(np.array([1.0, 0.0, -1.0]), 300, 30, rng)
    result = bootstrap_scores(
        winners, losers, respondents, 3, n_resamples=100, interval="expanded percentile"
    )
    low, high = expanded_percentile_interval(result.samples, 30)
    assert result.score_low == pytest.approx(low) and result.score_high == pytest.approx(high)
    with pytest.raises(ValueError, match="interval must be one of"):
        bootstrap_scores(winners, losers, respondents, 3, n_resamples=10, interval="percentile")


# --- Point scores for breakdowns and the workshop room; no interval below the minimum ----------------------


def test_point_scores_leave_out_items_nobody_compared():
    # Items 0-2 compared, item 3 never: its score is NaN, and the others are scored among themselves exactly
    # as the main table scores them (beat a random *compared* other).
    winners, losers = [0, 0, 1, 2, 0], [1, 2, 2, 1, 1]
    scores = point_scores(winners, losers, 4)
    assert np.isnan(scores[3])
    expected = beat_random_scores(fit_bradley_terry(win_matrix(winners, losers, 3)))
    assert scores[:3] == pytest.approx(expected)
    assert scores[:3] == pytest.approx(
        connected_scores(winners, losers, [0] * 5, 4, n_resamples=0).scores[:3]
    )


def test_point_scores_publish_nothing_when_comparisons_split():
    # {0, 1} and {2, 3} were never compared across: no common scale, so no scores at all.
    assert np.isnan(point_scores([0, 2], [1, 3], 4)).all()


def test_point_scores_take_vote_weights():
    winners, losers = [0, 0, 1], [1, 1, 0]
    weights = [0.5, 0.5, 1.0]  # one person's two votes against another's one: even
    assert point_scores(winners, losers, 2, weights) == pytest.approx([50.0, 50.0])


@pytest.mark.parametrize("method", ["bootstrap", "sandwich"])
def test_no_interval_below_the_minimum_respondents(method):
    from engage.stats.allocation import MIN_INTERVAL_RESPONDENTS

    rng = np.random.default_rng(2)
    options = {"n_resamples": 50} if method == "bootstrap" else {"n_draws": 0}
    for people, shown in ((MIN_INTERVAL_RESPONDENTS - 1, False), (MIN_INTERVAL_RESPONDENTS, True)):
        winners, losers, _ = simulate_votes(np.array([1.0, 0.0, -1.0]), 20 * people, people, rng)
        respondents = np.repeat(np.arange(people), 20)
        result = connected_scores(winners, losers, respondents, 3, method, **options)
        assert not np.isnan(result.scores).any()
        assert np.isnan(result.score_low).all() != shown and np.isnan(result.score_high).all() != shown
    # Weighted: an effective number of people under the minimum gives none either (Kish: 12 people, one
    # with weight 10 -> (11 + 10)^2 / (11 + 100) = 3.97).
    weights = np.r_[np.ones(11), 10.0]
    winners, losers, _ = simulate_votes(np.array([1.0, 0.0, -1.0]), 240, 12, rng)
    result = connected_scores(
        winners, losers, np.repeat(np.arange(12), 20), 3, method, weights=weights, **options
    )
    assert np.isnan(result.score_low).all()
