"""Check a published factor-method table: do its sums add up, and which apportionment reproduces it?

Given a :class:`~fundflow.core.published.PublishedTable`, the checker

1. verifies every line total, printed count sum, 小计 and 合计 against the sum of what it sums;
2. rebuilds the plan (weights from the header, counts from the rows, the total from the 合计 row) and
   recomputes it with each named apportionment;
3. reports, per apportionment, how many line × factor cells match and which differ by how much, and
   whether the remaining differences are balanced within their groups (so that they can be recorded as
   manual 尾差调整 in a plan that reproduces the table exactly).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal

from fundflow.core.allocation import allocate
from fundflow.core.apportion import Apportion
from fundflow.core.errors import Location, PlanError
from fundflow.core.money import Rounding, Unit, fmt, percent
from fundflow.core.plan import Adjustment, Factor, FactorMethod, Plan, Recipient
from fundflow.core.published import PublishedTable, RowKind, TableRow
from fundflow.core.result import AllocationResult


@dataclass(frozen=True, slots=True)
class SumFinding:
    """A printed sum that is not the sum of its parts."""

    where: str
    column: str
    printed: Decimal
    computed: Decimal
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class CellDiff:
    group: str | None
    recipient: str
    factor: str
    printed: Decimal
    computed: Decimal

    @property
    def delta(self) -> Decimal:
        return self.printed - self.computed


@dataclass(frozen=True, slots=True)
class MethodOutcome:
    apportion: Apportion
    matched: int
    cells: int
    diffs: tuple[CellDiff, ...]
    balanced: bool  # remaining diffs sum to zero within each (group, factor)
    error: str | None = None
    total: Decimal | None = None  # the total this outcome was computed from, when not the printed 合计

    @property
    def exact(self) -> bool:
        return self.error is None and not self.diffs


@dataclass(frozen=True, slots=True)
class TableReport:
    table: PublishedTable
    sums: tuple[SumFinding, ...]
    weights_ok: bool
    outcomes: tuple[MethodOutcome, ...]
    plan: Plan | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def best(self) -> MethodOutcome | None:
        ok = [o for o in self.outcomes if o.error is None]
        return max(ok, key=lambda o: (o.matched, -_ORDER.index(o.apportion))) if ok else None

    @property
    def reproducing_plan(self) -> Plan | None:
        """The plan with the best apportionment plus manual adjustments, if the rest is balanced."""
        best = self.best
        if self.plan is None or best is None or not best.balanced:
            return None
        adjustments = tuple(
            Adjustment(
                recipient=d.recipient,
                part=d.factor,
                delta=d.delta,
                reason="与印发表一致（人工尾差调整）",
                group=d.group,
            )
            for d in best.diffs
        )
        plan = self.plan if best.total is None else replace(self.plan, total=best.total)
        return _replace_plan(plan, best.apportion, adjustments)


_ORDER = [Apportion.HIERARCHICAL, Apportion.LARGEST_REMAINDER, Apportion.PER_LINE]


def check_table(table: PublishedTable) -> TableReport:
    sums = tuple(_check_sums(table))
    weights = sum((f.weight for f in table.factors), Decimal(0))
    notes = list(table.notes)
    if weights != 1:
        notes.append(f"表头各因素权重之和为 {percent(weights)}，不是 100%")
    plan = build_plan(table)
    outcomes = []
    if plan is not None and weights == 1:
        for apportion in (Apportion.PER_LINE, Apportion.LARGEST_REMAINDER, Apportion.HIERARCHICAL):
            outcomes.append(_outcome(table, _replace_plan(plan, apportion, ())))
        if not outcomes[0].exact and not sums:
            found = _per_line_from_pot(table, plan)
            if found is not None:
                outcomes[0] = found
                unit = table.unit
                notes.append(
                    f"逐行取舍的表，合计是各行取舍后之和；按分配总额 {fmt(found.total or Decimal(0))}{unit}"
                    f"（而非印发合计 {fmt(plan.total or Decimal(0))}{unit}）重算可完全重现"
                )
    return TableReport(table, sums, weights == 1, tuple(outcomes), plan, tuple(notes))


def _check_sums(table: PublishedTable) -> list[SumFinding]:
    findings: list[SumFinding] = []
    for row in table.rows:
        if table.total_column in row.cells or row.kind is not RowKind.LINE:
            parts = sum((row.cells.get(f.amount_column, Decimal(0)) for f in table.factors), Decimal(0))
            printed = row.cells.get(table.total_column, Decimal(0))
            if parts != printed:
                findings.append(SumFinding(_row_name(row), table.total_label, printed, parts, row.location))
        for f in table.factors:
            if f.derived_column is not None:
                counts = sum((row.cells.get(c, Decimal(0)) for c in f.count_columns), Decimal(0))
                printed = row.cells.get(f.derived_column, Decimal(0))
                if counts != printed:
                    findings.append(
                        SumFinding(_row_name(row), table.label(f.derived_column), printed, counts, row.location)
                    )
    columns = table.numeric_columns
    for sub in table.subtotals:
        members = [r for r in table.lines if r.group == sub.group]
        findings.extend(_column_sums(table, sub, members, columns))
    total = table.total_row
    if total is not None:
        members = list(table.subtotals) or list(table.lines)
        findings.extend(_column_sums(table, total, members, columns))
    return findings


def _column_sums(
    table: PublishedTable, row: TableRow, members: Sequence[TableRow], columns: Sequence[int]
) -> list[SumFinding]:
    found = []
    for c in columns:
        computed = sum((m.cells.get(c, Decimal(0)) for m in members), Decimal(0))
        printed = row.cells.get(c, Decimal(0))
        if computed != printed:
            found.append(SumFinding(_row_name(row), table.label(c), printed, computed, row.location))
    return found


def _row_name(row: TableRow) -> str:
    if row.kind is RowKind.SUBTOTAL:
        return f"{row.group}小计"
    if row.kind is RowKind.TOTAL:
        return row.name or "合计"
    return f"{row.group}·{row.name}" if row.group else row.name


_DATE_PREFIX = re.compile(r"^\d{4}年(\d{1,2}月(底|末)?)?")
_BRACKETS = re.compile(r"[（(][^）)]*[)）]")


def short_key(label: str) -> str:
    """A short column key from a long printed label: '2020年10月底低保对象人数(人)' → '低保对象人数'."""
    key = _BRACKETS.sub("", _DATE_PREFIX.sub("", label)).strip()
    return key or label


def build_plan(table: PublishedTable) -> Plan | None:
    """The factor plan the table implies: weights from the header, counts from the rows."""
    total_row = table.total_row
    total = total_row.cells.get(table.total_column) if total_row else None
    if total is None:
        total = sum((r.cells.get(table.total_column, Decimal(0)) for r in table.lines), Decimal(0))
    keys: dict[int, str] = {}
    labels: dict[str, str] = {}
    for f in table.factors:
        for column, label in zip(f.count_columns, f.count_labels, strict=True):
            key = short_key(label)
            if key in labels:
                key = f"{key}{column + 1}"
            keys[column] = key
            labels[key] = label
    factors = tuple(
        Factor(
            name=f.name,
            weight=f.weight,
            counts=tuple(keys[c] for c in f.count_columns),
            count_label=f.derived_label,
            amount_label=f.amount_label,
        )
        for f in table.factors
    )
    recipients = tuple(
        Recipient(
            name=r.name,
            group=r.group,
            values={keys[c]: r.cells.get(c, Decimal(0)) for c in keys},
            location=r.location,
        )
        for r in table.lines
    )
    groups = tuple(dict.fromkeys(r.group for r in table.lines if r.group is not None))
    return Plan(
        title=table.title or "分配表",
        method=FactorMethod(factors),
        recipients=recipients,
        unit=Unit.parse(table.unit),
        total=total,
        rounding=Rounding(table.places),
        apportion=Apportion.HIERARCHICAL,
        groups=groups,
        labels=labels,
        total_label=total_row.name if total_row and total_row.name else "合计",
        source=table.source,
    )


def _replace_plan(plan: Plan, apportion: Apportion, adjustments: tuple[Adjustment, ...]) -> Plan:
    return replace(plan, apportion=apportion, adjustments=adjustments)


def _outcome(table: PublishedTable, plan: Plan) -> MethodOutcome:
    cells = len(table.lines) * len(table.factors)
    try:
        result = allocate(plan)
    except PlanError as exc:
        return MethodOutcome(plan.apportion, 0, cells, (), False, str(exc))
    diffs = tuple(compare(table, result))
    balance: dict[tuple[str | None, str], Decimal] = defaultdict(Decimal)
    for d in diffs:
        balance[(d.group, d.factor)] += d.delta
    balanced = all(v == 0 for v in balance.values())
    return MethodOutcome(plan.apportion, cells - len(diffs), cells, diffs, balanced)


def compare(table: PublishedTable, result: AllocationResult) -> list[CellDiff]:
    """Every line × factor cell where the printed amount differs from the computed one."""
    diffs = []
    computed = {(ln.group, ln.recipient): ln for ln in result.lines}
    for row in table.lines:
        line = computed[(row.group, row.name)]
        for f in table.factors:
            printed = row.cells.get(f.amount_column, Decimal(0))
            if printed != line.parts[f.name]:
                diffs.append(CellDiff(row.group, row.name, f.name, printed, line.parts[f.name]))
    return diffs


def describe(report: TableReport) -> list[str]:
    """The report as Chinese text lines, for the CLI."""
    t = report.table
    out = [f"表名：{t.title or '（未识别）'}；单位：{t.unit}；{len(t.lines)} 行，{len(t.subtotals)} 个小计组"]
    out.append("因素：" + "；".join(f"{f.name} {percent(f.weight)}" for f in t.factors))
    out.extend(f"读表说明：{n}" for n in report.notes)
    out.append("")
    out.append("一、合计与小计核对")
    if not report.sums:
        out.append("  全部行合计、人数合计、小计和合计均等于其组成之和。")
    for s in report.sums:
        where = s.location.describe() if s.location else ""
        out.append(
            f"  {where} {s.where}“{s.column}”印为 {fmt(s.printed)}，组成之和为 {fmt(s.computed)}"
            f"（差 {fmt(s.printed - s.computed)}）"
        )
    out.append("")
    out.append("二、按各尾差处理方式重算")
    weights = sum((f.weight for f in t.factors), Decimal(0))
    if not report.weights_ok:
        out.append(f"  未重算：表头各因素权重之和为 {percent(weights)}，不是 100%。")
    for o in report.outcomes:
        if o.error:
            out.append(f"  {o.apportion.value}：无法计算：{o.error}")
            continue
        out.append(f"  {o.apportion.value}（{o.apportion.label}）：{o.matched}/{o.cells} 格与印发表一致")
        for d in o.diffs:
            sign = "+" if d.delta > 0 else ""
            out.append(
                f"    {d.group or ''} {d.recipient} {d.factor}：印发 {fmt(d.printed)}，计算 {fmt(d.computed)}"
                f"（{sign}{fmt(d.delta)}）"
            )
    best = report.best
    out.append("")
    out.append("三、结论")
    if not report.weights_ok:
        sums = "均相符" if not report.sums else f"有 {len(report.sums)} 处不符"
        out.append(
            f"  表头各因素权重之和为 {percent(weights)}，不是 100%，因此无法按表头权重重算本表；"
            f"合计与小计的核对（第一部分）照常进行，{sums}。"
        )
    elif best is None:
        out.append("  无法重算（见上）。")
    elif best.exact:
        out.append(f"  {best.apportion.value} 完全重现印发表。")
    elif best.balanced:
        out.append(
            f"  {best.apportion.value} 最接近（{best.matched}/{best.cells}）；其余 {len(best.diffs)} 格的差额在各组内"
            "正负相抵，可视为人工尾差调整，加上这些调整后可完全重现印发表（--emit-plan 可输出该计划）。"
        )
    else:
        out.append(
            f"  {best.apportion.value} 最接近（{best.matched}/{best.cells}）；其余差额在组内不能相抵，"
            "不能用平衡的尾差调整解释，请核对原始数据。"
        )
    return out


def _per_line_from_pot(table: PublishedTable, plan: Plan) -> MethodOutcome | None:
    """A per_line table prints as 合计 the sum of its rounded lines, not the total that was divided.

    Each printed cell p = round(total × weight × count ÷ base) bounds the total; the total with the fewest
    digits inside every bound is taken, and kept only if recomputing with it reproduces every cell.
    """
    q = Rounding(table.places).quantum
    half = q / 2
    low, high = Decimal("-Infinity"), Decimal("Infinity")
    for f in table.factors:
        if f.weight <= 0:
            return None
        counts = [sum((r.cells.get(c, Decimal(0)) for c in f.count_columns), Decimal(0)) for r in table.lines]
        base = sum(counts, Decimal(0))
        if base <= 0:
            return None
        pot_low, pot_high = Decimal("-Infinity"), Decimal("Infinity")
        for r, c in zip(table.lines, counts, strict=True):
            p = r.cells.get(f.amount_column, Decimal(0))
            if c == 0:
                if p != 0:
                    return None
                continue
            pot_low = max(pot_low, (p - half) * base / c)
            pot_high = min(pot_high, (p + half) * base / c)
        # the pot is itself rounded before it is divided: total × weight must round into [pot_low, pot_high)
        low = max(low, (pot_low - half) / f.weight)
        high = min(high, (pot_high + half) / f.weight)
    if not low < high:
        return None
    for k in range(9, -table.places - 1, -1):
        step = Decimal(1).scaleb(k)
        candidate = (low / step).to_integral_value(rounding=ROUND_CEILING) * step
        if candidate < high:
            outcome = _outcome(table, replace(plan, apportion=Apportion.PER_LINE, total=candidate))
            if outcome.exact:
                return replace(outcome, total=candidate)
    return None
