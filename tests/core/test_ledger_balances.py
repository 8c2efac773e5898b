"""Indicator balances and chain rules, with money conservation as a Hypothesis property."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fundflow.core.ledger.balances import (
    IndicatorFigures,
    check_issue,
    check_payment,
    check_reduction,
    check_refund,
)
from fundflow.core.ledger.chain import Identity, check_document_funds, check_inherited

D = Decimal
MEDICAL = Identity("01", "中央直达资金", "医疗救助补助资金", "城乡医疗救助")


def test_available_is_amount_plus_reductions_minus_children_minus_payments():
    f = IndicatorFigures(D("1000.00"), reductions=D("-100.00"), issued_children=D("300.00"), paid_net=D("50.00"))
    assert f.available == D("550.00")


def test_issue_over_available_is_refused_with_figures():
    f = IndicatorFigures(D("1000.00"), issued_children=D("900.00"))
    [p] = check_issue("X1", f, [D("60.00"), D("50.00")])
    assert p.rule == "ledger.exceeds-available"
    assert "110.00" in p.message
    assert "可用余额 100.00 元" in p.message
    assert check_issue("X1", f, [D("60.00"), D("40.00")]) == []


def test_amounts_must_be_positive():
    f = IndicatorFigures(D("1000.00"))
    assert [p.rule for p in check_issue("X1", f, [D("0.00")])] == ["ledger.amount-not-positive"]
    assert [p.rule for p in check_payment("X1", f, D("-1.00"))] == ["ledger.amount-not-positive"]
    assert [p.rule for p in check_reduction("X1", f, D("1.00"))] == ["ledger.amount-not-positive"]


def test_reduction_and_payment_limits():
    f = IndicatorFigures(D("100.00"), paid_net=D("40.00"))
    assert check_reduction("X1", f, D("-60.00")) == []
    assert [p.rule for p in check_reduction("X1", f, D("-60.01"))] == ["ledger.reduction-exceeds-available"]
    assert [p.rule for p in check_payment("X1", f, D("60.01"))] == ["ledger.payment-exceeds-available"]


def test_refund_limited_to_what_is_left_of_the_original():
    assert check_refund("ZF1", D("100.00"), D("-30.00"), D("-70.00")) == []
    [p] = check_refund("ZF1", D("100.00"), D("-30.00"), D("-70.01"))
    assert p.rule == "ledger.refund-exceeds-payment"
    assert "尚未退回的金额 70.00 元" in p.message


def test_identity_is_inherited():
    changed = Identity("02", "中央参照直达资金", "其他资金", "别的项目")
    assert [p.rule for p in check_inherited(MEDICAL, changed)] == [
        "ledger.marker-changed",
        "ledger.fund-changed",
        "ledger.project-changed",
    ]
    assert check_inherited(MEDICAL, MEDICAL) == []


def test_direct_fund_travels_alone():
    other = Identity("", "", "城乡居民医疗保险补助资金", "")
    assert [p.rule for p in check_document_funds([MEDICAL, other])] == ["ledger.mixed-document"]
    assert check_document_funds([MEDICAL, MEDICAL]) == []
    assert check_document_funds([other, Identity("", "", "另一资金", "")]) == []


cents = st.integers(1, 10_000_00).map(lambda c: D(c).scaleb(-2))
operation = st.tuples(st.sampled_from(["issue", "reduce", "pay", "refund"]), cents)


@given(amount=cents, ops=st.lists(operation, max_size=40))
def test_money_is_conserved_and_never_overspent(amount, ops):
    """Apply every operation the checks accept; the balance identity holds and never goes negative."""
    f = IndicatorFigures(amount)
    payments: list[tuple[D, D]] = []  # (original, refunded ≤ 0)
    issued = paid = reduced = D("0.00")
    for kind, value in ops:
        if kind == "issue" and not check_issue("X", f, [value]):
            f, issued = f.issue(value), issued + value
        elif kind == "reduce" and not check_reduction("X", f, -value):
            f, reduced = f.reduce(-value), reduced - value
        elif kind == "pay" and not check_payment("X", f, value):
            f, paid = f.pay(value), paid + value
            payments.append((value, D("0.00")))
        elif kind == "refund" and payments:
            original, refunded = payments[-1]
            if not check_refund("ZF", original, refunded, -value):
                f, paid = f.pay(-value), paid - value
                payments[-1] = (original, refunded - value)
        assert f.available >= 0
        assert f.available == amount + reduced - issued - paid
