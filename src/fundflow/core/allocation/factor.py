"""因素法 (factor method): a total split into factor pots by weight, each pot split by counts.

Worked example (新财社〔2020〕34号): 101782 万元; 困难群众人数因素 50%, 贫困人口因素 33%, 特困、孤儿因素 17%.
Each pot is ``total × weight``; a county's part of a pot is ``pot × its count ÷ the sum of counts``,
rounded to the plan's places and apportioned by the plan's named method (see ``fundflow.core.apportion``).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal

from fundflow.core.allocation.common import (
    GROUP_STEP_MARK,
    Problems,
    Working,
    finish,
)
from fundflow.core.apportion import (
    Apportion,
    adjust_to_target,
    group_targets,
    largest_remainder,
    round_each,
    units_between,
)
from fundflow.core.money import Rounding, fmt, fmt_exact, percent
from fundflow.core.plan import Factor, FactorMethod, Plan
from fundflow.core.result import AllocationResult, InputColumn, PartSpec

# Quotients are computed with ample precision so that rounding decisions never depend on truncation.
_PRECISION = 60


def share(pot: Decimal, count: Decimal, base: Decimal) -> Decimal:
    """``pot × count ÷ base`` at high precision (the exact share before rounding)."""
    with decimal.localcontext() as ctx:
        ctx.prec = _PRECISION
        return pot * count / base


def _pots(plan: Plan, method: FactorMethod, total: Decimal) -> tuple[list[Decimal], list[Decimal]]:
    exact = [total * f.weight for f in method.factors]
    if plan.apportion is Apportion.PER_LINE:
        return exact, round_each(exact, plan.rounding)
    keys = [(-f.weight, f.name) for f in method.factors]
    return exact, largest_remainder(exact, total, plan.rounding, keys)


def allocate_factor(plan: Plan) -> AllocationResult:
    """Compute a factor-method plan whose parameters and inputs passed the rules of
    :mod:`fundflow.core.allocation.validation`. Raises :class:`~fundflow.core.errors.PlanError` when a pot cannot
    be shared (zero base) or apportioned."""
    assert isinstance(plan.method, FactorMethod)
    method = plan.method
    problems = Problems()
    unit = plan.unit.value

    work = [Working(r) for r in plan.recipients]
    counts: dict[str, list[Decimal]] = {}
    for f in method.factors:
        per_line = []
        for w in work:
            value = Decimal(0)
            for column in f.counts:
                cell = w.recipient.values[column]
                w.inputs[column] = cell
                value += cell
            if len(f.counts) > 1:
                w.inputs[_sum_key(f)] = value
            per_line.append(value)
        counts[f.name] = per_line
    assert plan.total is not None

    pot_exact, pots = _pots(plan, method, plan.total)
    total_explain: dict[str, tuple[str, ...]] = {}
    for f, exact, pot in zip(method.factors, pot_exact, pots, strict=True):
        base = sum(counts[f.name], Decimal(0))
        if base == 0 and pot != 0:
            problems.add(
                "factor.zero-base",
                f"因素“{f.name}”的人数合计为 0，{fmt(pot)}{unit} 资金无法按人数分配",
                f.location,
            )
            continue
        pot_text = _pot_text(plan, f, exact, pot)
        total_explain[f.name] = (pot_text,)
        _allocate_pot(plan, f, pot, base, counts[f.name], work, pot_text, problems)
    problems.raise_if_any()

    notes = _notes(plan, method, pots, work)
    return finish(plan, work, [_part_spec(plan, f) for f in method.factors], notes, total_explain)


def _sum_key(f: Factor) -> str:
    return "+".join(f.counts)


def _part_spec(plan: Plan, f: Factor) -> PartSpec:
    inputs = [InputColumn(c, plan.label(c)) for c in f.counts]
    if len(f.counts) > 1:
        label = f.count_label or "、".join(plan.label(c) for c in f.counts) + "合计"
        inputs.append(InputColumn(_sum_key(f), label, derived=True))
    header = f"{f.name} ({percent(f.weight)})"  # the weight only: a unit may read it, the pot's amount it may not
    return PartSpec(name=f.name, header=header, inputs=tuple(inputs), amount_label=f.amount_label, unit_header=header)


def _pot_text(plan: Plan, f: Factor, exact: Decimal, pot: Decimal) -> str:
    assert plan.total is not None
    unit = plan.unit.value
    text = f"{f.name}资金 = 总额 {fmt(plan.total)}{unit} × {percent(f.weight)} = {fmt_exact(exact)}"
    if plan.apportion is Apportion.PER_LINE:
        return f"{text} → {fmt(pot)}{unit}（{plan.rounding.describe()}）"
    return f"{text} → {fmt(pot)}{unit}（各因素按最大余额法取整，合计等于总额）"


def _count_text(plan: Plan, f: Factor, w: Working, count: Decimal, base: Decimal) -> str:
    if len(f.counts) == 1:
        return f"人数：{plan.label(f.counts[0])} {fmt(count)}（全表合计 {fmt(base)}）"
    pieces = " + ".join(f"{plan.label(c)} {fmt(w.inputs[c])}" for c in f.counts)
    return f"人数：{pieces} = {fmt(count)}（全表合计 {fmt(base)}）"


def _allocate_pot(
    plan: Plan,
    f: Factor,
    pot: Decimal,
    base: Decimal,
    counts: Sequence[Decimal],
    work: Sequence[Working],
    pot_text: str,
    problems: Problems,
) -> None:
    """Split one pot among all lines by the plan's apportionment, recording each step."""
    unit = plan.unit.value
    rounding = plan.rounding
    exact = [share(pot, c, base) if base else Decimal(0) for c in counts]
    plain = round_each(exact, rounding)
    for w, c, e, p in zip(work, counts, exact, plain, strict=True):
        w.say(f.name, pot_text)
        w.say(f.name, _count_text(plan, f, w, c, base))
        w.say(
            f.name,
            f"按人数占比 = {fmt(pot)} × {fmt(c)} ÷ {fmt(base)} = {fmt_exact(e)} → {fmt(p)}{unit}"
            f"（{rounding.describe()}）",
        )
    if plan.apportion is Apportion.PER_LINE:
        result = plain
    elif plan.apportion is Apportion.LARGEST_REMAINDER:
        keys = [(-c, w.recipient.group or "", w.recipient.name) for c, w in zip(counts, work, strict=True)]
        result = largest_remainder(exact, pot, rounding, keys)
        for w, p, r in zip(work, plain, result, strict=True):
            if r != p:
                w.say(f.name, f"最大余额法调整：{fmt(p)} → {fmt(r)}{unit}（使全表合计等于资金 {fmt(pot)}{unit}）")
    else:
        try:
            result = _hierarchical(plan, f, pot, base, counts, exact, plain, work)
        except ValueError as exc:
            problems.add("factor.apportion-failed", f"因素“{f.name}”：{exc}", f.location)
            return
    for w, r in zip(work, result, strict=True):
        w.parts[f.name] = r


def _hierarchical(
    plan: Plan,
    f: Factor,
    pot: Decimal,
    base: Decimal,
    counts: Sequence[Decimal],
    exact: Sequence[Decimal],
    plain: Sequence[Decimal],
    work: Sequence[Working],
) -> list[Decimal]:
    unit = plan.unit.value
    rounding: Rounding = plan.rounding
    order = plan.group_order() or ("",)
    members: dict[str, list[int]] = {g: [] for g in order}
    for i, w in enumerate(work):
        members[w.recipient.group or ""].append(i)
    gcounts = [sum((counts[i] for i in members[g]), Decimal(0)) for g in order]
    gexact = [share(pot, c, base) for c in gcounts]
    grounded = round_each(gexact, rounding)
    lean = [
        units_between(sum((plain[i] for i in members[g]), Decimal(0)), grounded[k], rounding)
        for k, g in enumerate(order)
    ]
    targets, moves = group_targets(gexact, pot, rounding, lean, [(-c, g) for c, g in zip(gcounts, order, strict=True)])
    moved = {m.index: m.delta for m in moves}
    result = list(plain)
    for k, g in enumerate(order):
        idx = members[g]
        label = g or "全表"
        target_text = (
            f"{label}目标 = {fmt(pot)} × {fmt(gcounts[k])} ÷ {fmt(base)} = {fmt_exact(gexact[k])}"
            f" → {fmt(grounded[k])}{unit}"
        )
        if k in moved:
            sign = "+" if moved[k] > 0 else ""
            target_text += (
                f"；各组目标合计与资金差 {sign}{fmt(moved[k])}，按表内顺序由首个组内各行已偏向该方向的组承担"
                f" → {fmt(targets[k])}{unit}"
            )
        priority = sorted(range(len(idx)), key=lambda p: (-counts[idx[p]], work[idx[p]].recipient.name))
        adjusted, line_moves = adjust_to_target([plain[i] for i in idx], targets[k], rounding, priority)
        plain_sum = sum((plain[i] for i in idx), Decimal(0))
        for pos, i in enumerate(idx):
            result[i] = adjusted[pos]
            work[i].say(f.name, GROUP_STEP_MARK + target_text)
        if line_moves:
            gap = targets[k] - plain_sum
            sign = "+" if gap > 0 else ""
            for mv in line_moves:
                i = idx[mv.index]
                s = "+" if mv.delta > 0 else ""
                work[i].say(
                    f.name,
                    f"组内各行四舍五入合计 {fmt(plain_sum)}，与目标差 {sign}{fmt(gap)}；"
                    "按人数由多到少逐个调整 1 个单位："
                    f"本行 {s}{fmt(mv.delta)} → {fmt(result[i])}{unit}",
                )
    return result


def _notes(plan: Plan, method: FactorMethod, pots: Sequence[Decimal], work: Sequence[Working]) -> list[str]:
    """Say where printed factor totals differ from their pots (only possible with ``per_line``)."""
    unit = plan.unit.value
    notes = []
    for f, pot in zip(method.factors, pots, strict=True):
        printed = sum((w.parts[f.name] for w in work), Decimal(0))
        if printed != pot:
            notes.append(
                f"“{f.name}”合计 {fmt(printed)}{unit} 为各行之和，与该因素资金 {fmt(pot)}{unit}"
                f" 相差 {fmt(printed - pot)}{unit}。"
            )
    assert plan.total is not None
    total = sum((sum(w.parts.values(), Decimal(0)) for w in work), Decimal(0))
    if total != plan.total:
        notes.append(
            f"合计 {fmt(total)}{unit} 为各行之和，与资金总额 {fmt(plan.total)}{unit}"
            f" 相差 {fmt(total - plan.total)}{unit}。"
        )
    return notes
