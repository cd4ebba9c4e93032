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


def test_the_preview_states_the_assumption_where_people_cannot_be_linked(
    board_with_answers, make_weight_set, client, analyst
):
    from engage.weights.preview import compute_preview
    from tests.conftest import sign_in

    b = board_with_answers
    mixed = make_weight_set()  # two exercises and a grid: their people cannot be linked
    assert compute_preview(mixed).unlinked_sources
    alone = make_weight_set({f"question-{b['question'].id}": 100})
    assert not compute_preview(alone).unlinked_sources
    sign_in(client, analyst)
    page = client.get(f"/manage/weights/{mixed.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "answered by different people" in text
