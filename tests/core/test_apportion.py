from decimal import Decimal as D

import pytest

from fundflow.core.apportion import Apportion, adjust_to_target, group_targets, largest_remainder, round_each
from fundflow.core.money import Rounding

R0 = Rounding(0)


def test_round_each_is_plain_half_up():
    assert round_each([D("1.5"), D("2.49"), D("0.5")], R0) == [D(2), D(2), D(1)]


def test_largest_remainder_meets_the_target_and_breaks_ties_by_key_not_position():
    exact = [D("1.5"), D("1.5"), D("1.0")]
    assert largest_remainder(exact, D(4), R0, ["b", "a", "c"]) == [D(1), D(2), D(1)]
    assert largest_remainder(exact[::-1], D(4), R0, ["c", "a", "b"]) == [D(1), D(2), D(1)]


def test_largest_remainder_rejects_an_unreachable_target():
    with pytest.raises(ValueError, match="最大余额法"):
        largest_remainder([D("1.2"), D("1.2")], D(5), R0, [0, 1])


def test_adjust_to_target_moves_largest_priority_first_and_never_below_zero():
    adjusted, moves = adjust_to_target([D(0), D(5), D(3)], D(6), R0, [0, 1, 2])
    assert adjusted == [D(0), D(4), D(2)]
    assert [m.index for m in moves] == [1, 2]


def test_group_targets_give_the_missing_unit_to_the_first_group_leaning_that_way():
    # Rounded 11 + 1933 + 11 = 1955 but the pot is 1956. Largest remainder would pick the third group (.45);
    # the documented rule gives it to the first group in table order whose own lines already lean upward.
    exact = [D("11.31"), D("1933.24"), D("11.45")]
    targets, moves = group_targets(exact, D(1956), R0, lean=[1, 2, 0], tie_keys=[0, 1, 2])
    assert targets == [D(12), D(1933), D(11)]
    assert [(m.index, m.delta) for m in moves] == [(0, D(1))]


def test_group_targets_fall_back_to_largest_remainder_when_no_group_leans():
    targets, moves = group_targets([D("1.4"), D("1.3"), D("1.3")], D(4), R0, lean=[0, 0, 0], tie_keys=[0, 1, 2])
    assert targets == [D(2), D(1), D(1)]
    assert [m.index for m in moves] == [0]


def test_apportion_names_parse():
    assert Apportion.parse("hierarchical") is Apportion.HIERARCHICAL
    with pytest.raises(ValueError, match="尾差处理方式"):
        Apportion.parse("magic")
