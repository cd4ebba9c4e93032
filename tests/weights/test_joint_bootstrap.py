"""One bootstrap over people across a weight set's sources: a person is resampled together wherever the
sources can tell it is the same person (issue 22, item 10)."""

import numpy as np

from engage.stats.blend import PersonDraws
from engage.weights.models import WeightSource
from engage.weights.sources import RESAMPLES, estimate_source


def test_a_consultations_responses_are_linked_across_its_grids_and_exercises_are_not(board_with_answers):
    b = board_with_answers
    priorities = b["board"].active_priorities
    channels = ["online", "workshop", "paper"]
    draws = PersonDraws(RESAMPLES)
    grid = WeightSource(question=b["question"], blend=50)
    first = estimate_source(grid, priorities, channels, False, draws)
    named = len(draws)
    # A second grid of the same consultation names the same responses: no new people, the same weights.
    again = WeightSource(question=b["question"], blend=50)
    second = estimate_source(again, priorities, channels, False, draws)
    assert named == 35 and len(draws) == 35
    assert np.allclose(first.strengths.samples, second.strengths.samples, equal_nan=True)
    # An exercise's respondents are other people as far as Engage can tell: 30 new people.
    estimate_source(WeightSource(exercise=b["budget"], blend=50), priorities, channels, False, draws)
    assert len(draws) == 35 + 30
