"""``fundflow indicators import``, ``fundflow regions import``, ``fundflow units import`` and ``fundflow warnings``.

Imports validate the whole file first and write in one transaction; every problem is printed with file, row and
column and the command exits 2 with nothing written. Importing the same file again is reported as a no-op.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from fundflow.cli.base import app, fail, usage_error
from fundflow.cli.web import setup_django
from fundflow.core.errors import PlanError

indicators_app = typer.Typer(help="指标账：导入指标", no_args_is_help=True)
regions_app = typer.Typer(help="行政区划：导入参考数据", no_args_is_help=True)
units_app = typer.Typer(help="预算单位：导入参考数据", no_args_is_help=True)
app.add_typer(indicators_app, name="indicators")
app.add_typer(regions_app, name="regions")
app.add_typer(units_app, name="units")

FILE_HELP = "CSV（UTF-8 或 GBK）或 XLSX 文件"


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise usage_error(f"找不到文件 {path}")
    return path.read_bytes()


def _actor(username: str | None) -> Any:
    if not username:
        return None
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(username=username).first()
    if actor is None:
        raise usage_error(f"没有用户“{username}”")
    return actor


def _refused(exc: Any) -> typer.Exit:
    """A service refusal: its problems one per line (exit 2), or its message."""
    if exc.problems:
        return fail(PlanError(exc.problems))
    return usage_error(exc.message)


@indicators_app.command("import")
def indicators_import(
    file: Annotated[Path, typer.Argument(help=FILE_HELP)],
    user: Annotated[
        str | None, typer.Option("--user", help="以此用户名义导入（只能导入本地区及下级持有的指标）")
    ] = None,
) -> None:
    """导入指标（系统外下达的文件、以前年度的指标账）：整个文件先校验，全部无误才写入；重复导入同一文件不作改变。

    列（中文列名或一体化字段代码）：指标编号(BGT_ID)、上级指标编号(ORI_BGT_ID)、文号(COR_BGT_DOC_NO)、
    发文日期(DOC_DATE)、下达方(MOF_DIV_CODE)、接收方(REC_DIV_CODE)、资金名称、项目名称(PRO_NAME)、
    预算年度(FISCAL_YEAR)、金额(AMOUNT，元)、直达资金标识、收入科目、支出功能科目(EXP_FUNC_CODE)、经济科目、提前下达。
    """
    content = _read(file)
    setup_django()
    from fundflow.ledger.indicator_import import import_indicators
    from fundflow.platform.errors import ServiceError

    try:
        report = import_indicators(user=_actor(user), filename=file.name, content=content)
    except ServiceError as exc:
        raise _refused(exc) from None
    Console(highlight=False).print(report.describe(), markup=False)


def _reference_import(kind: str, file: Path) -> None:
    content = _read(file)
    setup_django()
    from fundflow.platform.errors import ServiceError
    from fundflow.regions.imports import import_regions, import_units

    try:
        report = (import_regions if kind == "regions" else import_units)(filename=file.name, content=content)
    except ServiceError as exc:
        raise _refused(exc) from None
    label = "行政区划" if kind == "regions" else "预算单位"
    note = "（与已有数据相同，未作改变）" if report.created + report.updated == 0 else ""
    Console(highlight=False).print(
        f"{label}：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}{note}", markup=False
    )


@regions_app.command("import")
def regions_import(file: Annotated[Path, typer.Argument(help=FILE_HELP)]) -> None:
    """导入行政区划（列：代码、名称、级次、上级代码、别名）：整个文件先校验；按代码新增或更新，可重复导入。"""
    _reference_import("regions", file)


@units_app.command("import")
def units_import(file: Annotated[Path, typer.Argument(help=FILE_HELP)]) -> None:
    """导入预算单位（列：代码、名称、所属区划、别名）：整个文件先校验；按代码新增或更新，可重复导入。"""
    _reference_import("units", file)


@app.command("warnings")
def warnings_command(
    evaluate: Annotated[bool, typer.Option("--evaluate", help="先按预警规则重新检查指标账（只新增预警）")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="检查截至日期 YYYY-MM-DD（默认今天）")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table 或 json")] = "table",
) -> None:
    """列出预警（直达资金监控）；--evaluate 先检查一遍。JSON：每条 {id, rule, severity, region, subject, message,
    status, created_at, handled_by, handled_at, note}。"""
    if fmt not in ("table", "json"):
        raise usage_error(f"--format：应为 table 或 json，实为“{fmt}”")
    try:
        day = datetime.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise usage_error(f"--as-of：日期“{as_of}”格式不对，应如 2021-06-30") from None
    setup_django()
    from fundflow.ledger.models import Warning
    from fundflow.ledger.warnings import evaluate_warnings, warning_json

    console = Console(highlight=False, soft_wrap=True)
    if evaluate:
        report = evaluate_warnings(as_of=day)
        if fmt == "table":
            console.print(f"已检查（截至 {report.as_of}）：新增预警 {report.created} 条", markup=False)
    rows = [warning_json(w) for w in Warning.objects.select_related("region", "handled_by").order_by("id")]
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("编号", "规则", "地区", "对象", "内容", "状态")
    for r in rows:
        table.add_row(str(r["id"]), r["rule"], r["region"], r["subject"], r["message"], r["status"])
    console.print(table)
