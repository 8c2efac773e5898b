"""How was this figure formed? Text explanations of any line, 小计 or 合计 of a result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from fundflow.core.money import fmt
from fundflow.core.result import AllocationResult, Steps


@dataclass(frozen=True, slots=True)
class Target:
    heading: str
    parts: Mapping[str, Decimal]
    steps: Mapping[str, Steps]
    note: str = ""


def find(result: AllocationResult, who: str) -> Target | None:
    """Locate ``who``: a recipient name, ``group/name``, a group name (its 小计) or the total label."""
    unit = result.unit.value
    group, _, name = who.rpartition("/")
    for line in result.lines:
        if line.recipient == name and (not group or line.group == group):
            prefix = f"{line.group} " if line.group else ""
            return Target(f"{prefix}{line.recipient}：{fmt(line.amount)}{unit}", line.parts, line.explain, line.note)
    for g in result.groups:
        if g.name == who:
            return Target(f"{g.name} 小计：{fmt(g.amount)}{unit}", g.parts, g.explain)
    if who in (result.total_label, "合计", "总计"):
        return Target(f"{result.total_label}：{fmt(result.total)}{unit}", result.total_parts, result.total_explain)
    return None


def explain(result: AllocationResult, who: str) -> list[str] | None:
    """Explanation lines for ``who`` in reading order, or None when there is no such line."""
    target = find(result, who)
    if target is None:
        return None
    unit = result.unit.value
    out = [target.heading]
    for part in result.parts:
        if part.name not in target.steps:
            continue
        out.append(f"【{part.name}】 = {fmt(target.parts[part.name])}{unit}")
        out.extend(f"  {i}. {s}" for i, s in enumerate(target.steps[part.name], start=1))
    if "合计" in target.steps:
        out.append("【合计】")
        out.extend(f"  {i}. {s}" for i, s in enumerate(target.steps["合计"], start=1))
    if target.note:
        out.append(f"备注：{target.note}")
    return out
