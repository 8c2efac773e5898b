"""``fundflow allocate`` and ``fundflow check-table``: allocation plans and published tables."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from fundflow.cli.base import EXIT_FINDINGS, app, fail, usage_error
from fundflow.core.allocation import allocate
from fundflow.core.errors import PlanError
from fundflow.core.explain import explain as explain_figure
from fundflow.core.result import AllocationResult
from fundflow.core.table_check import TableReport, check_table, describe
from fundflow.io.json_allocation import result_to_json
from fundflow.io.layout import Layout, RowStyle, build_layout, to_tsv
from fundflow.io.plan_writer import plan_to_yaml
from fundflow.io.plan_yaml import load_plan


class OutputFormat(StrEnum):
    table = "table"
    tsv = "tsv"
    json = "json"
    xlsx = "xlsx"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("allocate")
def allocate_command(
    plan: Annotated[Path, typer.Argument(help="计划文件（YAML，格式见 docs/plan-format.md）")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式")] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（xlsx 必填）")] = None,
    explain: Annotated[
        str | None, typer.Option("--explain", help="说明某单位（或“分组/单位”、分组小计、合计）各数的计算过程")
    ] = None,
) -> None:
    """按计划计算分配表，并按公文格式输出（表格、TSV、JSON 或 Excel）。"""
    try:
        parsed = load_plan(plan)  # read and parsed once: the labels below are the same plan's
        result = allocate(parsed)
    except PlanError as exc:
        raise fail(exc) from None
    if explain is not None:
        lines = explain_figure(result, explain)
        if lines is None:
            raise usage_error(f"分配表中没有“{explain}”（可用单位名称、“分组/单位”、分组名称或“{result.total_label}”）")
        _emit("\n".join(lines) + "\n", output)
        return
    layout = build_layout(result, dict(parsed.labels))
    if format is OutputFormat.xlsx:
        if output is None:
            raise usage_error("输出 Excel 时须用 -o 指定文件名")
        from fundflow.io.xlsx_allocation import write_xlsx

        write_xlsx(layout, output)
        Console(stderr=True).print(f"已写入 {output}", markup=False)
        return
    if format is OutputFormat.json:
        _emit(result_to_json(result) + "\n", output)
    elif format is OutputFormat.tsv:
        _emit(to_tsv(layout), output)
    else:
        _print_table(layout, result, output)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def _print_table(layout: Layout, result: AllocationResult, output: Path | None) -> None:
    """Draw the table with box characters; CJK widths are measured by Rich."""
    table = Table(title=layout.title, caption=layout.unit_line, show_lines=False, header_style="bold")
    top = {span.start: span for span in layout.spans}
    for i, label in enumerate(layout.labels):
        span = next((s for s in layout.spans if s.start <= i < s.start + s.width), None)
        head = span.text if span and (span.start == i or top.get(i)) else ""
        header = f"{head}\n{label}" if label else head
        table.add_column(header, justify="left" if i < layout.name_columns else "right", no_wrap=True)
    for row in layout.rows:
        style = "bold" if row.style is not RowStyle.LINE else None
        table.add_row(*row.cells, style=style)
    width = _table_width(layout)
    if output is None:
        console = Console(width=width, highlight=False, soft_wrap=False)
        console.print(table)
        for note in layout.notes:
            console.print(f"注：{note}", markup=False)
    else:
        with output.open("w", encoding="utf-8") as fh:
            console = Console(file=fh, width=width, highlight=False, color_system=None)
            console.print(table)
            for note in layout.notes:
                console.print(f"注：{note}", markup=False)


def _table_width(layout: Layout) -> int:
    """Wide enough that no cell wraps: the widest header line or cell of each column, plus borders."""
    widths = []
    for i, label in enumerate(layout.labels):
        span = next((s for s in layout.spans if s.start == i), None)
        texts = [label, span.text if span else ""] + [row.cells[i] for row in layout.rows]
        widths.append(max(cell_len(t) for t in texts))
    return sum(widths) + 3 * len(widths) + 1


@app.command("check-table")
def check_table_command(
    file: Annotated[
        Path, typer.Argument(help="已印发的分配表：制表符分隔的文本、CSV、Excel，或逐格分行的文本（网页复制）")
    ],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="报告格式")] = ReportFormat.text,
    emit_plan: Annotated[Path | None, typer.Option("--emit-plan", help="输出可完全重现该表的计划文件（YAML）")] = None,
) -> None:
    """核对印发的分配表（因素法、标准、结算、定额或只有合计的表）：合计小计、标准乘积、结算关系，能否由计划重现。

    退出码：0 未发现错误，1 发现错误，2 文件无法读取或不是分配表。
    """
    from fundflow.core.published import PublishedTable
    from fundflow.core.table_check.generic import check_grid
    from fundflow.core.table_check.report import describe_grid, factor_findings, finding_dict, grid_dict
    from fundflow.io.published_table import read_any_table

    try:
        table = read_any_table(file)
    except PlanError as exc:
        raise fail(exc) from None
    if isinstance(table, PublishedTable):
        report = check_table(table)
        findings = factor_findings(report)
        if format is ReportFormat.json:
            data = {"kind": "factor", **_report_dict(report), "findings": [finding_dict(f) for f in findings]}
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write("\n".join(["表的类型：factor（因素法分配表）", *describe(report)]) + "\n")
        plan = report.reproducing_plan
        refusal = "该表不能由平衡的尾差调整完全重现，未输出计划文件"
        errors = any(f.severity == "error" for f in findings)
    else:
        grid_report = check_grid(table)
        if format is ReportFormat.json:
            sys.stdout.write(json.dumps(grid_dict(grid_report), ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write("\n".join(describe_grid(grid_report)) + "\n")
        plan = grid_report.plan
        refusal = f"该表不能由计划完全重现，未输出计划文件：{grid_report.plan_note}"
        errors = bool(grid_report.errors)
    if emit_plan is not None:
        if plan is None:
            raise usage_error(refusal)
        emit_plan.write_text(plan_to_yaml(plan, f"由 fundflow check-table 根据 {file.name} 生成"), encoding="utf-8")
        Console(stderr=True).print(f"已写入 {emit_plan}", markup=False)
    if errors:
        raise typer.Exit(EXIT_FINDINGS)


def _report_dict(report: object) -> dict[str, object]:
    from fundflow.core.money import fmt

    assert isinstance(report, TableReport)
    best = report.best
    return {
        "title": report.table.title,
        "unit": report.table.unit,
        "factors": [{"name": f.name, "weight": format(f.weight, "f")} for f in report.table.factors],
        "lines": len(report.table.lines),
        "groups": len(report.table.subtotals),
        "reading_notes": list(report.notes),
        "sums_ok": not report.sums,
        "sum_findings": [
            {
                "where": s.where,
                "column": s.column,
                "printed": fmt(s.printed),
                "computed": fmt(s.computed),
                "row": s.location.row if s.location else None,
            }
            for s in report.sums
        ],
        "methods": [
            {
                "apportion": o.apportion.value,
                "matched": o.matched,
                "cells": o.cells,
                "balanced": o.balanced,
                "error": o.error,
                "diffs": [
                    {
                        "group": d.group,
                        "recipient": d.recipient,
                        "factor": d.factor,
                        "printed": fmt(d.printed),
                        "computed": fmt(d.computed),
                        "delta": fmt(d.delta),
                    }
                    for d in o.diffs
                ],
            }
            for o in report.outcomes
        ],
        "best": best.apportion.value if best else None,
        "reproducible": report.reproducing_plan is not None,
    }
