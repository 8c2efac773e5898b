"""定额标准加比例分配 (standard plus share).

Each recipient's amount is the sum of components, all computed in 元:

* ``standard``: a per-unit standard × a count, e.g. 2000 元 × persons;
* ``share`` of a pot: either a percentage given per recipient (as printed, e.g. 12.34%), or the
  recipient's count over a stated base, as a percentage rounded to ``share_places`` with the plan's mode.

The line total is the exact 元 sum converted to the plan's unit and rounded once with the plan's rule.
Under ``per_line`` each component is rounded on its own (so a line may differ from the sum of its printed
components, and the table notes it); otherwise the components are apportioned by largest remainder so that
they add up to the line total.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from fundflow.core.allocation.common import Problems, Working, check_total, finish
from fundflow.core.apportion import Apportion, largest_remainder, round_each
from fundflow.core.money import Rounding, Unit, convert, fmt, fmt_exact
from fundflow.core.plan import Plan, ShareComponent, StandardComponent, StandardShareMethod
from fundflow.core.result import AllocationResult, InputColumn, PartSpec

_PRECISION = 60


def _base(plan: Plan, c: ShareComponent, problems: Problems) -> Decimal:
    if c.base is not None:
        return c.base
    assert c.count is not None
    total = sum((r.values.get(c.count, Decimal(0)) for r in plan.recipients), Decimal(0))
    if total <= 0:
        problems.add("share.zero-base", f"“{c.name}”的人数合计为 0，无法计算比例", c.location)
    return total


def _component_yuan(plan: Plan, c: StandardComponent | ShareComponent, w: Working, base: Decimal) -> Decimal:
    r = w.recipient
    if isinstance(c, StandardComponent):
        count = r.values[c.count]
        w.inputs[c.count] = count
        yuan = count * c.standard_yuan
        w.say(c.name, f"{plan.label(c.count)} {fmt(count)} × 标准 {fmt(c.standard_yuan)} 元 = {fmt(yuan)} 元")
        return yuan
    if c.share_percent is not None:
        pct = r.values[c.share_percent]
        w.inputs[c.share_percent] = pct
        how = f"给定比例 {fmt(pct)}%"
    else:
        assert c.count is not None
        count = r.values[c.count]
        w.inputs[c.count] = count
        if base <= 0:
            return Decimal(0)
        with decimal.localcontext() as ctx:
            ctx.prec = _PRECISION
            raw = count * 100 / base
        pct = Rounding(c.share_places, plan.rounding.mode).apply(raw)
        w.inputs[f"{c.name}%"] = pct
        how = (
            f"比例 = {fmt(count)} ÷ {fmt(base)} = {fmt_exact(raw)}% → {fmt(pct)}%"
            f"（{Rounding(c.share_places, plan.rounding.mode).describe()}）"
        )
    yuan = c.pot_yuan * pct / 100
    w.say(c.name, f"{how}；{fmt(c.pot_yuan)} 元 × {fmt(pct)}% = {fmt(yuan)} 元")
    return yuan


def allocate_standard_share(plan: Plan) -> AllocationResult:
    assert isinstance(plan.method, StandardShareMethod)
    method = plan.method
    problems = Problems()
    bases = {
        c.name: _base(plan, c, problems)
        for c in method.components
        if isinstance(c, ShareComponent) and c.count is not None
    }
    names = [c.name for c in method.components]
    work = []
    for r in plan.recipients:
        w = Working(r)
        yuan = [_component_yuan(plan, c, w, bases.get(c.name, Decimal(0))) for c in method.components]
        _to_unit(plan, w, names, yuan)
        work.append(w)
    _check_oversubscribed(method, work, bases, problems)
    problems.raise_if_any()
    check_total(plan, sum((w.amount or Decimal(0) for w in work), Decimal(0)), problems)
    problems.raise_if_any()
    notes = _share_notes(plan, method, work)
    return finish(plan, work, [_part_spec(plan, c) for c in method.components], notes)


def _to_unit(plan: Plan, w: Working, names: list[str], yuan: list[Decimal]) -> None:
    """Sum in 元, convert once, and form the printed components by the plan's apportionment."""
    unit = plan.unit.value
    total_yuan = sum(yuan, Decimal(0))
    in_unit = [convert(y, Unit.YUAN, plan.unit) for y in yuan]
    exact_total = convert(total_yuan, Unit.YUAN, plan.unit)
    amount = plan.rounding.apply(exact_total)
    if plan.apportion is Apportion.PER_LINE:
        parts = round_each(in_unit, plan.rounding)
    else:
        parts = largest_remainder(in_unit, amount, plan.rounding, list(range(len(names))))
    for name, exact, part in zip(names, in_unit, parts, strict=True):
        w.parts[name] = part
        w.say(name, f"折算 = {fmt_exact(exact)}{unit} → {fmt(part)}{unit}")
    w.amount = amount
    how = (
        f"合计 = 各部分按元相加 {fmt(total_yuan)} 元 = {fmt_exact(exact_total)}{unit}"
        f" → {fmt(amount)}{unit}（{plan.rounding.describe()}）"
    )
    w.say("合计", how)
    if sum(parts, Decimal(0)) != amount:
        w.say("合计", f"注意：各部分分别取舍后之和为 {fmt(sum(parts, Decimal(0)))}{unit}，合计按元汇总后折算")


def _part_spec(plan: Plan, c: StandardComponent | ShareComponent) -> PartSpec:
    """A standard's header quotes its per-head standard (a unit may read it); a share's quotes its pot (it may not)."""
    unit = plan.unit.value
    inputs: tuple[InputColumn, ...]
    if isinstance(c, StandardComponent):
        inputs = (InputColumn(c.count, plan.label(c.count)),)
        header = f"{c.name}（{fmt(c.standard_yuan)}元标准）"
        return PartSpec(name=c.name, header=header, inputs=inputs, amount_label=f"金额（{unit}）", unit_header=header)
    if c.share_percent is not None:
        inputs = (InputColumn(c.share_percent, plan.label(c.share_percent)),)
    else:
        assert c.count is not None
        inputs = (InputColumn(c.count, plan.label(c.count)), InputColumn(f"{c.name}%", "分配比例（%）", derived=True))
    header = f"{c.name}（{fmt(c.pot_yuan)}元按比例）"
    return PartSpec(name=c.name, header=header, inputs=inputs, amount_label=f"金额（{unit}）")


def _share_total(c: ShareComponent, work: list[Working]) -> Decimal:
    """The sum of the recipients' shares (given, or computed and rounded) of one pot, in percent."""
    key = c.share_percent if c.share_percent is not None else f"{c.name}%"
    return sum((w.inputs.get(key, Decimal(0)) for w in work), Decimal(0))


def _count_total(c: ShareComponent, work: list[Working]) -> Decimal:
    return sum((w.inputs.get(c.count or "", Decimal(0)) for w in work), Decimal(0))


def _check_oversubscribed(
    method: StandardShareMethod, work: list[Working], bases: dict[str, Decimal], problems: Problems
) -> None:
    """Shares of one pot adding up to more than 100% would hand out more than the pot: an error."""
    for c in method.components:
        if not isinstance(c, ShareComponent):
            continue
        total_pct = _share_total(c, work)
        if total_pct <= 100:
            continue
        if c.share_percent is not None:
            why = "请核对各行给定比例"
        elif c.base is not None and bases[c.name] < _count_total(c, work):
            why = f"各行人数合计 {fmt(_count_total(c, work))} 大于计算基数 {fmt(c.base)}"
        else:
            why = f"比例按 {c.share_places} 位小数取舍后合计超过 100%，请增加小数位数（share_places）"
        problems.add(
            "share.oversubscribed",
            f"“{c.name}”各行比例合计为 {fmt(total_pct)}%，超过 100%，"
            f"分出的资金将多于资金池 {fmt(c.pot_yuan)} 元（{why}）",
            c.location,
        )


def _share_notes(plan: Plan, method: StandardShareMethod, work: list[Working]) -> list[str]:
    notes = ["各行合计按元汇总后折算，再按计划的舍入规则取舍。"]
    for c in method.components:
        if not isinstance(c, ShareComponent):
            continue
        total_pct = _share_total(c, work)
        if total_pct != 100:
            notes.append(f"“{c.name}”各行比例合计为 {fmt(total_pct)}%（不等于 100%），按所列比例计算。")
    return notes
