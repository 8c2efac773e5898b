"""``fundflow check-codes``: budget classification codes quoted in a notice, checked against the catalogue."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from fundflow.cli.base import app, usage_error
from fundflow.core.code_check import check_codes, mentions
from fundflow.reference import catalogue, years

_YEAR = re.compile(r"(20\d{2})\s*年")


@app.command("check-codes")
def check_codes_command(
    file: Annotated[Path, typer.Argument(help="公文文本（UTF-8），如种子文件")],
    year: Annotated[int | None, typer.Option("--year", help="科目年度（默认取文中最早出现的年度）")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text 或 json")] = "text",
) -> None:
    """核对公文中引用的政府收支分类科目（“编码 名称”）：编码是否存在、名称是否与科目表一致。"""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise usage_error(f"找不到文件 {file}") from None
    except UnicodeDecodeError:
        raise usage_error(f"文件 {file} 不是 UTF-8 编码的文本") from None
    wanted = year or _first_year(text)
    book = catalogue(wanted or max(years()))
    found = mentions(text.splitlines(), str(file))
    findings = check_codes(found, book)
    if format == "json":
        data = {
            "catalogue_year": book.year,
            "requested_year": wanted,
            "mentions": [{"code": m.code, "name": m.name, "line": m.location.row} for m in found],
            "findings": [
                {
                    "rule": f.rule,
                    "code": f.code,
                    "stated": f.stated_name,
                    "expected": f.expected,
                    "message": f.message,
                    "line": f.location.row,
                    "column": f.location.column,
                }
                for f in findings
            ],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    out = [f"引用科目 {len(found)} 处；对照 {book.year} 年政府收支分类科目表"]
    if wanted and wanted != book.year:
        out[0] += f"（文件年度 {wanted} 年的科目表未收录，按 {book.year} 年核对）"
    out += [f"  {m.code} {m.name}（第 {m.location.row} 行）" for m in found]
    out.append(f"发现问题 {len(findings)} 处" if findings else "未发现问题。")
    out += [f"  {i}. {f.describe()}" for i, f in enumerate(findings, start=1)]
    sys.stdout.write("\n".join(out) + "\n")


def _first_year(text: str) -> int | None:
    found = [int(y) for y in _YEAR.findall(text)]
    return min(found) if found else None
