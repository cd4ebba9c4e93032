"""Rankings to pairwise wins, Borda points, mean rank and the beat-a-random-other score."""

import numpy as np
import pytest

from engage.stats.pairwise import beat_random_scores, bootstrap_scores, fit_bradley_terry, win_matrix
from engage.stats.ranking import borda_points, rank_summary, rankings_to_pairs, rankings_to_places


def test_a_full_ranking_breaks_into_every_pair():
    winners, losers, people = rankings_to_pairs([[2, 0, 1]], 3)
    assert sorted(zip(winners.tolist(), losers.tolist(), strict=True)) == [(0, 1), (2, 0), (2, 1)]
    assert people.tolist() == [0, 0, 0]


def test_a_top_n_ranking_beats_the_unranked_items():
    winners, losers, _ = rankings_to_pairs([[3]], 4)
    assert winners.tolist() == [3, 3, 3] and sorted(losers.tolist()) == [0, 1, 2]


def test_bad_rankings_are_refused():
    with pytest.raises(ValueError):
        rankings_to_pairs([[0, 0]], 3)
    with pytest.raises(ValueError):
        borda_points([[5]], 3)


def test_borda_by_hand():
    # 3 items: A first twice, B first once
    points = borda_points([[0, 1, 2], [0, 2, 1], [1, 0, 2]], 3)
    assert points.tolist() == pytest.approx([(2 + 2 + 1) / 3, (1 + 0 + 2) / 3, (0 + 1 + 0) / 3])
    # a top-1 ranking shares the remaining points (1 and 0) equally between the unranked pair
    assert borda_points([[2]], 3).tolist() == [0.5, 0.5, 2.0]


def test_mean_rank_and_first_choices():
    mean_rank, first = rank_summary([[0, 1], [1, 0], [0]], 3)
    assert mean_rank[0] == pytest.approx(4 / 3) and mean_rank[1] == pytest.approx(1.5)
    assert np.isnan(mean_rank[2])
    assert first.tolist() == pytest.approx([2 / 3, 1 / 3, 0])


def test_scores_from_rankings_recover_the_true_order():
    rng = np.random.default_rng(8)
    utilities = np.array([2.0, 1.0, 0.0, -1.0])
    rankings = [
        list(np.argsort(-(utilities + rng.gumbel(size=4)))) for _ in range(400)
    ]  # Plackett-Luce draws
    winners, losers, people = rankings_to_pairs(rankings, 4)
    scores = beat_random_scores(fit_bradley_terry(win_matrix(winners, losers, 4)))
    assert np.argsort(-scores).tolist() == [0, 1, 2, 3]
    result = bootstrap_scores(winners, losers, people, 4, n_resamples=100)
    assert np.all(result.score_low <= result.scores) and np.all(result.scores <= result.score_high)


def _pairs_by_loop(rankings, n):
    """The plain definition, one ranking at a time: what the vectorised version must equal."""
    pairs = []
    for person, ranking in enumerate(rankings):
        unranked = [i for i in range(n) if i not in ranking]
        for position, item in enumerate(ranking):
            pairs += [(item, other, person) for other in list(ranking[position + 1 :]) + unranked]
    return sorted(pairs)


def test_vectorised_pairs_equal_the_definition_for_random_top_n_rankings():
    rng = np.random.default_rng(3)
    rankings = [list(rng.permutation(6)[: rng.integers(0, 7)]) for _ in range(200)]
    winners, losers, people = rankings_to_pairs(rankings, 6)
    assert sorted(zip(winners.tolist(), losers.tolist(), people.tolist(), strict=True)) == _pairs_by_loop(
        rankings, 6
    )
    assert np.all(np.diff(people) >= 0)  # grouped by person, as the bootstrap expects
    places = rankings_to_places(rankings, 6)
    assert borda_points(places, 6).tolist() == pytest.approx(borda_points(rankings, 6).tolist())


def test_weighted_mean_place_first_places_and_borda_by_hand():
    # Three people rank 3 items in full: (0, 1, 2), (0, 1, 2), (2, 1, 0), with weights 1, 1, 4.
    rankings = [[0, 1, 2], [0, 1, 2], [2, 1, 0]]
    weights = [1, 1, 4]
    mean_rank, first = rank_summary(rankings, 3, weights)
    # Item 0: places 1, 1, 3 -> (1 + 1 + 12) / 6; item 2: 3, 3, 1 -> (3 + 3 + 4) / 6.
    assert mean_rank == pytest.approx([14 / 6, 2, 10 / 6])
    assert first == pytest.approx([2 / 6, 0, 4 / 6])
    # Borda points 2, 1, 0 for first, second, third: item 0 gets (2 + 2 + 0) / 6.
    assert borda_points(rankings, 3, weights) == pytest.approx([4 / 6, 1, 8 / 6])
    # Weights of one give the unweighted answers.
    assert borda_points(rankings, 3, [1, 1, 1]) == pytest.approx(borda_points(rankings, 3))


def test_weighted_mean_place_in_a_top_n_ranking_counts_only_those_who_ranked_it():
    # Top 1 of 3: item 1 ranked only by the second person (weight 3).
    mean_rank, _ = rank_summary([[0], [1], [0]], 3, [1, 3, 1])
    assert mean_rank[0] == 1 and mean_rank[1] == 1 and np.isnan(mean_rank[2])
