"""Indicator balances: what is still available to issue or pay, and the checks that keep it non-negative.

``available = amount + reductions − issued_children − paid_net`` where ``reductions`` is the (≤ 0) sum of the
扣回 rows that lower this indicator and ``paid_net`` is payments minus refunds. Every accepted operation keeps
``available ≥ 0``; checks return problems and never raise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from fundflow.core.errors import Location, Problem
from fundflow.core.ledger.rules import problem
from fundflow.core.money import fmt

ZERO = Decimal("0.00")


def yuan(value: Decimal) -> str:
    """元 with two places, as in the messages (plain digits so they can be searched and pasted)."""
    return fmt(value, 2)


@dataclass(frozen=True, slots=True)
class IndicatorFigures:
    """The figures behind one indicator's balance, all in 元."""

    amount: Decimal
    reductions: Decimal = ZERO  # ≤ 0
    issued_children: Decimal = ZERO
    paid_net: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.amount + self.reductions - self.issued_children - self.paid_net

    def issue(self, amount: Decimal) -> IndicatorFigures:
        return replace(self, issued_children=self.issued_children + amount)

    def reduce(self, amount: Decimal) -> IndicatorFigures:
        """``amount`` is the (negative) reduction row."""
        return replace(self, reductions=self.reductions + amount)

    def pay(self, amount: Decimal) -> IndicatorFigures:
        """``amount`` > 0 is a payment, < 0 a refund."""
        return replace(self, paid_net=self.paid_net + amount)


def _exceeds(rule: str, bgt_id: str, figures: IndicatorFigures, amount: Decimal, where: Location | None) -> Problem:
    return problem(
        rule,
        where,
        amount=yuan(abs(amount)),
        bgt_id=bgt_id,
        available=yuan(figures.available),
        total=yuan(figures.amount),
        issued=yuan(figures.issued_children),
        paid=yuan(figures.paid_net),
        reductions=yuan(figures.reductions),
    )


def check_positive(amount: Decimal, where: Location | None = None) -> list[Problem]:
    return [] if amount > 0 else [problem("ledger.amount-not-positive", where, amount=yuan(amount))]


def check_issue(
    bgt_id: str, figures: IndicatorFigures, amounts: list[Decimal], where: Location | None = None
) -> list[Problem]:
    """Issuing children of ``amounts`` (each > 0) from an indicator: their sum must fit its available balance."""
    problems = [p for a in amounts for p in check_positive(a, where)]
    total = sum(amounts, ZERO)
    if not problems and total > figures.available:
        problems.append(_exceeds("ledger.exceeds-available", bgt_id, figures, total, where))
    return problems


def check_reduction(
    bgt_id: str, figures: IndicatorFigures, amount: Decimal, where: Location | None = None
) -> list[Problem]:
    """A reduction (扣回, ``amount`` < 0) may lower an indicator only by what is still available there."""
    if amount >= 0:
        return [problem("ledger.amount-not-positive", where, amount=yuan(amount))]
    if -amount > figures.available:
        return [_exceeds("ledger.reduction-exceeds-available", bgt_id, figures, amount, where)]
    return []


def check_payment(
    bgt_id: str, figures: IndicatorFigures, amount: Decimal, where: Location | None = None
) -> list[Problem]:
    """A payment (``amount`` > 0) may not exceed the indicator's available balance."""
    if amount <= 0:
        return [problem("ledger.amount-not-positive", where, amount=yuan(amount))]
    if amount > figures.available:
        return [_exceeds("ledger.payment-exceeds-available", bgt_id, figures, amount, where)]
    return []


def check_refund(
    ori_pay_app_no: str, original: Decimal, refunded: Decimal, amount: Decimal, where: Location | None = None
) -> list[Problem]:
    """A refund (``amount`` < 0) may return at most what is left of its original payment.

    ``refunded`` is the (≤ 0) sum of earlier refunds of the same original.
    """
    remaining = original + refunded
    if amount >= 0 or -amount > remaining:
        return [
            problem(
                "ledger.refund-exceeds-payment",
                where,
                amount=yuan(abs(amount)),
                ori=ori_pay_app_no,
                remaining=yuan(remaining),
            )
        ]
    return []
