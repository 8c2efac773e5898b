"""Warning conditions (预警) as pure functions over plain values; each returns findings, empty when all is well.

The Django side gathers the values (receipt dates, issued sums, codes, payment dates) and stores a Warning per
finding; which rules run and with what parameters is data (``WarningRule``), defaults here.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fundflow.core.ledger.chain import Identity
from fundflow.core.ledger.progress import percent
from fundflow.core.ledger.rules import RULES, Severity

DEFAULT_REALLOCATION_DAYS = 30


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    message: str
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity


def _finding(rule: str, **parameters: Any) -> Finding:
    return Finding(rule, RULES[rule].message(**parameters), parameters)


def not_reallocated(
    bgt_id: str,
    *,
    is_direct: bool,
    received_on: datetime.date | None,
    issued_children: Decimal,
    as_of: datetime.date,
    limit_days: int = DEFAULT_REALLOCATION_DAYS,
) -> list[Finding]:
    """A received direct-fund indicator of which nothing was issued onward within ``limit_days`` of receipt."""
    if not is_direct or received_on is None or issued_children > 0:
        return []
    days = (as_of - received_on).days
    if days <= limit_days:
        return []
    return [_finding("warn.not-reallocated", bgt_id=bgt_id, days=days, limit=limit_days)]


def expected_progress(schedule: Mapping[int, Decimal], as_of: datetime.date) -> Decimal:
    """The scheduled spending percent at ``as_of``: the entry of the latest month ≤ as_of's month (0 before any)."""
    months = [m for m in schedule if m <= as_of.month]
    return schedule[max(months)] if months else Decimal(0)


def spending_behind(
    *, received: Decimal, spent: Decimal, schedule: Mapping[int, Decimal], as_of: datetime.date
) -> list[Finding]:
    """Spending progress (spent / received) below the monthly schedule (month → expected percent)."""
    actual = percent(spent, received)
    expected = expected_progress(schedule, as_of)
    # Compare the exact ratio: 49.999 % is behind a 50 % schedule although it prints as 50.00.
    if actual is None or spent * 100 >= expected * received:
        return []
    return [_finding("warn.spending-behind", actual=actual, expected=f"{expected:.2f}")]


def identity_mismatch(parent: Identity, child: Identity) -> list[Finding]:
    """Marker, fund or project name of an imported indicator differ from its parent (one finding per field)."""
    pairs = (
        ("直达资金标识", parent.marker, child.marker),
        ("资金名称", parent.fund, child.fund),
        ("项目名称", parent.project_name, child.project_name),
    )
    return [_finding("warn.identity-mismatch", field=f, parent=p, child=c) for f, p, c in pairs if p != c]


def code_mismatch(*, func_code: str, eco_code: str, expected_func: str, expected_eco: str) -> list[Finding]:
    """A payment coded to another function or economic code than its indicator's (blank on either side: no finding).

    Codes match by prefix so a payment under a more detailed code (2101202 under 21012) is not a mismatch.
    """
    findings = []
    for label, paid, expected in (("功能科目", func_code, expected_func), ("经济科目", eco_code, expected_eco)):
        if paid and expected and not (paid.startswith(expected) or expected.startswith(paid)):
            findings.append(_finding("warn.code-mismatch", field=label, paid=paid, expected=expected))
    return findings


def paid_before_year(bgt_id: str, *, advance: bool, budget_year: int, pay_date: datetime.date) -> list[Finding]:
    """An advance (提前下达) indicator paid from before its budget year."""
    if advance and pay_date.year < budget_year:
        return [_finding("warn.paid-before-year", bgt_id=bgt_id, year=budget_year, date=pay_date.isoformat())]
    return []
