"""Steps shared by every allocation method: adjustments, subtotals and totals (the rules inputs must meet before
any of this runs are in :mod:`fundflow.core.allocation.validation`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.money import fmt
from fundflow.core.plan import Plan, Recipient
from fundflow.core.result import AllocationResult, GroupTotal, Line, PartSpec, Steps


@dataclass
class Problems:
    """Collects every problem of a plan so the user sees them all at once."""

    items: list[Problem] = field(default_factory=list)

    def add(self, rule: str, message: str, location: Location | None = None) -> None:
        self.items.append(Problem(rule, message, location))

    def raise_if_any(self) -> None:
        if self.items:
            raise PlanError(self.items)


@dataclass
class Working:
    """Mutable per-line working state while a method computes; frozen into a Line at the end."""

    recipient: Recipient
    parts: dict[str, Decimal] = field(default_factory=dict)
    inputs: dict[str, Decimal] = field(default_factory=dict)
    explain: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""
    amount: Decimal | None = None  # set when the line total is not the plain sum of its parts

    def say(self, part: str, text: str) -> None:
        self.explain.setdefault(part, []).append(text)


def check_adjustments(plan: Plan, part_names: Sequence[str], problems: Problems) -> list[Recipient]:
    """The rules every manual tail adjustment (尾差调整) must meet before it is applied, recorded in ``problems``.

    The target line must exist (its group is needed only when its name occurs in several groups), the part must be
    a printed column, the delta a non-zero amount at the plan's places, a reason given, and within each group the
    deltas of one part must sum to zero so that no total changes. Computing and the web's adjustment form both
    call this, so an adjustment is accepted or refused for the same reasons everywhere. Returns the target of each
    adjustment in order (complete only when no problem was added).
    """
    balance: dict[tuple[str | None, str], Decimal] = defaultdict(Decimal)
    targets: list[Recipient] = []
    for adj in plan.adjustments:
        matches = [
            r for r in plan.recipients if r.name == adj.recipient and (adj.group is None or r.group == adj.group)
        ]
        if len(matches) != 1:
            message = (
                f"尾差调整中的“{adj.recipient}”不是分配对象"
                if not matches
                else f"尾差调整中的“{adj.recipient}”在多个分组中出现，请指明分组"
                "（计划文件中写 group，页面中写作“分组/名称”）"
            )
            problems.add("adjustment.unknown-recipient", message, adj.location)
            continue
        target = matches[0]
        if adj.part not in part_names:
            names = "、".join(part_names)
            problems.add(
                "adjustment.unknown-part", f"尾差调整中的“{adj.part}”不是本表的列（可选：{names}）", adj.location
            )
            continue
        if adj.delta == 0 or adj.delta != plan.rounding.apply(adj.delta):
            problems.add(
                "adjustment.bad-delta",
                f"尾差调整数额“{fmt(adj.delta)}”应为非零且不超过{plan.rounding.places}位小数",
                adj.location,
            )
            continue
        if not adj.reason.strip():
            problems.add("adjustment.no-reason", "尾差调整必须写明理由（reason）", adj.location)
        balance[(target.group, adj.part)] += adj.delta
        targets.append(target)
    for (group, part), total in balance.items():
        if total != 0:
            where = f"“{group}”组内" if group else "全表"
            problems.add(
                "adjustment.unbalanced",
                f"尾差调整必须保持合计不变：{where}“{part}”调整合计为 {fmt(total)}，应为 0"
                "（增加一个单位须在同组内减少一个单位）",
                plan.where("adjustments"),
            )
    return targets


def apply_adjustments(plan: Plan, work: Sequence[Working], part_names: Sequence[str], unit: str) -> None:
    """Apply manual tail adjustments (尾差调整) after validating that each group's totals are kept."""
    problems = Problems()
    targets = check_adjustments(plan, part_names, problems)
    problems.raise_if_any()
    lines = {(w.recipient.group, w.recipient.name): w for w in work}
    for adj, target in zip(plan.adjustments, targets, strict=True):
        w = lines[(target.group, target.name)]
        before = w.parts[adj.part]
        after = before + adj.delta
        if after < 0:
            problems.add("adjustment.negative", f"尾差调整后“{adj.recipient}”的“{adj.part}”为负数", adj.location)
            continue
        w.parts[adj.part] = after
        if w.amount is not None:
            w.amount += adj.delta
        sign = "+" if adj.delta > 0 else ""
        w.say(adj.part, f"尾差调整 {sign}{fmt(adj.delta)}（理由：{adj.reason}）：{fmt(before)} → {fmt(after)}{unit}")
    problems.raise_if_any()


def freeze_lines(work: Iterable[Working], part_names: Sequence[str], unit: str) -> tuple[Line, ...]:
    """Turn working state into lines whose amount is the sum of their printed parts."""
    lines = []
    for w in work:
        parts = {name: w.parts[name] for name in part_names}
        explain: dict[str, Steps] = {
            k: tuple(step.removeprefix(GROUP_STEP_MARK) for step in v) for k, v in w.explain.items()
        }
        if w.amount is not None:
            amount = w.amount
        elif len(part_names) > 1:
            amount = sum(parts.values(), Decimal(0))
            formula = " + ".join(fmt(parts[n]) for n in part_names)
            explain["合计"] = (f"合计 = {formula} = {fmt(amount)}{unit}",)
        else:
            amount = parts[part_names[0]]
        lines.append(
            Line(
                group=w.recipient.group,
                recipient=w.recipient.name,
                parts=parts,
                amount=amount,
                inputs=dict(w.inputs),
                note=w.note,
                explain=explain,
            )
        )
    return tuple(lines)


def sum_inputs(lines: Iterable[Line]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        for key, value in line.inputs.items():
            totals[key] += value
    return dict(totals)


def subtotal(
    name: str,
    lines: Sequence[Line],
    part_names: Sequence[str],
    unit: str,
    extra: Mapping[str, Sequence[str]] | None = None,
) -> GroupTotal:
    """A 小计 row: every part and the amount are the sums of the group's printed lines."""
    parts = {p: sum((line.parts[p] for line in lines), Decimal(0)) for p in part_names}
    amount = sum((line.amount for line in lines), Decimal(0))
    explain: dict[str, Steps] = {}
    for p in part_names:
        steps = list(extra.get(p, ())) if extra else []
        steps.append(f"小计 = 组内 {len(lines)} 行之和 = {fmt(parts[p])}{unit}")
        explain[p] = tuple(steps)
    explain["合计"] = (f"小计合计 = 组内各行合计之和 = {fmt(amount)}{unit}",)
    return GroupTotal(name=name, parts=parts, amount=amount, inputs=sum_inputs(lines), explain=explain)


def order_groups(plan: Plan, lines: Sequence[Line]) -> list[str]:
    """Groups in declared order (or order of first appearance), omitting declared groups with no lines."""
    present = {line.group for line in lines}
    return [g for g in plan.group_order() if g in present]


def sort_lines(plan: Plan, lines: Sequence[Line]) -> tuple[Line, ...]:
    """Keep recipients in plan order inside each group, groups in declared order."""
    if not any(line.group for line in lines):
        return tuple(lines)
    rank = {g: i for i, g in enumerate(plan.group_order())}
    indexed = sorted(enumerate(lines), key=lambda t: (rank.get(t[1].group or "", len(rank)), t[0]))
    return tuple(line for _, line in indexed)


def finish(
    plan: Plan,
    work: Sequence[Working],
    parts: Sequence[PartSpec],
    notes: Sequence[str] = (),
    total_explain: Mapping[str, Steps] | None = None,
) -> AllocationResult:
    """Adjust, freeze, subtotal and total: the last steps every method shares."""
    names = [p.name for p in parts]
    unit = plan.unit.value
    apply_adjustments(plan, work, names, unit)
    lines = sort_lines(plan, freeze_lines(work, names, unit))
    members: dict[str | None, list[Line]] = defaultdict(list)
    for ln in lines:
        members[ln.group].append(ln)
    first_work: dict[str | None, Working] = {}
    for w in work:
        first_work.setdefault(w.recipient.group, w)
    groups = tuple(
        subtotal(g, members[g], names, unit, _group_steps(first_work[g], names)) for g in order_groups(plan, lines)
    )
    total_parts = {n: sum((ln.parts[n] for ln in lines), Decimal(0)) for n in names}
    total = sum((ln.amount for ln in lines), Decimal(0))
    explain = dict(total_explain or {})
    explain["合计"] = (f"合计 = 各行合计之和 = {fmt(total)}{unit}",)
    all_notes = [f"尾差处理：{plan.apportion.label}；{plan.rounding.describe()}。", *notes]
    if plan.adjustments:
        all_notes.append(f"含人工尾差调整 {len(plan.adjustments)} 处，理由见各行说明。")
    return AllocationResult(
        title=plan.title,
        method=plan.method_kind,
        unit=plan.unit,
        rounding=plan.rounding,
        apportion=plan.apportion,
        parts=tuple(parts),
        lines=lines,
        groups=groups,
        total=total,
        total_parts=total_parts,
        total_inputs=sum_inputs(lines),
        total_explain=explain,
        notes=tuple(all_notes),
        fund=plan.fund,
        year=plan.year,
        total_label=plan.total_label,
    )


GROUP_STEP_MARK = "【组】"


def _group_steps(first: Working, names: Sequence[str]) -> dict[str, list[str]]:
    """Steps marked as group-level (e.g. a hierarchical group target), repeated on the 小计 row.

    Group-level steps are identical on every line of a group, so the group's first line is enough.
    """
    return {
        n: [s.removeprefix(GROUP_STEP_MARK) for s in first.explain.get(n, []) if s.startswith(GROUP_STEP_MARK)]
        for n in names
    }


def check_total(plan: Plan, total: Decimal, problems: Problems) -> None:
    """When a plan states its total, the computed total must meet it exactly."""
    if plan.total is not None and total != plan.total:
        unit = plan.unit.value
        problems.add(
            "plan.total-mismatch",
            f"计算合计 {fmt(total)}{unit} 与计划总额 {fmt(plan.total)}{unit} 不符"
            f"（相差 {fmt(total - plan.total)}{unit}）",
            plan.where("total"),
        )
