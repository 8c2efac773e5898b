"""The one percentage rule: part/base×100, 四舍五入 to two decimals; the checker honours stated precision."""

from decimal import Decimal as D

from fundflow.core.disclosure.percent import agrees, percent, places_of, show


def test_document_rule_is_half_up_two_places():
    assert percent(D("416.59"), D("1051.79")) == D("39.61")
    assert percent(D("1"), D("800")) == D("0.13")  # 0.125: half-up, not half-even (0.12)
    assert percent(D("1"), D("3")) == D("33.33")
    assert show(percent(D("0"), D("5"))) == "0.00%"
    assert percent(D("5"), D("0")) is None


def test_stated_precision_is_respected():
    assert places_of(D("40")) == 0
    assert places_of(D("4.51")) == 2
    assert agrees(D("40"), D("416.59"), D("1051.79"))
    assert agrees(D("39.61"), D("416.59"), D("1051.79"))
    assert agrees(D("39.6"), D("416.59"), D("1051.79"))  # 39.6077… at one place
    assert not agrees(D("39.5"), D("416.59"), D("1051.79"))
    assert not agrees(D("2"), D("22.28"), D("394.31"))
    assert agrees(D("5.65"), D("22.28"), D("394.31"))
