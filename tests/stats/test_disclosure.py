"""Small-cell suppression: hand-worked tables."""

import numpy as np
import pytest

from engage.stats.disclosure import suppressed


def test_cells_of_one_to_four_are_hidden_and_zeros_shown():
    table = np.array([[0, 4, 5, 12], [3, 2, 9, 20]])
    assert suppressed(table, 5, row_totals=False).tolist() == [
        [False, True, False, False],
        [True, True, False, False],
    ]


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it_when_totals_show():
    # Row 1 total 21 with only "4" hidden: 4 = 21 - 0 - 5 - 12, so the next smallest (the 0) is hidden too
    # and the two hidden cells could be 0+4, 1+3 or 2+2.
    # Row 2 has two hidden cells already: their sum is known, not each one.
    table = np.array([[0, 4, 5, 12], [3, 2, 9, 20]])
    assert suppressed(table, 5).tolist() == [
        [True, True, False, False],
        [True, True, False, False],
    ]


def test_the_smallest_other_cell_may_be_a_zero():
    # Hiding only the 2 would let 2 = 32 - 0 - 30 be worked out; the zero is the next smallest.
    assert suppressed(np.array([[2, 0, 30]]), 5).tolist() == [[True, True, False]]


def test_a_row_whose_total_is_small_is_hidden_whole():
    assert suppressed(np.array([[1, 0, 2], [10, 10, 10]]), 5).tolist() == [
        [True, False, True],
        [False, False, False],
    ]


def test_a_threshold_of_one_hides_nothing():
    assert not suppressed(np.array([[1, 2], [0, 3]]), 1).any()


@pytest.mark.parametrize(("table", "threshold"), [(np.array([1, 2, 3]), 5), (np.array([[1]]), 0)])
def test_bad_input_is_refused(table, threshold):
    with pytest.raises(ValueError):
        suppressed(table, threshold)
