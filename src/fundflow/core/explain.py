"""How was this figure formed? Text explanations of any line, 小计 or 合计 of a result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from fundflow.core.money import fmt
from fundflow.core.plan import Method
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


# A recipient unit may see how its own line was formed, but not the figures from which the others' shares follow
# (the pot of each factor or component, the table's sums, group targets). Settlement and fixed lines are formed
# from the line's own inputs alone, so their steps are shown as they are; factor and standard-and-share steps all
# quote pots and table sums, so they are replaced by the line's own inputs and a plain statement of the method.
_SELF_CONTAINED = (Method.SETTLEMENT, Method.FIXED)
_METHOD_TEXT = {
    Method.FACTOR: (
        "计算方法：该因素资金按本单位上述人数占全部分配对象人数合计的比例分配，再按方案规定的舍入和尾差处理方式取整"
    ),
    Method.STANDARD_SHARE: "计算方法：按本单位上述数据乘以补助标准，或按方案规定的比例分配，再按方案规定的舍入方式取整",
}
ADJUSTMENT_STEP = "尾差调整 "  # how a manual tail adjustment of the line itself is explained (core.allocation.common)
WITHHELD = (
    "说明：资金总额、各部分资金、全表合计和其他分配对象的数据不向预算单位公开；如需核对，请联系下达资金的财政部门。"
)


def explain_own_line(result: AllocationResult, who: str) -> list[str] | None:
    """The explanation a recipient unit gets of its own line ``who`` (``name`` or ``group/name``).

    It states the line's own inputs, parts, manual adjustments and result, and no pot, total or other line's
    figure. None when ``who`` is not a line: a unit is never given a 小计 or the 合计.
    """
    group, _, name = who.rpartition("/")
    line = next((ln for ln in result.lines if ln.recipient == name and (not group or ln.group == group)), None)
    if line is None:
        return None
    unit = result.unit.value
    prefix = f"{line.group} " if line.group else ""
    out = [f"{prefix}{line.recipient}：{fmt(line.amount)}{unit}", f"分配方法：{result.method.label}"]
    for part in result.parts:
        if part.name not in line.parts:
            continue
        out.append(f"【{part.name}】 = {fmt(line.parts[part.name])}{unit}")
        steps = line.explain.get(part.name, ())
        if result.method in _SELF_CONTAINED:
            shown = [_neutral_adjustment(s, unit) if s.startswith(ADJUSTMENT_STEP) else s for s in steps]
        else:
            # Entered inputs only: a derived column may come from the table's sums (a share's 分配比例).
            own = [
                f"{c.label} {fmt(line.inputs[c.key])}" for c in part.inputs if c.key in line.inputs and not c.derived
            ]
            shown = [f"本单位数据：{'；'.join(own)}"] if own else []
            shown.append(_METHOD_TEXT[result.method])
            shown.extend(_neutral_adjustment(s, unit) for s in steps if s.startswith(ADJUSTMENT_STEP))
        out.extend(f"  {i}. {s}" for i, s in enumerate(shown, start=1))
    if "合计" in line.explain:
        out.append("【合计】")
        out.extend(f"  {i}. {s}" for i, s in enumerate(line.explain["合计"], start=1))
    if line.note:
        out.append(f"备注：{line.note}")
    if result.method not in _SELF_CONTAINED:
        out.append(WITHHELD)
    return out


def _neutral_adjustment(step: str, unit: str) -> str:
    """A unit's own tail adjustment as its amount alone: the bureau's reason may name another recipient
    (“与库车县互调”), so it is not quoted. ``step`` reads “尾差调整 +1（理由：…）：1815 → 1816万元”."""
    delta = step.removeprefix(ADJUSTMENT_STEP).split("（", 1)[0]
    return f"含尾差调整 {delta}{unit}"
