"""``fundflow monitor`` (直达资金监控) and ``fundflow trace`` (指标追溯).

Both read with full scope (every region): the command line is the bureau's operator, as for ``fundflow issue``.
"""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from fundflow.cli.base import app, usage_error
from fundflow.cli.web import setup_django
from fundflow.core.money import YUAN_PER_WAN, fmt

FORMATS = ("table", "json", "xlsx")


def _wan(value: str) -> str:
    return fmt(Decimal(value) / YUAN_PER_WAN, 2)


def _pct(value: str | None) -> str:
    return "—" if value is None else f"{value}%"


def _print_table(data: dict[str, Any]) -> None:
    table = Table(
        title=f"{data['year']}年 {data['fund']} 直达资金监控（截止 {data['as_of']}）",
        caption="单位：万元（四舍五入保留2位小数；精确到元的金额见 --format json）",
        header_style="bold",
    )
    for label in (
        "区划代码",
        "地区",
        "上级下达",
        "分配本级",
        "分配下级",
        "未分配",
        "本级支出",
        "支出合计",
        "分配进度",
        "支出进度",
    ):
        table.add_column(label, justify="left" if label in ("区划代码", "地区") else "right")
    for r in data["regions"]:
        indent = {"自治区": "", "地州市": "  ", "县市区": "    "}.get(r["level"], "")
        table.add_row(
            r["code"],
            indent + r["name"],
            *(
                _wan(r[k])
                for k in ("received", "allocated_own", "allocated_lower", "unallocated", "spent_own", "spent_total")
            ),
            _pct(r["allocation_progress"]),
            _pct(r["spending_progress"]),
        )
    Console(highlight=False, width=200).print(table)


@app.command("monitor")
def monitor_command(
    fund: Annotated[str, typer.Option("--fund", help="资金名称（如 医疗救助补助资金）")],
    year: Annotated[int, typer.Option("--year", help="预算年度")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="截止日期 YYYY-MM-DD（默认今天）")] = None,
    output_format: Annotated[str, typer.Option("--format", help="输出格式：table、json 或 xlsx")] = "table",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="输出文件（xlsx 必填；其他格式默认打印）")
    ] = None,
) -> None:
    """直达资金监控：按地区逐级列出上级下达、分配本级、分配下级、未分配、支出及分配进度、支出进度。

    全范围读取（所有地区）。资金名称或年度在指标账中不存在时退出码 2。
    """
    if output_format not in FORMATS:
        raise usage_error(f"--format：不支持“{output_format}”，可选 table、json、xlsx")
    try:
        date = datetime.date.fromisoformat(as_of) if as_of else datetime.date.today()
    except ValueError:
        raise usage_error(f"--as-of：日期“{as_of}”格式不对，应如 2021-06-30") from None
    if output_format == "xlsx" and output is None:
        raise usage_error("--format xlsx 需要用 -o 指定输出文件")
    setup_django()
    from fundflow.ledger.models import Indicator
    from fundflow.ledger.monitoring import monitor

    if not Indicator.objects.filter(fund=fund, fiscal_year=year).exists():
        raise usage_error(f"指标账中没有 {year} 年度的资金“{fund}”")
    data = monitor(fund=fund, year=year, as_of=date).as_json()
    if output_format == "xlsx":
        from fundflow.io.monitor_xlsx import monitor_workbook

        buffer = io.BytesIO()
        monitor_workbook(data, buffer)
        assert output is not None
        output.write_bytes(buffer.getvalue())
        Console(highlight=False).print(f"已写入 {output}", markup=False)
    elif output_format == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if output is not None:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            typer.echo(text)
    else:
        _print_table(data)


def _text_tree(node: dict[str, Any], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    kind = "（扣回）" if node.get("kind") == "reduction" else ""
    figures = f"金额 {node['amount']} 元  可用 {node['available']} 元"
    lines.append(f"{pad}{node['id']}  {node['doc_no']}  {node['holder']}{kind}  {figures}")
    for p in node["payments"]:
        lines.append(f"{pad}    支付 {p['pay_app_no']}  {p['pay_date']}  {p['payer']} → {p['payee']}  {p['amount']} 元")
    for child in node["children"]:
        _text_tree(child, depth + 1, lines)


@app.command("trace")
def trace_command(
    key: Annotated[str, typer.Argument(help="指标编号或文号")],
    output_format: Annotated[str, typer.Option("--format", help="输出格式：text 或 json")] = "text",
) -> None:
    """指标追溯：从最上级文件的指标到每一笔支付的整棵树（文号：该文件每条指标各一棵树）。全范围读取。"""
    if output_format not in ("text", "json"):
        raise usage_error(f"--format：不支持“{output_format}”，可选 text、json")
    setup_django()
    from fundflow.ledger.models import Document, Indicator
    from fundflow.ledger.monitoring import trace_document, trace_indicator

    indicator = Indicator.objects.filter(bgt_id=key).first()
    data: dict[str, Any]
    if indicator is not None:
        data = trace_indicator(indicator)
        trees = [data]
        head = ""
    else:
        from fundflow.core.ledger.docno import normalise

        document = Document.objects.filter(doc_no__in={key, normalise(key)}).select_related("issuer").first()
        if document is None:
            raise usage_error(f"指标账中没有指标编号或文号“{key}”")
        data = trace_document(document)
        trees = data["indicators"]
        head = f"{data['doc_no']}  {data['title']}（{data['issuer']}，{data['doc_date']}）"
    if output_format == "json":
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    lines = [head] if head else []
    for tree in trees:
        _text_tree(tree, 1 if head else 0, lines)
    typer.echo("\n".join(lines))
