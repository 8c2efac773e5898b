"""``fundflow disclosure check`` and ``fundflow disclosure generate``: department budget disclosure (部门预算公开)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fundflow.cli.base import EXIT_FINDINGS, app, fail, usage_error
from fundflow.core.disclosure import RULES, Disclosure, Finding, Severity, check, generate
from fundflow.core.errors import PlanError
from fundflow.core.money import fmt
from fundflow.reference import catalogue, years

disclosure_app = typer.Typer(
    help="部门预算公开：生成九张公开表、情况说明和名词解释，或核对已公开的文件",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(disclosure_app, name="disclosure")


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


def read_disclosure(path: Path) -> Disclosure:
    """fundflow's own XLSX, or the text of a published document (tab-separated tables)."""
    if path.suffix.lower() == ".xlsx":
        from fundflow.io.disclosure_xlsx import read_disclosure_xlsx

        return read_disclosure_xlsx(path)
    from fundflow.io.disclosure_text import read_disclosure_text

    return read_disclosure_text(path)


def _value(v: object) -> str | None:
    if v is None:
        return None
    return fmt(v) if not isinstance(v, str) else v  # type: ignore[arg-type]


def finding_dict(f: Finding) -> dict[str, object]:
    w = f.where
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "title": RULES[f.rule].title,
        "table": w.table.number if w.table else None,
        "table_name": w.table.heading if w.table else None,
        "row": w.row or None,
        "column": w.column or None,
        "section": w.section or None,
        "line": w.line,
        "stated": _value(f.stated),
        "expected": _value(f.expected),
        "message": f.message,
    }


@disclosure_app.command("check")
def check_command(
    file: Annotated[
        Path, typer.Argument(help="公开文件：fundflow 生成的 Excel，或已公开文件的文本（表格以制表符分隔）")
    ],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="报告格式")] = ReportFormat.text,
) -> None:
    """核对部门预算公开文件：表内合计、表间一致、说明与表、科目名称、项目标准×数量、增长率。

    退出码：0 未发现错误（仅有提示也算通过），1 发现错误，2 文件无法读取或不是公开文件。
    """
    if file.suffix.lower() not in (".xlsx", ".txt", ".tsv", ""):
        raise usage_error(
            f"文件 {file.name} 应为 fundflow 生成的 Excel（.xlsx）或已公开文件的文本（.txt，表格以制表符分隔）"
        )
    try:
        d = read_disclosure(file)
    except PlanError as exc:
        raise fail(exc) from None
    if not d.tables:
        raise usage_error(
            f"在 {file.name} 中没有找到公开表（应有“表一：”…“表九：”及表名）。请确认这是部门预算公开文件。"
        )
    book = catalogue(d.year or 2021)
    findings = check(d, book)
    if format is ReportFormat.json:
        payload = {
            "file": str(file),
            "unit": d.unit,
            "year": d.year,
            "catalogue_year": book.year,
            "tables": [k.number for k in d.tables],
            "findings": [finding_dict(f) for f in findings],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_report(d, book.year, findings)
    if any(f.severity is Severity.FATAL for f in findings):
        raise typer.Exit(EXIT_FINDINGS)


def _print_report(d: Disclosure, catalogue_year: int, findings: list[Finding]) -> None:
    out = [f"{d.unit} {d.year or ''}年预算公开：读入 {len(d.tables)} 张表、{len(d.paragraphs)} 段说明"]
    if d.year is not None and catalogue_year != d.year:
        out.append(f"注意：分类科目表没有 {d.year} 年版本，按 {catalogue_year} 年核对科目名称")
    fatal = sum(1 for f in findings if f.severity is Severity.FATAL)
    out.append(
        f"发现 {len(findings)} 处问题（错误 {fatal}，提示 {len(findings) - fatal}）" if findings else "未发现问题"
    )
    out += [f"{i}. {f.describe()}" for i, f in enumerate(findings, 1)]
    sys.stdout.write("\n".join(out) + "\n")


@disclosure_app.command("generate")
def generate_command(
    budget: Annotated[
        Path, typer.Argument(help="预算文件：YAML，或 fundflow 预算数据 Excel 模板（.xlsx），格式见 docs/disclosure.md")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件：.xlsx、.docx 或 .pdf")],
) -> None:
    """由预算文件生成部门预算公开：九张表、情况说明和名词解释（Excel、Word 或 PDF）。"""
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".docx", ".pdf"):
        raise usage_error(f"输出文件应为 .xlsx、.docx 或 .pdf，实为“{output.name}”")
    from fundflow.io.disclosure_budget_xlsx import load_budget_file as load_budget

    try:
        # The catalogue year depends on the file's `year`; read once to learn it, again if it selects another.
        first = catalogue(max(years()))
        data = load_budget(budget, first)
        book = catalogue(data.year)
        if book.year != first.year:
            data = load_budget(budget, book)
    except PlanError as exc:
        raise fail(exc) from None
    package = generate(data, book)
    if suffix == ".xlsx":
        from fundflow.io.disclosure_xlsx import write_disclosure_xlsx

        write_disclosure_xlsx(package, output)
    elif suffix == ".docx":
        from fundflow.io.disclosure_docx import write_disclosure_docx

        write_disclosure_docx(package, output)
    else:
        _write_pdf(package, output)
    findings = check(package, book)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for f in findings:  # pragma: no cover - a generated package passes its own checker (property-tested)
        err.print(f.describe(), markup=False)
    err.print(f"已写入 {output}", markup=False)


@disclosure_app.command("template")
def template_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出的 Excel 模板文件（.xlsx）")],
) -> None:
    """写出空白的预算数据 Excel 模板（填写后可用于 generate 或网页导入）。"""
    if output.suffix.lower() != ".xlsx":
        raise usage_error(f"模板文件应为 .xlsx，实为“{output.name}”")
    from fundflow.io.disclosure_budget_xlsx import write_budget_template

    write_budget_template(output)
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"已写入 {output}", markup=False)


def _write_pdf(package: Disclosure, output: Path) -> None:
    """The PDF is the Word document converted by LibreOffice, so both always show the same text."""
    import tempfile

    from fundflow.io.disclosure_docx import write_disclosure_docx
    from fundflow.io.pdf import docx_to_pdf

    with tempfile.TemporaryDirectory(prefix="fundflow-pdf-") as tmp:
        docx = Path(tmp) / (output.stem + ".docx")
        write_disclosure_docx(package, docx)
        try:
            docx_to_pdf(docx, output)
        except PlanError as exc:
            raise fail(exc) from None
