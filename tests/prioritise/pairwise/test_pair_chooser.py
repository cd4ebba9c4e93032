"""The pair chooser depends on how often items and pairs were shown, never on who won (issue 22 item 7)."""

import random

import numpy as np

from engage.prioritise.models import Outcome
from engage.prioritise.pairwise import voting
from engage.stats.pairs import first_item_weights, partner_weights


def test_weights_by_hand():
    assert first_item_weights([0, 1, 3]).tolist() == [1.0, 0.25, 1 / 16]
    assert partner_weights([0, 2]).tolist() == [1.0, 1 / 9]


def test_the_same_pairs_are_shown_whoever_won(make_exercise, cast):
    # Two exercises with the same pairs shown, but opposite winners: the old chooser, which paired items
    # close in their running rating, chose differently; this one chooses the same pairs.
    # Here a beats b in the first and loses to b in the second; a beats c in both.
    first, second = make_exercise(title="One"), make_exercise(title="Two")
    for exercise, outcome in ((first, Outcome.LEFT), (second, Outcome.RIGHT)):
        a, b, c, _ = exercise.items
        for _ in range(6):
            cast(exercise, a, b, outcome)
            cast(exercise, a, c)

    def positions(exercise):
        where = {item.id: k for k, item in enumerate(exercise.items)}
        rng = random.Random(11)
        return [sorted(where[item.id] for item in voting.choose_pair(exercise, None, rng)) for _ in range(60)]

    assert positions(first) == positions(second)
    # And exposure still leads: the never-shown item 3 is in most pairs.
    assert np.mean([3 in pair for pair in positions(first)]) > 0.6
