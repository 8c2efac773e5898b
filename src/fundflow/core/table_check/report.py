"""The check-table report of either checker as Chinese text lines and as a JSON-ready mapping."""

from __future__ import annotations

from decimal import Decimal

from fundflow.core.money import fmt, percent
from fundflow.core.table_check.factor import TableReport
from fundflow.core.table_check.generic import SUM_RULES, GridReport
from fundflow.core.table_check.model import Finding, Kind, Severity

_SEVERITY = {Severity.ERROR: "错误", Severity.WARNING: "提示", Severity.INFO: "说明"}


def factor_findings(report: TableReport) -> list[Finding]:
    """The factor checker's results as findings: sums are errors, weights not adding to 100% an error, and
    differences no balanced 尾差调整 explains a warning (the table may rest on other data)."""
    t = report.table
    out = []
    for s in report.sums:
        out.append(
            Finding(
                "table.column-sum" if _is_column_sum(report, s.where) else "table.row-total",
                Severity.ERROR,
                s.where,
                s.column,
                s.printed,
                s.computed,
                f"“{s.column}”印为 {fmt(s.printed)}，组成之和为 {fmt(s.computed)}（差 {fmt(s.printed - s.computed)}）",
                s.location,
            )
        )
    weights = sum((f.weight for f in t.factors), Decimal(0))
    if not report.weights_ok:
        out.append(
            Finding(
                "table.factor-weights",
                Severity.ERROR,
                "表头",
                "因素权重",
                weights * 100,
                Decimal(100),
                f"表头各因素权重之和为 {percent(weights)}，不是 100%",
            )
        )
    best = report.best
    if best is not None and not best.balanced:
        for d in best.diffs:
            out.append(
                Finding(
                    "table.factor-unexplained",
                    Severity.WARNING,
                    f"{d.group}·{d.recipient}" if d.group else d.recipient,
                    d.factor,
                    d.printed,
                    d.computed,
                    f"按 {best.apportion.value} 重算为 {fmt(d.computed)}，印发 {fmt(d.printed)}，差额在组内不能相抵",
                )
            )
    return out


def _is_column_sum(report: TableReport, where: str) -> bool:
    t = report.table
    names = {f"{r.group}小计" for r in t.subtotals}
    total = t.total_row
    if total is not None:
        names.add(total.name or "合计")
    return where in names


def finding_dict(f: Finding) -> dict[str, object]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "row": f.row,
        "where": f.where,
        "column": f.column,
        "printed": fmt(f.printed) if f.printed is not None else None,
        "expected": fmt(f.expected) if f.expected is not None else None,
        "message": f.message,
    }


def describe_finding(f: Finding) -> str:
    where = f"第 {f.row} 行 " if f.row else ""
    return f"  [{_SEVERITY[f.severity]} {f.rule}] {where}{f.where}：{f.message}"


def grid_dict(report: GridReport) -> dict[str, object]:
    t = report.table
    sums = report.sum_findings
    return {
        "kind": report.kind.value,
        "title": t.title,
        "unit": t.unit,
        "lines": len(t.lines),
        "groups": len(t.subtotals),
        "columns": [{"column": c.index + 1, "label": c.label, "role": report.roles[c.index].value} for c in t.columns],
        "reading_notes": list(report.notes),
        "heuristics": list(report.heuristics),
        "sums_ok": not [f for f in sums if f.severity is Severity.ERROR],
        "sum_findings": [
            {
                "where": f.where,
                "column": f.column,
                "printed": fmt(f.printed) if f.printed is not None else None,
                "computed": fmt(f.expected) if f.expected is not None else None,
                "row": f.row,
            }
            for f in sums
        ],
        "findings": [finding_dict(f) for f in report.findings],
        "errors": len(report.errors),
        "advance_document": report.advance_document,
        "reproducible": report.plan is not None,
        "plan_note": report.plan_note,
    }


def describe_grid(report: GridReport) -> list[str]:
    t = report.table
    out = [f"表名：{t.title or '（未识别）'}；单位：{t.unit}；{len(t.lines)} 行，{len(t.subtotals)} 个小计组"]
    out.append(f"表的类型：{report.kind.value}（{report.kind.label}）")
    out.extend(f"读表说明：{n}" for n in report.notes)
    out.extend(f"识别依据：{h}" for h in report.heuristics)
    out.append("")
    out.append("一、合计与小计核对")
    sums = report.sum_findings
    if not sums:
        out.append("  全部行合计、小计和合计均等于其组成之和（空白单元格按空计，不按 0 计）。")
    out.extend(describe_finding(f) for f in sums)
    out.append("")
    others = [f for f in report.findings if f.rule not in SUM_RULES]
    if report.kind is Kind.STANDARD:
        out.append("二、按标准重算（数量 × 标准）")
        if not [f for f in others if f.rule == "table.standard-product"]:
            out.append("  各金额均等于数量 × 标准。")
    elif report.kind is Kind.SETTLEMENT:
        assert report.settlement is not None
        out.append(f"二、结算关系核对：{report.settlement.formula(t)}")
        if not [f for f in report.findings if f.rule in ("table.settlement", "table.lost-sign")]:
            out.append("  各行均符合结算关系。")
    elif report.kind is Kind.FIXED:
        out.append("二、定额下达：各单位金额直接给定，无需重算")
    else:
        out.append("二、未识别出分配方法（无权重、标准或结算关系），只核对合计与小计")
    out.extend(describe_finding(f) for f in others)
    out.append("")
    out.append("三、结论")
    errors = report.errors
    if errors:
        out.append(f"  发现 {len(errors)} 处错误（见上），请在印发前更正。")
    else:
        out.append("  未发现错误。")
    if report.plan is not None:
        out.append(f"  {report.plan_note}；--emit-plan 可输出该计划。")
    elif report.plan_note:
        out.append(f"  未能重建计划：{report.plan_note}。")
    return out
