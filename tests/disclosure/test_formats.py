"""XLSX round trip, DOCX output, the budget file loader's errors, and the CLI."""

import json
from decimal import Decimal as D

import pytest
from typer.testing import CliRunner

from fundflow.cli import app
from fundflow.core.disclosure import check
from fundflow.core.disclosure.stated import TableKey
from fundflow.core.errors import PlanError
from fundflow.io.disclosure_budget import parse_budget
from fundflow.io.disclosure_xlsx import read_disclosure_xlsx, write_disclosure_xlsx
from tests.disclosure.conftest import AKTO_BUDGET, SEED_004

runner = CliRunner()


def test_xlsx_round_trip_keeps_every_figure(akto_package, book, tmp_path):
    path = tmp_path / "akto.xlsx"
    write_disclosure_xlsx(akto_package, path)
    back = read_disclosure_xlsx(path)
    assert back.unit == akto_package.unit
    assert back.year == 2021
    for key in TableKey:
        ours = [(r.code, r.project, r.total, {c: r.value(c) for c in r.values}) for r in akto_package.tables[key].rows]
        read = [(r.code, r.project, r.total, {c: r.value(c) for c in r.values}) for r in back.tables[key].rows]
        assert read == ours, key
    assert check(back, book) == []


def test_xlsx_reader_finds_an_edited_cell(akto_package, book, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "akto.xlsx"
    write_disclosure_xlsx(akto_package, path)
    wb = load_workbook(path)
    ws = wb["表六"]
    row = next(r for r in ws.iter_rows() if r[0].value == "301" and r[1].value == "12")
    row[3].value = 22.04
    wb.save(path)
    findings = check(read_disclosure_xlsx(path), book)
    assert [(f.rule, f.stated, f.expected) for f in findings] == [("disclosure.row-total", D("22.04"), D("22.03"))]


def _budget(text, book):
    return parse_budget(text, "b.yaml", book)


def test_budget_file_errors_are_all_reported_with_positions(book):
    text = """unit: 测试单位
year: 2021
colour: red
lines:
  - {function: "2030249", economic: "30101", amount: -1, nature: basic}
  - {function: "2101501", economic: "30101", amount: 1.234, nature: project}
"""
    with pytest.raises(PlanError) as exc:
        _budget(text, book)
    rules = [(p.rule, p.location.row) for p in exc.value.problems]
    assert ("budget.unknown-key", 3) in rules
    assert ("budget.code-unknown", 5) in rules
    assert ("budget.negative", 5) in rules
    assert ("budget.places", 6) in rules
    assert ("budget.project-missing", 6) in rules


def test_project_standard_times_quantity_is_enforced(book):
    text = """unit: 测试单位
year: 2021
lines:
  - {function: "2101501", economic: "30299", amount: 10.30, nature: project, project: 工作经费}
projects:
  - {name: 工作经费, standard: 0.5, quantity: 204000}
"""
    with pytest.raises(PlanError) as exc:
        _budget(text, book)
    assert [p.rule for p in exc.value.problems] == ["budget.project-standard"]
    assert "10.20" in exc.value.problems[0].message


def test_cli_check_seed_text_and_json():
    result = runner.invoke(app, ["disclosure", "check", str(SEED_004)])
    assert result.exit_code == 1  # seed 004 has error findings: the report is printed in full, then exit 1
    assert "发现 21 处问题（错误 19，提示 2）" in result.stdout
    assert "22.04" in result.stdout
    as_json = runner.invoke(app, ["disclosure", "check", str(SEED_004), "-f", "json"])
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    row_total = [f for f in data["findings"] if f["rule"] == "disclosure.row-total"]
    assert row_total == [
        {
            "rule": "disclosure.row-total",
            "severity": "fatal",
            "title": "行合计不等于该行各分项之和",
            "table": "表六",
            "table_name": "一般公共预算基本支出情况表",
            "row": "301 12 其他社会保障缴费",
            "column": "合计",
            "section": None,
            "line": 240,
            "stated": "22.04",
            "expected": "22.03",
            "message": "所列 22.04，应为 22.03（人员经费＋公用经费；另有 1 处数据支持此值）",
        }
    ]


def test_cli_generate_xlsx_and_docx_then_check(tmp_path):
    xlsx, docx = tmp_path / "out.xlsx", tmp_path / "out.docx"
    assert runner.invoke(app, ["disclosure", "generate", str(AKTO_BUDGET), "-o", str(xlsx)]).exit_code == 0
    assert runner.invoke(app, ["disclosure", "generate", str(AKTO_BUDGET), "-o", str(docx)]).exit_code == 0
    checked = runner.invoke(app, ["disclosure", "check", str(xlsx)])
    assert checked.exit_code == 0
    assert "未发现问题" in checked.stdout
    from docx import Document

    doc = Document(str(docx))
    assert len(doc.tables) == 9
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "一般公共预算基本支出416.59万元" in text
    assert "名词解释" in text


def test_cli_bad_input_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit: [\n", encoding="utf-8")
    result = runner.invoke(app, ["disclosure", "generate", str(bad), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    result = runner.invoke(app, ["disclosure", "check", str(broken)])
    assert result.exit_code == 2
    assert runner.invoke(app, ["disclosure", "check", str(tmp_path / "missing.txt")]).exit_code == 2
    unsupported = runner.invoke(app, ["disclosure", "generate", str(AKTO_BUDGET), "-o", str(tmp_path / "x.odt")])
    assert unsupported.exit_code == 2
    assert "输出文件应为" in unsupported.output


def test_cli_check_exit_code_gates_publication(tmp_path):
    """Exit 0 when clean or warnings only, 1 on an error finding, 2 when there is no disclosure to check."""
    from openpyxl import load_workbook

    xlsx = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["disclosure", "generate", str(AKTO_BUDGET), "-o", str(xlsx)]).exit_code == 0
    assert runner.invoke(app, ["disclosure", "check", str(xlsx)]).exit_code == 0
    book = load_workbook(xlsx)
    del book["表九"]
    warned = tmp_path / "warned.xlsx"
    book.save(warned)
    result = runner.invoke(app, ["disclosure", "check", str(warned)])
    assert "发现 1 处问题（错误 0，提示 1）" in result.stdout
    assert result.exit_code == 0
    not_a_disclosure = tmp_path / "notes.txt"
    not_a_disclosure.write_text("会议纪要\n没有表格\n", encoding="utf-8")
    result = runner.invoke(app, ["disclosure", "check", str(not_a_disclosure)])
    assert result.exit_code == 2
    assert "没有找到公开表" in result.output
