"""The budget-data Excel template: seed 004's budget written to it and read back is the same budget, generates
the same tables, and every problem names file, sheet, row and column. Also the CLI's template and .xlsx input.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from fundflow.cli import app
from fundflow.core.disclosure import generate
from fundflow.core.errors import PlanError
from fundflow.io.disclosure_budget_writer import budget_to_yaml, without_locations
from fundflow.io.disclosure_budget_xlsx import (
    SHEETS,
    budget_template_bytes,
    read_budget_xlsx,
    read_budget_xlsx_bytes,
    write_budget_template,
)
from fundflow.io.disclosure_xlsx import read_disclosure_xlsx

runner = CliRunner()


def _edited(content, edits):
    wb = load_workbook(BytesIO(content))
    for sheet, cell, value in edits:
        wb[sheet][cell] = value
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_round_trip_equals_the_yaml_budget_and_generates_the_same_tables(tmp_path, akto_budget, book):
    path = tmp_path / "akto.xlsx"
    write_budget_template(path, akto_budget)
    back = read_budget_xlsx(path, book)
    assert without_locations(back) == without_locations(akto_budget)
    assert generate(back, book).tables == generate(akto_budget, book).tables
    assert back.lines[0].location.file == "akto.xlsx 工作表“预算行”"
    assert back.lines[0].location.row == 2


def test_yaml_writer_round_trips(akto_budget, book):
    from fundflow.io.disclosure_budget import parse_budget

    again = parse_budget(budget_to_yaml(akto_budget), "x.yaml", book)
    assert without_locations(again) == without_locations(akto_budget)
    assert budget_to_yaml(again) == budget_to_yaml(akto_budget)


def test_blank_template_has_every_sheet_with_chinese_headers():
    wb = load_workbook(BytesIO(budget_template_bytes()))
    assert wb.sheetnames == ["填表说明", *SHEETS]
    assert [c.value for c in wb["预算行"][1]] == [
        "功能分类科目",
        "经济分类科目",
        "金额（万元）",
        "支出性质",
        "资金来源",
        "项目名称",
    ]
    assert wb["预算行"].max_row == 1


def test_every_problem_names_file_sheet_row_and_column(akto_budget, book):
    content = _edited(
        budget_template_bytes(akto_budget),
        [
            ("预算行", "C3", "abc"),
            ("预算行", "A4", "9999999"),
            ("预算行", "D5", "其他"),
            ("三公经费", "A2", "前年"),
            ("基本情况", "B6", "=1+1"),
        ],
    )
    with pytest.raises(PlanError) as exc:
        read_budget_xlsx_bytes(content, book, "坏.xlsx")
    assert [p.describe() for p in exc.value.problems] == [
        "文件 坏.xlsx 工作表“基本情况” 第 6 行 “内容”列：请填写数值，不要使用公式"
    ]
    content = _edited(content, [("基本情况", "B6", 25)])
    with pytest.raises(PlanError) as exc:
        read_budget_xlsx_bytes(content, book, "坏.xlsx")
    described = [p.describe() for p in exc.value.problems]
    assert "文件 坏.xlsx 工作表“预算行” 第 3 行 “金额（万元）”列：金额（amount）应为数字，实为“abc”" in described
    assert any(d.startswith("文件 坏.xlsx 工作表“预算行” 第 4 行 “功能分类科目”列") for d in described)
    assert any(d.startswith("文件 坏.xlsx 工作表“预算行” 第 5 行 “支出性质”列") for d in described)
    assert any(d.startswith("文件 坏.xlsx 工作表“三公经费” 第 2 行 “年度”列") for d in described)


def test_missing_sheet_wrong_header_and_not_excel(akto_budget, book):
    wb = load_workbook(BytesIO(budget_template_bytes(akto_budget)))
    del wb["项目"]
    wb["预算行"]["C1"] = "金额"
    out = BytesIO()
    wb.save(out)
    with pytest.raises(PlanError) as exc:
        read_budget_xlsx_bytes(out.getvalue(), book, "x.xlsx")
    assert [p.rule for p in exc.value.problems] == ["budget.sheet-missing"]
    with pytest.raises(PlanError) as exc:
        read_budget_xlsx_bytes(b"not excel", book, "x.xlsx")
    assert exc.value.problems[0].rule == "file.type"


def test_cli_template_and_generate_from_xlsx(tmp_path, akto_budget, book):
    blank = tmp_path / "模板.xlsx"
    result = runner.invoke(app, ["disclosure", "template", "-o", str(blank)])
    assert result.exit_code == 0, result.output
    assert load_workbook(blank).sheetnames[1:] == list(SHEETS)
    filled = tmp_path / "budget.xlsx"
    write_budget_template(filled, akto_budget)
    out = tmp_path / "package.xlsx"
    result = runner.invoke(app, ["disclosure", "generate", str(filled), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_disclosure_xlsx(out).tables == read_disclosure_xlsx(_generated_from_yaml(tmp_path)).tables


def _generated_from_yaml(tmp_path):
    from tests.disclosure.conftest import AKTO_BUDGET

    out = tmp_path / "from-yaml.xlsx"
    result = runner.invoke(app, ["disclosure", "generate", str(AKTO_BUDGET), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out
