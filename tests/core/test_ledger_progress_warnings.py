"""Monitoring arithmetic (roll-up as a Hypothesis property) and the pure warning conditions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fundflow.core.ledger import warnings
from fundflow.core.ledger.chain import Identity
from fundflow.core.ledger.progress import RegionFlows, percent, roll_up, subtree_sum

D = Decimal


def test_percent_two_places_half_up_and_none_without_base():
    assert percent(D("1"), D("3")) == "33.33"
    assert percent(D("2"), D("3")) == "66.67"
    assert percent(D("0.005"), D("1")) == "0.50"
    assert percent(D("5"), D("0")) is None


def test_tacheng_chain_figures():
    flows = [
        RegionFlows("650000", None, received=D("1017820000.00"), allocated_lower=D("1017820000.00")),
        RegionFlows(
            "654200",
            "650000",
            received=D("33820000.00"),
            allocated_own=D("485000.00"),
            allocated_lower=D("30000000.00"),
            spent_own=D("100000.00"),
        ),
        RegionFlows(
            "654221", "654200", received=D("10000000.00"), allocated_own=D("8000000.00"), spent_own=D("2500000.00")
        ),
    ]
    p = roll_up(flows)
    assert p["654200"].unallocated == D("3335000.00")
    assert p["654200"].spent_total == D("2600000.00")
    assert p["654200"].allocation_progress == "90.14"
    assert p["654200"].spending_progress == "7.69"
    assert p["654221"].spending_progress == "25.00"
    assert p["650000"].spent_total == D("2600000.00")


money = st.integers(0, 10**9).map(lambda c: D(c).scaleb(-2))


@st.composite
def trees(draw):
    n = draw(st.integers(1, 30))
    flows = []
    for i in range(n):
        parent = None if i == 0 else str(draw(st.integers(0, i - 1)))
        flows.append(RegionFlows(str(i), parent, received=draw(money), spent_own=draw(money)))
    return draw(st.permutations(flows))


@given(trees())
def test_a_levels_total_is_its_own_plus_its_childrens(flows):
    p = roll_up(flows)
    for code, region in p.items():
        children = [c for c in p.values() if c.parent == code]
        assert region.spent_total == region.spent_own + sum((c.spent_total for c in children), D(0))
    parents = {r.code: r.parent for r in flows}
    assert subtree_sum({r.code: r.spent_own for r in flows}, parents) == {c: r.spent_total for c, r in p.items()}


def test_not_reallocated_after_limit():
    received = datetime.date(2021, 1, 5)
    kw = {"is_direct": True, "received_on": received, "issued_children": D(0)}
    assert warnings.not_reallocated("X", **kw, as_of=datetime.date(2021, 2, 4)) == []
    [f] = warnings.not_reallocated("X", **kw, as_of=datetime.date(2021, 2, 5))
    assert f.rule == "warn.not-reallocated"
    assert f.message == "直达资金指标 X 接收已 31 天仍未分配（时限 30 天）"
    assert f.severity == "warning"
    assert warnings.not_reallocated("X", **{**kw, "issued_children": D(1)}, as_of=datetime.date(2021, 6, 1)) == []
    assert warnings.not_reallocated("X", **{**kw, "is_direct": False}, as_of=datetime.date(2021, 6, 1)) == []


def test_spending_behind_schedule():
    schedule = {3: D("20"), 6: D("50"), 9: D("75"), 12: D("100")}
    as_of = datetime.date(2021, 7, 15)
    [f] = warnings.spending_behind(received=D("1000"), spent=D("499.99"), schedule=schedule, as_of=as_of)
    assert f.parameters == {"actual": "50.00", "expected": "50.00"}  # behind, exactly, though it prints equal
    assert warnings.spending_behind(received=D("1000"), spent=D("400"), schedule=schedule, as_of=as_of)[0].message == (
        "支出进度 40.00% 低于序时进度 50.00%"
    )
    assert warnings.spending_behind(received=D("1000"), spent=D("500"), schedule=schedule, as_of=as_of) == []
    assert warnings.spending_behind(received=D("0"), spent=D("0"), schedule=schedule, as_of=as_of) == []


def test_identity_code_and_date_warnings():
    parent = Identity("01", "中央直达资金", "医疗救助补助资金", "城乡医疗救助")
    child = Identity("01", "中央直达资金", "医疗救助资金", "城乡医疗救助")
    [f] = warnings.identity_mismatch(parent, child)
    assert f.parameters["field"] == "资金名称"
    assert warnings.code_mismatch(func_code="2101202", eco_code="", expected_func="21012", expected_eco="30307") == []
    [c] = warnings.code_mismatch(func_code="2080101", eco_code="30307", expected_func="21012", expected_eco="30307")
    assert c.message == "支付的功能科目 2080101 与指标的 21012 不一致"
    assert warnings.paid_before_year("X", advance=True, budget_year=2021, pay_date=datetime.date(2020, 12, 31))
    assert not warnings.paid_before_year("X", advance=True, budget_year=2021, pay_date=datetime.date(2021, 1, 1))
    assert not warnings.paid_before_year("X", advance=False, budget_year=2021, pay_date=datetime.date(2020, 12, 31))
