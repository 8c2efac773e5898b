"""Targets derived from the allocation: a regional table's recipient columns filled from the allocation's own
figures where a rule says so, and the table's 年度金额 checked against the allocation.

A :class:`DerivationRule` names an indicator and the figure its recipient values come from: the recipient's
allocated amount (资金到位情况 = 1383万元) or one of the allocation's input columns (享受医疗待遇对象人数 ≥ the
recipient's count of eligible persons). :func:`apply_derivation` writes the values, each with its explanation,
and — for an additive indicator — the region value as their sum; the derived values stay on the indicator, so
:func:`~fundflow.core.performance.model.check_table` flags a cell edited by hand afterwards
(``perf.derived-edited``). Recompute by applying the rule again whenever the allocation changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from fundflow.core.errors import Problem
from fundflow.core.money import YUAN_PER_WAN
from fundflow.core.performance.model import Derived, Indicator, TargetTable
from fundflow.core.performance.values import Comparator, number_value
from fundflow.core.result import AllocationResult

AMOUNT = "amount"  # DerivationRule.source for the recipient's allocated amount


@dataclass(frozen=True, slots=True)
class DerivationRule:
    """Fill ``indicator``'s recipient values from ``source`` (AMOUNT or an input column key of the allocation).

    ``label`` names the figure in the explanation (分配金额, 2020年10月底低保对象人数); ``unit`` is the unit the
    values are printed in (the allocation's unit for amounts: 万元 or 元).
    """

    indicator: str
    source: str
    label: str
    unit: str
    comparator: Comparator | None = None


def allocation_figures(result: AllocationResult, source: str, *, groups: bool) -> dict[str, Decimal]:
    """Each recipient's figure in ``result``: per group (prefecture, the 小计 rows) or per line (county)."""
    rows: list[tuple[str, Decimal, Mapping[str, Decimal]]] = (
        [(group.name, group.amount, group.inputs) for group in result.groups]
        if groups
        else [(line.recipient, line.amount, line.inputs) for line in result.lines]
    )
    figures: dict[str, Decimal] = {}
    for name, amount, inputs in rows:
        if source == AMOUNT:
            figures[name] = amount
        elif source in inputs:
            figures[name] = inputs[source]
    return figures


def derive(rule: DerivationRule, figures: Mapping[str, Decimal]) -> tuple[Derived, ...]:
    """One derived value per recipient with a figure, in the figures' order."""
    sign = rule.comparator.value if rule.comparator else ""
    return tuple(
        Derived(
            recipient,
            number_value(figure, rule.unit, rule.comparator),
            f"按分配表：{recipient}的{rule.label}为 {figure:f}{rule.unit}，指标值取 {sign}{figure:f}{rule.unit}",
        )
        for recipient, figure in figures.items()
    )


def apply_derivation(table: TargetTable, rule: DerivationRule, figures: Mapping[str, Decimal]) -> TargetTable:
    """``table`` with ``rule``'s indicator filled from ``figures``: recipient columns (for the table's recipients
    that have a figure; others keep their stated value), the derived values kept for the drift check and, for an
    additive indicator whose every recipient has a figure, the region value as their sum."""
    derived = derive(rule, {name: figures[name] for name in table.recipients if name in figures})
    by_name = {d.recipient: d for d in derived}
    indicators: list[Indicator] = []
    for indicator in table.indicators:
        if indicator.name != rule.indicator:
            indicators.append(indicator)
            continue
        stated = dict(indicator.recipients)
        cells = []
        for name in table.recipients:
            if name in by_name:
                cells.append((name, by_name[name].value))
            elif name in stated:
                cells.append((name, stated[name]))
        value = indicator.value
        if indicator.additive and table.recipients and all(name in by_name for name in table.recipients):
            total = sum((figures[name] for name in table.recipients), Decimal(0))
            value = number_value(total, rule.unit, rule.comparator)
        indicators.append(replace(indicator, value=value, recipients=tuple(cells), derived=derived))
    return replace(table, indicators=tuple(indicators))


def check_funds_against_allocation(table: TargetTable, allocated: Decimal, unit: str) -> list[Problem]:
    """The table's 年度金额 must be the allocation's amount for its region (``allocated`` in ``unit``)."""
    funds = table.funds
    if funds is None or funds.total.amount is None:
        return []
    stated = _to_yuan(funds.total.amount, funds.unit)
    if stated == _to_yuan(allocated, unit):
        return []
    return [
        Problem(
            "perf.funds-allocation",
            f"资金情况：{funds.total.label} {funds.total.amount:f}{funds.unit} 与分配表中{table.region}的金额 "
            f"{allocated:f}{unit} 不符",
            table.location,
        )
    ]


def _to_yuan(amount: Decimal, unit: str) -> Decimal:
    return amount * YUAN_PER_WAN if unit == "万元" else amount
