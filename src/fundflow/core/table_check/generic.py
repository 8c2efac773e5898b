"""Check a published table of any method other than the factor method (which :mod:`.factor` handles).

The kind is decided from what the columns turned out to be: a settlement identity that holds → settlement; an
amount column recomputed as count × standard → standard; a single money column (with or without its 合计
column) → fixed; anything else → sums-only. The sums are checked whatever the kind. When the table carries
enough to rebuild its plan (fixed amounts; entitlement and advance; counts and a single standard) the plan is
built and recomputed, and offered (``--emit-plan``) only when it reproduces every printed figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fundflow.core.allocation import allocate
from fundflow.core.apportion import Apportion
from fundflow.core.errors import PlanError
from fundflow.core.money import Rounding, Unit, fmt
from fundflow.core.plan import (
    FixedMethod,
    MethodSpec,
    Plan,
    Recipient,
    SettlementMethod,
    StandardComponent,
    StandardShareMethod,
)
from fundflow.core.result import AllocationResult
from fundflow.core.table_check.factor import short_key
from fundflow.core.table_check.kinds import SETTLEMENT_ROLES, Role, money_unit, role_of
from fundflow.core.table_check.model import Finding, GridTable, Kind, Severity
from fundflow.core.table_check.settlement import SettlementRel, advance_document, check_settlement, find_settlement
from fundflow.core.table_check.standard import StandardRel, Term, check_standards, find_standards
from fundflow.core.table_check.structure import infer_subtotals
from fundflow.core.table_check.sums import RowSum, check_column_sums, check_row_sums, find_row_sums

SUM_RULES = ("table.row-total", "table.column-sum", "table.blank-total", "table.lost-sign")
_AMOUNTS = (Role.MONEY, Role.OTHER, *SETTLEMENT_ROLES)


@dataclass(frozen=True, slots=True)
class GridReport:
    table: GridTable
    kind: Kind
    roles: Mapping[int, Role]
    row_sums: tuple[RowSum, ...]
    standards: tuple[StandardRel, ...]
    settlement: SettlementRel | None
    findings: tuple[Finding, ...]
    heuristics: tuple[str, ...]
    plan: Plan | None = None
    plan_note: str = ""
    advance_document: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def sum_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule in SUM_RULES)


def check_grid(table: GridTable) -> GridReport:
    roles = {c.index: role_of(c.label) for c in table.columns}
    heuristics = [_roles_note(table, roles)]
    table, inferred = infer_subtotals(table)
    if inferred:
        heuristics.append(inferred)
    row_sums, notes = find_row_sums(table, roles)
    heuristics.extend(notes)
    settlement = find_settlement(table, roles)
    if settlement is not None:
        heuristics.append(
            f"结算关系按算术取 {settlement.formula(table)}（{settlement.matched}/{settlement.rows} 行相符）"
        )
    standards, std_notes = find_standards(table, roles)
    heuristics.extend(std_notes)
    kind = _kind(table, roles, settlement, standards)
    findings: list[Finding] = []
    findings.extend(check_row_sums(table, row_sums))
    findings.extend(check_column_sums(table, roles))
    if settlement is not None:
        findings.extend(check_settlement(table, settlement, roles))
    findings.extend(check_standards(table, standards))
    findings = _dedupe(findings)
    doc = advance_document(table, settlement) if settlement is not None else None
    plan, plan_note = _plan(table, roles, kind, settlement, standards, doc)
    return GridReport(
        table,
        kind,
        roles,
        tuple(row_sums),
        tuple(standards),
        settlement,
        tuple(findings),
        tuple(heuristics),
        plan,
        plan_note,
        doc,
        tuple(table.reading_notes),
    )


def _dedupe(findings: Sequence[Finding]) -> list[Finding]:
    """One cell, one finding per rule: a lost sign found by two sums is reported once."""
    seen: set[tuple[str, int | None, str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.row, f.where, f.column)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def _roles_note(table: GridTable, roles: Mapping[int, Role]) -> str:
    return "列的识别（按表头文字）：" + "；".join(f"“{c.label}”→{roles[c.index].label}" for c in table.columns)


def _kind(
    table: GridTable, roles: Mapping[int, Role], settlement: SettlementRel | None, standards: Sequence[StandardRel]
) -> Kind:
    if settlement is not None:
        return Kind.SETTLEMENT
    if standards:
        return Kind.STANDARD
    amounts = [c for c in table.columns if roles[c.index] in _AMOUNTS]
    counts = [c for c in table.columns if roles[c.index] in (Role.COUNT, Role.STANDARD, Role.PERCENT)]
    if len(amounts) == 1 and not counts:
        return Kind.FIXED
    return Kind.SUMS_ONLY


# ---------------------------------------------------------------------------------------------------- plans


def _plan(
    table: GridTable,
    roles: Mapping[int, Role],
    kind: Kind,
    settlement: SettlementRel | None,
    standards: Sequence[StandardRel],
    doc: str | None,
) -> tuple[Plan | None, str]:
    if kind is Kind.SUMS_ONLY:
        return None, "只核对合计与小计的表没有可重建的计划"
    if not table.lines:
        return None, "表中没有数据行"
    if kind is Kind.FIXED:
        amount = next(c.index for c in table.columns if roles[c.index] in _AMOUNTS)
        return _verify(table, _fixed_plan(table, amount), {amount: ("拨付资金",)})
    if kind is Kind.SETTLEMENT:
        assert settlement is not None
        return _settlement_plan(table, roles, settlement, doc)
    return _standard_plan(table, roles, standards)


def _make(
    table: GridTable,
    method: MethodSpec,
    values: Sequence[dict[str, Decimal]],
    labels: dict[str, str],
    places: int,
    unit: str,
    apportion: Apportion = Apportion.PER_LINE,
) -> Plan:
    """A plan of ``method`` over the table's lines, in the table's order, groups and labels."""
    total_row = table.total_row
    recipients = tuple(
        Recipient(name=r.name, group=r.group, values=v, location=r.location)
        for r, v in zip(table.lines, values, strict=True)
    )
    return Plan(
        title=table.title or "分配表",
        method=method,
        recipients=recipients,
        unit=Unit.parse(unit),
        rounding=Rounding(min(max(places, 0), 6)),
        apportion=apportion,
        groups=tuple(dict.fromkeys(r.group for r in table.lines if r.group is not None)),
        labels=labels,
        total_label=total_row.name if total_row and total_row.name else "合计",
        source=table.source,
    )


def _fixed_plan(table: GridTable, amount: int) -> Plan:
    label = table.label(amount)
    unit = money_unit(label, table.unit)
    values = [{"amount": r.cells.get(amount, Decimal(0))} for r in table.lines]
    return _make(table, FixedMethod(part="拨付资金"), values, {"amount": label}, table.places.get(amount, 0), unit)


def _settlement_plan(
    table: GridTable, roles: Mapping[int, Role], rel: SettlementRel, doc: str | None
) -> tuple[Plan | None, str]:
    due = [c for c, s in rel.terms if s > 0]
    adv = [c for c, s in rel.terms if s < 0]
    if roles[rel.result] is not Role.RESULT or len(due) != 1 or len(adv) != 1 or roles[due[0]] is not Role.DUE:
        return None, f"结算关系为 {rel.formula(table)}，结算计划只能表达“应补助 − 已预拨 = 此次结算”，未输出计划"
    d, a = due[0], adv[0]
    for r in table.lines:
        if r.cells.get(d, Decimal(0)) < 0 or r.cells.get(a, Decimal(0)) < 0:
            return None, f"“{r.where}”的应补助或已预拨为负数，结算计划不能表达"
    places = max(table.places.get(c, 0) for c in (d, a, rel.result))
    unit = money_unit(table.label(rel.result), table.unit)
    values = [{"entitlement": r.cells.get(d, Decimal(0)), "advanced": r.cells.get(a, Decimal(0))} for r in table.lines]
    labels = {"entitlement": table.label(d), "advanced": table.label(a)}
    plan = _make(table, SettlementMethod(advance_document=doc or "预拨"), values, labels, places, unit)
    return _verify(table, plan, {rel.result: ("本次结算",)})


def _standard_plan(table: GridTable, roles: Mapping[int, Role], rels: Sequence[StandardRel]) -> tuple[Plan | None, str]:
    covered = {r.amount for r in rels}
    others = [c for c in table.columns if roles[c.index] in _AMOUNTS and c.index not in covered]
    if others:
        names = "、".join(f"“{c.label}”" for c in others)
        return None, f"表中 {names} 不是数量 × 标准，计划无法重现"
    units = {money_unit(table.label(r.amount), table.unit) for r in rels}
    places = {table.places.get(r.amount, 0) for r in rels}
    if len(units) != 1 or len(places) != 1:
        return None, "各金额列的单位或小数位数不同，计划无法重现"
    components = []
    labels: dict[str, str] = {}
    values: list[dict[str, Decimal]] = [{} for _ in table.lines]
    expect: dict[int, tuple[str, ...]] = {}
    for rel in rels:
        parts: list[str] = []
        for t in rel.terms:
            name, component = _component(table, t, values, labels, expect, rel, len(rel.terms) > 1)
            if component is None:
                return None, name
            parts.append(name)
            components.append(component)
        expect[rel.amount] = tuple(parts)
    unit = units.pop()
    method = StandardShareMethod(tuple(components))
    note = ""
    for apportion in (Apportion.PER_LINE, Apportion.LARGEST_REMAINDER):
        plan = _make(table, method, values, labels, places.copy().pop(), unit, apportion)
        found, note = _verify(table, plan, expect)
        if found is not None:
            return found, note
    return None, note


def _component(
    table: GridTable,
    t: Term,
    values: list[dict[str, Decimal]],
    labels: dict[str, str],
    expect: Mapping[int, tuple[str, ...]],
    rel: StandardRel,
    several: bool,
) -> tuple[str, StandardComponent | None]:
    """One standard component of the rebuilt plan (its count column added to each recipient's values)."""
    standard = t.standard_yuan
    if t.standard_column is not None:
        seen = {r.cells.get(t.standard_column) for r in table.lines}
        if len(seen) != 1 or None in seen:
            return f"“{table.label(t.standard_column)}”各行不同，计划只能表达统一标准", None
        value = seen.pop()
        assert value is not None
        standard = value * t.standard_factor
    assert standard is not None
    key = short_key(table.label(t.count))
    for k, r in enumerate(table.lines):
        count = r.cells.get(t.count, Decimal(0))
        if t.months_column is not None:
            count *= r.cells.get(t.months_column, Decimal(0))
        values[k][key] = count
    labels[key] = table.label(t.count) + ("×月数" if t.months_column is not None else "")
    name = short_key(table.label(t.count if several else rel.amount))
    taken = {n for names in expect.values() for n in names}
    if name in taken:
        name = f"{name}{rel.amount + 1}"
    return name, StandardComponent(name=name, count=key, standard_yuan=_plain(standard * t.months))


def _verify(table: GridTable, plan: Plan, expect: Mapping[int, tuple[str, ...]]) -> tuple[Plan | None, str]:
    """Recompute the rebuilt plan; keep it only if every printed line figure it produces is reproduced."""
    try:
        result = allocate(plan)
    except PlanError as exc:
        return None, "重建的计划无法计算：" + "；".join(p.message for p in exc.problems)
    diffs = _diffs(table, result, expect)
    if diffs:
        return None, f"重建的计划重算后有 {len(diffs)} 格与印发表不同（如 {diffs[0]}），未输出计划"
    return plan, "重建的计划重算后与印发表各数一致"


def _diffs(table: GridTable, result: AllocationResult, expect: Mapping[int, tuple[str, ...]]) -> list[str]:
    by_key = {(ln.group, ln.recipient): ln for ln in result.lines}
    out = []
    for r in table.lines:
        line = by_key.get((r.group, r.name))
        if line is None:
            out.append(f"{r.where} 缺失")
            continue
        for column, parts in expect.items():
            printed = r.cells.get(column)
            got = sum((line.parts.get(p, Decimal(0)) for p in parts), Decimal(0))
            if printed is not None and got != printed:
                out.append(f"{r.where}“{table.label(column)}”印 {fmt(printed)}，计划得 {fmt(got)}")
    return out


def _plain(value: Decimal) -> Decimal:
    """15000.0 → 15000, 0.750 → 0.75: a standard written as a person writes it."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal
