from decimal import Decimal as D

import pytest

from fundflow.core.money import Rounding, RoundingMode, Unit, convert, fmt, percent


@pytest.mark.parametrize(
    ("mode", "value", "places", "expected"),
    [
        (RoundingMode.HALF_UP, "2.5", 0, "3"),
        (RoundingMode.HALF_UP, "-2.5", 0, "-3"),
        (RoundingMode.HALF_UP, "0.125", 2, "0.13"),
        (RoundingMode.HALF_EVEN, "2.5", 0, "2"),
        (RoundingMode.HALF_EVEN, "3.5", 0, "4"),
        (RoundingMode.HALF_EVEN, "0.125", 2, "0.12"),
        (RoundingMode.FLOOR, "2.99", 0, "2"),
        (RoundingMode.FLOOR, "-2.01", 0, "-3"),
        (RoundingMode.CEILING, "2.01", 0, "3"),
        (RoundingMode.CEILING, "48.501", 2, "48.51"),
    ],
)
def test_named_rounding(mode, value, places, expected):
    assert Rounding(places, mode).apply(D(value)) == D(expected)


def test_half_up_is_the_default_and_is_named():
    rounding = Rounding()
    assert rounding.mode is RoundingMode.HALF_UP
    assert rounding.describe() == "四舍五入取整"
    assert Rounding(2).describe() == "四舍五入保留2位小数"


def test_rounding_modes_parse_from_plan_spelling_and_chinese():
    assert RoundingMode.parse("half_even") is RoundingMode.HALF_EVEN
    assert RoundingMode.parse("四舍五入") is RoundingMode.HALF_UP
    with pytest.raises(ValueError, match="未知舍入方式"):
        RoundingMode.parse("bankers")


def test_places_out_of_range_is_rejected():
    with pytest.raises(ValueError, match="保留小数位数"):
        Rounding(7)


def test_units_convert_exactly():
    assert convert(D("485000"), Unit.YUAN, Unit.WAN) == D("48.5")
    assert convert(D("48.5"), Unit.WAN, Unit.YUAN) == D("485000")
    assert Unit.parse("万元") is Unit.WAN
    assert Unit.parse("yuan") is Unit.YUAN
    with pytest.raises(ValueError, match="未知金额单位"):
        Unit.parse("千元")


def test_display_helpers():
    assert fmt(D("48.5"), 2) == "48.50"
    assert fmt(D("-0.00")) == "0.00"
    assert fmt(D("-0"), 0) == "0"
    assert percent(D("0.33")) == "33%"
    assert percent(D("0.505")) == "50.5%"
