"""Monitoring arithmetic (直达资金监控) per region, and the roll-up over the region tree.

Per region, for one fund program and year: 上级下达 ``received``, 分配本级 ``allocated_own`` (to its own budget
units), 分配下级 ``allocated_lower`` (to lower regions), 未分配 ``unallocated``, 支出 ``spent_own`` (paid at this
level) and ``spent_total`` (this level and all below). Progress is a percent string with two places, rounded
half up; with nothing received it is None (shown as “—”): 0 % would claim a schedule was missed when there was
nothing to spend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def percent(part: Decimal, whole: Decimal) -> str | None:
    """``part / whole`` as a percent string with two places (``"33.33"``); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return str((part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class RegionFlows:
    """A region's own figures (no roll-up), in 元."""

    code: str
    parent: str | None
    received: Decimal = ZERO
    allocated_own: Decimal = ZERO
    allocated_lower: Decimal = ZERO
    spent_own: Decimal = ZERO

    @property
    def unallocated(self) -> Decimal:
        return self.received - self.allocated_own - self.allocated_lower


@dataclass(frozen=True, slots=True)
class RegionProgress:
    code: str
    parent: str | None
    received: Decimal
    allocated_own: Decimal
    allocated_lower: Decimal
    unallocated: Decimal
    spent_own: Decimal
    spent_total: Decimal

    @property
    def allocation_progress(self) -> str | None:
        return percent(self.allocated_own + self.allocated_lower, self.received)

    @property
    def spending_progress(self) -> str | None:
        """spent_total / received (the issue's definition)."""
        return percent(self.spent_total, self.received)


def roll_up(regions: Iterable[RegionFlows]) -> dict[str, RegionProgress]:
    """Every region's progress, with ``spent_total`` = its own spending plus that of every region below it.

    Regions whose parent is not in the input are roots. Order of the input does not matter.
    """
    flows = {r.code: r for r in regions}
    children: dict[str | None, list[str]] = {}
    for r in flows.values():
        children.setdefault(r.parent if r.parent in flows else None, []).append(r.code)
    spent: dict[str, Decimal] = {}

    def total(code: str) -> Decimal:
        # Iterative post-order: national trees are 4 levels deep but may hold thousands of siblings.
        stack = [(code, False)]
        while stack:
            node, done = stack.pop()
            if done:
                spent[node] = flows[node].spent_own + sum((spent[c] for c in children.get(node, [])), ZERO)
            elif node not in spent:
                stack.append((node, True))
                stack.extend((c, False) for c in children.get(node, []))
        return spent[code]

    return {
        code: RegionProgress(
            code=code,
            parent=r.parent,
            received=r.received,
            allocated_own=r.allocated_own,
            allocated_lower=r.allocated_lower,
            unallocated=r.unallocated,
            spent_own=r.spent_own,
            spent_total=total(code),
        )
        for code, r in flows.items()
    }


def subtree_sum(values: Mapping[str, Decimal], parents: Mapping[str, str | None]) -> dict[str, Decimal]:
    """For each region, its own value plus the values of every region below it (any own-level figure)."""
    result = dict.fromkeys(parents, ZERO)
    for code, value in values.items():
        node: str | None = code
        seen: set[str] = set()
        while node is not None and node in result and node not in seen:
            seen.add(node)
            result[node] += value
            node = parents.get(node)
    return result
