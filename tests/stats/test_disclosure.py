"""Small-cell suppression: hand-worked groups and tables, and the linear-programming attack on generated
tables (issue 18, findings 2 and 3)."""

import numpy as np
import pytest

from engage.stats.disclosure import (
    OTHER_GROUP,
    Relations,
    TableLayout,
    counts_relations,
    differencing_step,
    feasible_ranges,
    protect,
    protect_breakdowns,
    protect_counts,
    protect_table,
    round_to_step,
    suppress_groups,
    table_relations,
)

T = 5


# Groups of people -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ([6, 7, 40], [False, False, False]),  # nothing small
        ([3, 3, 40], [True, True, False]),  # the two small ones hold 6 between them
        ([1, 2, 40, 30], [True, True, False, True]),  # 1 + 2 < 5: the next smallest (30) goes too
        ([4, 40, 30], [True, False, True]),  # a lone small group never stands alone
        ([0, 12, 4], [False, True, True]),  # nobody in a group: nothing to hide
        ([2, 1], [True, True]),  # everyone small: all hidden
    ],
)
def test_small_groups_are_hidden_with_enough_others_that_everyone_minus_the_rest_shows_no_one(sizes, hidden):
    assert suppress_groups(sizes, T).tolist() == hidden
    shown_people = sum(s for s, h in zip(sizes, hidden, strict=True) if not h)
    assert sum(sizes) - shown_people == 0 or sum(sizes) - shown_people >= T or all(hidden)


def test_a_threshold_under_one_is_refused():
    with pytest.raises(ValueError):
        suppress_groups([1, 2], 0)
    with pytest.raises(ValueError):
        protect_counts([1, 2], 3, 0)


# The attack -------------------------------------------------------------------------------------------


def _two_by_two():
    # cells [[3, 7], [6, 4]], rows 10 and 10, columns 9 and 11, 20 in all
    layout = TableLayout(2, 2)
    values = np.array([3, 7, 6, 4, 10, 10, 9, 11, 20], dtype=float)
    return layout, values, table_relations(layout)


def test_one_hidden_cell_with_its_totals_shown_is_worked_out_exactly():
    _layout, values, relations = _two_by_two()
    hidden = np.zeros(9, dtype=bool)
    hidden[0] = True
    low, high = feasible_ranges(values, hidden, relations)
    assert (low[0], high[0]) == pytest.approx((3, 3))


def test_all_four_cells_hidden_leave_the_frechet_bounds():
    # x00 lies between max(0, r0 + c0 - total) = 0 and min(r0, c0) = 9, so x01 = 10 - x00 between 1 and 10,
    # x10 = 9 - x00 between 0 and 9 and x11 = 10 - x10 between 1 and 10.
    _layout, values, relations = _two_by_two()
    hidden = np.zeros(9, dtype=bool)
    hidden[:4] = True
    low, high = feasible_ranges(values, hidden, relations)
    assert low[:4] == pytest.approx([0, 1, 0, 1])
    assert high[:4] == pytest.approx([9, 10, 9, 10])


def test_the_old_row_only_rule_is_undone_by_a_column_total():
    # The old rule hid 3 and the next smallest of its row (10), leaving the column total 3 + 8 = 11 to give
    # the 3 away.
    cells = np.array([[3, 10, 12], [8, 9, 20]])
    layout = TableLayout(2, 3)
    values = np.concatenate([cells.ravel(), cells.sum(1), cells.sum(0), [cells.sum()]]).astype(float)
    hidden = np.zeros(layout.size, dtype=bool)
    hidden[[0, 1]] = True
    low, high = feasible_ranges(values, hidden, table_relations(layout))
    assert (low[0], high[0]) == pytest.approx((3, 3))
    protected = protect_table(cells, cells.sum(1), cells.sum(0), T)
    assert protected.cells[0, 0] and protected.primary[0, 0]
    assert not protected.primary[protected.cells & (cells >= T)].any()  # the others are secondary
    width = (protected.high - protected.low)[layout.cells].reshape(cells.shape)
    assert (width[protected.cells] >= T).all()


def test_a_mean_pins_two_hidden_counts_so_a_third_is_hidden():
    # Ratings 0-3 given by 10, 3, 7 and 8 people (28 answered, mean 41/28). Hiding 3 and 7 alone: x1 + x2 = 10
    # and x1 + 2 x2 = 17 give x1 = 3 exactly.
    counts, answered = [10, 3, 7, 8], 28
    mean = (3 + 14 + 24) / 28
    relations = counts_relations(4, scores=[0, 1, 2, 3], mean=mean)
    values = np.array([*counts, answered], dtype=float)
    low, high = feasible_ranges(values, np.array([False, True, True, False, False]), relations)
    assert (low[1], high[1]) == pytest.approx((3, 3))
    hidden = protect_counts(counts, answered, T, scores=[0, 1, 2, 3], mean=mean)
    assert hidden.tolist() == [False, True, True, True]


def test_overall_counts_hide_enough_to_add_up_to_the_threshold():
    assert protect_counts([3, 10, 12, 0], 25, T).tolist() == [True, True, False, False]
    assert protect_counts([1, 2, 40], 43, T).tolist() == [True, True, True]
    assert protect_counts([1, 2, 40], 3, T).tolist() == [True, True, True]  # too few answered: all
    assert not protect_counts([6, 9, 0], 15, T).any()


def test_tick_all_that_apply_counts_are_bounded_by_the_people_answering():
    # 12 people ticked 3, 12 and 11 times: hiding the 3 alone leaves it anywhere from 0 to 12.
    assert protect_counts([3, 12, 11], 12, T, one_answer_each=False).tolist() == [True, False, False]


def test_a_small_group_is_hidden_whole_and_a_hidden_overall_count_is_protected_in_the_table():
    cells = np.array([[1, 2, 0], [6, 0, 12], [7, 0, 15]])
    columns_hidden = protect_counts(cells.sum(0), cells.sum(), T)
    assert columns_hidden.tolist() == [True, True, False]  # 2 chose the middle answer: it and the 14 hidden
    protected = protect_table(cells, cells.sum(1), cells.sum(0), T, columns_hidden=columns_hidden)
    assert protected.rows[0] and protected.cells[0, :2].all() and not protected.cells[0, 2]
    layout = TableLayout(3, 3)
    hidden = np.zeros(layout.size, dtype=bool)
    hidden[layout.cells] = protected.cells.ravel()
    hidden[layout.rows] = protected.rows
    hidden[layout.columns] = columns_hidden
    assert ((protected.high - protected.low)[hidden] >= T).all()


def test_who_we_heard_from_is_part_of_what_an_attacker_knows():
    # Group 0's row total (3) is hidden, but "who we heard from" publishes 3 people in it: the row is still
    # hidden whole, and the heard-from count is hidden on its page (its own small count).
    cells = np.array([[1, 2], [10, 12], [8, 9]])
    heard_hidden = suppress_groups([3, 22, 17], T)
    protected = protect_table(
        cells,
        cells.sum(1),
        cells.sum(0),
        T,
        heard=[3, 22, 17],
        heard_rows=[0, 1, 2],
        heard_hidden=heard_hidden,
    )
    assert protected.rows[0] and protected.cells[0].all()
    hidden_cells = np.flatnonzero(protected.cells.ravel())
    assert ((protected.high - protected.low)[hidden_cells] >= T).all()


def test_protect_leaves_nothing_narrow_on_a_hand_table():
    cells = np.array([[3, 10, 12], [8, 9, 20], [15, 2, 6], [0, 7, 30]])
    protected = protect_table(cells, cells.sum(1), cells.sum(0), T)
    assert protected.primary.sum() == 2
    assert ((protected.high - protected.low)[: cells.size][protected.cells.ravel()] >= T).all()
    assert not protected.cells[3, 0]  # a zero stays shown


def test_relations_that_contradict_the_figures_are_an_error():
    relations = Relations.build(3, equal=[{0: 1.0, 1: -1.0}])
    with pytest.raises(ValueError):
        feasible_ranges([1, 2, 9], [False, False, True], relations)  # x0 == x1, but they show 1 and 2
    assert protect([1, 1, 9], relations, T).hidden.tolist() == [True, True, False]


# Generated tables: the attack must pin down nothing ----------------------------------------------------


def random_table(rng: np.random.Generator):
    """A consultation-like table: a few big groups and answers, many small ones; single or tick-all."""
    groups, answers = int(rng.integers(2, 8)), int(rng.integers(2, 6))
    sizes = rng.choice([1, 2, 3, 6, 15, 40, 120], size=groups, p=[0.1, 0.1, 0.15, 0.15, 0.2, 0.2, 0.1])
    popularity = rng.dirichlet(np.full(answers, 0.6))
    if rng.random() < 0.75:
        cells = np.vstack([rng.multinomial(n, popularity) for n in sizes])
        return cells, cells.sum(1), True
    ticks = rng.random((int(sizes.sum()), answers)) < popularity * 1.5
    ticks[np.arange(len(ticks)), rng.choice(answers, size=len(ticks), p=popularity)] = True
    owner = np.repeat(np.arange(groups), sizes)
    cells = np.vstack([ticks[owner == g].sum(0) for g in range(groups)])
    return cells, sizes, False


def row_only_rule(cells: np.ndarray, row_totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The old rule (cells and small rows hidden within their row), for the before figures."""
    mask = (cells > 0) & (cells < T)
    small = (row_totals > 0) & (row_totals < T)
    for g, row in enumerate(cells):
        if small[g]:
            mask[g] = row > 0
        elif mask[g].sum() == 1:
            shown = np.flatnonzero(~mask[g])
            if shown.size:
                mask[g, shown[np.argmin(row[shown])]] = True
    return mask, small


def attack(cells, row_totals, one_answer_each, cells_hidden, rows_hidden, columns_hidden):
    """Every hidden figure's range from what is published: the table (rows, cells), the overall counts
    and the number answering."""
    layout = TableLayout(*cells.shape)
    values = np.concatenate([cells.ravel(), row_totals, cells.sum(0), [row_totals.sum()]]).astype(float)
    hidden = np.concatenate([cells_hidden.ravel(), rows_hidden, columns_hidden, [False]])
    low, high = feasible_ranges(values, hidden, table_relations(layout, one_answer_each=one_answer_each))
    return (high - low)[hidden]


def generated_tables(count: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        cells, rows, single = random_table(rng)
        if rows.sum() >= T:
            yield cells, rows, single


def measure(count: int, seed: int) -> dict[str, int]:
    """Hidden figures the attack pins down (exactly, and to a range under the threshold), before and after."""
    figures = dict.fromkeys(["tables", "hidden_before", "exact_before", "narrow_before", "hidden_after"], 0)
    figures |= {"exact_after": 0, "narrow_after": 0}
    for cells, rows, single in generated_tables(count, seed):
        figures["tables"] += 1
        old, old_rows = row_only_rule(cells, rows)
        width = attack(cells, rows, single, old, old_rows, np.zeros(cells.shape[1], dtype=bool))
        figures["hidden_before"] += width.size
        figures["exact_before"] += int((width < 0.5).sum())
        figures["narrow_before"] += int((width < T - 1e-6).sum())
        columns = protect_counts(cells.sum(0), rows.sum(), T, one_answer_each=single)
        new = protect_table(cells, rows, cells.sum(0), T, columns_hidden=columns, one_answer_each=single)
        width = attack(cells, rows, single, new.cells, new.rows, columns)
        figures["hidden_after"] += width.size
        figures["exact_after"] += int((width < 0.5).sum())
        figures["narrow_after"] += int((width < T - 1e-6).sum())
    return figures


def test_the_attack_pins_down_nothing_in_generated_tables():
    figures = measure(60, seed=18)
    assert figures["tables"] >= 55
    assert figures["narrow_before"] > 0  # the old rule leaks on these tables
    assert figures["exact_after"] == 0
    assert figures["narrow_after"] == 0


# Breakdowns of an exercise's results ----------------------------------------------------------------


def _people(start: int, count: int) -> set[int]:
    return set(range(start, start + count))


def test_a_breakdown_shows_small_groups_only_together_as_other():
    everyone = _people(0, 60)
    religion = {
        "none": _people(0, 40),
        "christian": _people(40, 14),
        "sikh": _people(54, 3),
        "jewish": _people(57, 3),
    }
    shown = protect_breakdowns({"religion": religion}, everyone, T)["religion"]
    assert set(shown) == {"none", "christian", OTHER_GROUP}
    assert shown[OTHER_GROUP] == _people(54, 6)


def test_one_small_group_is_hidden_with_the_next_smallest():
    everyone = _people(0, 50)
    sex = {"female": _people(0, 30), "male": _people(30, 18), "not said": _people(48, 2)}
    shown = protect_breakdowns({"sex": sex}, everyone, T)["sex"]
    # 2 alone would be everyone less the rest: "male" (18) is hidden with it, and both show as other.
    assert set(shown) == {"female", OTHER_GROUP} and len(shown[OTHER_GROUP]) == 20


def test_two_breakdowns_whose_groups_differ_by_one_person_do_not_both_show():
    # "no religion" and "no disability" are the same 20 people but one: the two groups' results would give
    # that one person's answers away. The smaller group is hidden (with the next smallest of its breakdown).
    everyone = _people(0, 50)
    religion = {"none": _people(0, 20), "christian": _people(20, 30)}
    disability = {"no": _people(0, 21), "yes": _people(21, 29)}
    shown = protect_breakdowns({"religion": religion, "disability": disability}, everyone, T)
    assert "none" not in shown["religion"]
    groups = [people for visible in shown.values() for people in visible.values()]
    for i, a in enumerate(groups):
        for b in groups[i + 1 :]:
            assert a == b or len(a - b) >= T or len(b - a) >= T
    assert all(len(g) >= T for g in groups)


def test_everything_small_shows_nothing():
    everyone = _people(0, 4)
    shown = protect_breakdowns({"sex": {"female": _people(0, 3), "male": _people(3, 1)}}, everyone, T)
    assert shown == {"sex": {}}


def test_a_ratings_mean_is_part_of_what_protects_a_breakdown_of_it():
    # Ratings 0-3: the results page hides the 3, 7 and 8 people's counts (with the mean, two would do).
    # Broken down by two groups, the mean is one more relation among the hidden column totals.
    cells = np.array([[6, 1, 3, 4], [4, 2, 4, 4]])
    scores = [0, 1, 2, 3]
    columns = cells.sum(0)
    mean = float(np.dot(scores, columns) / cells.sum())
    columns_hidden = protect_counts(columns, cells.sum(), T, scores=scores, mean=mean)
    protected = protect_table(cells, cells.sum(1), columns, T, columns_hidden=columns_hidden, scores=scores)
    layout = TableLayout(2, 4)
    values = np.concatenate([cells.ravel(), cells.sum(1), columns, [cells.sum()]]).astype(float)
    hidden = np.concatenate([protected.cells.ravel(), protected.rows, columns_hidden, [False]])
    relations = table_relations(layout, scores=scores, mean=mean)
    low, high = feasible_ranges(values, hidden, relations)
    assert ((high - low)[hidden] >= T - 1e-6).all()


# -- a live mean, read before and after one more person answered ------------------------------------------


@pytest.mark.parametrize(
    ("respondents", "step"),
    # (2n + 1) x step must reach 0.5: n = 1 needs 0.5/3 = 0.167, so 0.2; n = 5: 0.5/11 = 0.045, so 0.05;
    # n = 50: 0.5/101 = 0.00495, so 0.005; n = 250: 0.5/501 = 0.000998, so 0.001 (the finest).
    [
        (1, 0.2),
        (2, 0.1),
        (5, 0.05),
        (12, 0.02),
        (24, 0.02),
        (25, 0.01),
        (50, 0.005),
        (250, 0.001),
        (10**6, 0.001),
    ],
)
def test_the_differencing_step_by_hand(respondents, step):
    assert differencing_step(respondents) == pytest.approx(step)


def test_reading_a_rounded_mean_before_and_after_leaves_the_newcomer_unknown():
    """Whatever the newcomer gave, every share from 0 to 1 in a range 0.5 wide fits the two readings."""
    rng = np.random.default_rng(7)
    for n in (5, 9, 30, 200):
        before = rng.uniform(0, 1, n)
        for newcomer in (0.0, 0.3, 1.0):
            step_before, step_after = differencing_step(n), differencing_step(n + 1)
            shown_before = round_to_step(before.mean(), step_before)
            shown_after = round_to_step((before.sum() + newcomer) / (n + 1), step_after)
            low = (n + 1) * (shown_after - step_after / 2) - n * (shown_before + step_before / 2)
            high = (n + 1) * (shown_after + step_after / 2) - n * (shown_before - step_before / 2)
            assert low <= newcomer <= high and high - low >= 0.5 - 1e-9


def test_round_to_step_rounds_half_away_from_zero():
    assert round_to_step([0.275, 0.274, 0.025], 0.05).tolist() == pytest.approx([0.3, 0.25, 0.05])
