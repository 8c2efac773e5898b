"""The `fundflow` command as a user runs it: outputs, exit codes, Chinese errors, round trips."""

import json
from decimal import Decimal as D

from typer.testing import CliRunner

from fundflow.cli import app
from tests.conftest import EXAMPLES, MEDICAL_AID_PLAN, SEED_001

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_allocate_prints_the_document_table():
    result = run("allocate", MEDICAL_AID_PLAN)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "提前下达2021年中央财政医疗救助补助资金分配表" in out
    assert "困难群众人数因素 (50%)" in out
    assert "特困、孤儿因素 (17%)" in out
    lines = out.splitlines()
    total = next(ln for ln in lines if "全区" in ln)
    assert total.split("│")[-2].strip() == "101782"
    aksu = next(ln for ln in lines if "阿克苏地区" in ln and "小计" in ln)
    assert aksu.split("│")[-2].strip() == "9000"
    # 合计 row comes first, then each 小计 before its lines
    assert lines.index(total) < lines.index(aksu) < lines.index(next(ln for ln in lines if "乌什县" in ln))


def test_allocate_json_shape():
    result = run("allocate", MEDICAL_AID_PLAN, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["unit"] == "万元"
    assert data["total"] == "101782"
    assert {"name", "amount", "parts"} <= set(data["groups"][0])
    wushi = next(ln for ln in data["lines"] if ln["recipient"] == "乌什县")
    assert wushi == {
        **wushi,
        "group": "阿克苏地区",
        "amount": "1816",
        "parts": {"困难群众人数因素": "777", "贫困人口因素": "732", "特困、孤儿因素": "307"},
        "note": "",
    }
    assert sum(D(g["amount"]) for g in data["groups"]) == D(101782)


def test_allocate_xlsx_round_trips_through_check_table(tmp_path):
    out = tmp_path / "alloc.xlsx"
    result = run("allocate", MEDICAL_AID_PLAN, "--format", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert ws["A1"].value == "提前下达2021年中央财政医疗救助补助资金分配表"
    assert ws["C3"].value == "困难群众人数因素 (50%)"
    assert ws["A5"].value == "全区"
    assert ws["K5"].value == 101782
    assert ws.print_title_rows == "$3:$4"
    check = run("check-table", out, "--format", "json")
    assert check.exit_code == 0, check.output
    report = json.loads(check.output)
    assert report["sums_ok"] is True
    hierarchical = next(m for m in report["methods"] if m["apportion"] == "hierarchical")
    assert (hierarchical["matched"], hierarchical["cells"]) == (289, 291)
    assert report["reproducible"] is True


def test_allocate_tsv_is_readable_by_check_table(tmp_path):
    out = tmp_path / "alloc.tsv"
    assert run("allocate", MEDICAL_AID_PLAN, "--format", "tsv", "-o", out).exit_code == 0
    report = json.loads(run("check-table", out, "--format", "json").output)
    assert report["lines"] == 97
    assert report["groups"] == 14
    assert report["sums_ok"]


def test_explain_a_county():
    result = run("allocate", MEDICAL_AID_PLAN, "--explain", "乌什县")
    assert result.exit_code == 0
    assert "阿克苏地区 乌什县：1816万元" in result.output
    assert "尾差调整 +1" in result.output
    assert "按人数由多到少逐个调整 1 个单位：本行 -1 → 731万元" in result.output


def test_explain_unknown_recipient_exits_2():
    result = run("allocate", MEDICAL_AID_PLAN, "--explain", "不存在县")
    assert result.exit_code == 2
    assert "分配表中没有“不存在县”" in result.output


def test_bad_plan_is_one_chinese_line_per_problem_and_exit_2(tmp_path):
    text = MEDICAL_AID_PLAN.read_text(encoding="utf-8").replace("weight: 17%", "weight: 18%")
    text = text.replace("name: 天山区, 低保对象人数: 2218", "name: 天山区, 低保对象人数: -2218")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run("allocate", bad)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "错误：" in result.output
    assert "各因素权重之和应为 100%，实为 101%" in result.output
    assert "“天山区”的“2020年10月底低保对象人数(人)”为负数（-2218）" in result.output
    assert f"文件 {bad}" in result.output


def test_missing_column_names_the_row(tmp_path):
    text = MEDICAL_AID_PLAN.read_text(encoding="utf-8").replace(", 孤儿人数: 9}", "}")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run("allocate", bad)
    assert result.exit_code == 2
    assert "“天山区”缺少“2020年6月底孤儿人数(人)”列的数值" in result.output
    assert "第 3" in result.output  # a row number is given


def test_missing_file_exit_2():
    result = run("allocate", "nope.yaml")
    assert result.exit_code == 2
    assert "找不到计划文件" in result.output


def test_check_table_on_seed_001():
    result = run("check-table", SEED_001)
    assert result.exit_code == 0
    out = result.output
    assert "全部行合计、人数合计、小计和合计均等于其组成之和" in out
    assert "per_line（逐行取舍（合计为各行之和））：269/291" in out
    assert "hierarchical（分级调整（先定各组小计，再在组内按人数多少调整尾差））：289/291" in out
    assert "阿克苏地区 乌什县 贫困人口因素：印发 732，计算 731（+1）" in out
    assert "“塔城地区”印在组内数据行上" in out
    assert "拼合为“巴音郭楞蒙古自治州”" in out
    assert "“阿拉山口”第 7 列为空，按 0 计" in out


def test_check_table_emit_plan_reproduces_the_table(tmp_path):
    plan = tmp_path / "emitted.yaml"
    assert run("check-table", SEED_001, "--emit-plan", plan).exit_code == 0
    emitted = json.loads(run("allocate", plan, "--format", "json").output)
    example = json.loads(run("allocate", MEDICAL_AID_PLAN, "--format", "json").output)
    assert [(ln["recipient"], ln["parts"]) for ln in emitted["lines"]] == [
        (ln["recipient"], ln["parts"]) for ln in example["lines"]
    ]


def test_check_table_reports_a_wrong_subtotal(tmp_path):
    text = SEED_001.read_text(encoding="utf-8").replace(
        "\t小计\t20286\t611\t41538\t595\t767\t226\t993\t629\t1835",
        "\t小计\t20286\t611\t41538\t595\t767\t226\t993\t629\t1836",
    )
    bad = tmp_path / "t.txt"
    bad.write_text(text, encoding="utf-8")
    result = run("check-table", bad, "--format", "json")
    assert result.exit_code == 1  # an error finding: the report is printed, and a script can stop on it
    report = json.loads(result.output)
    assert report["sums_ok"] is False
    findings = {(f["where"], f["printed"], f["computed"]) for f in report["sum_findings"]}
    assert ("阿勒泰地区小计", "1836", "1835") in findings
    text = run("check-table", bad)
    assert text.exit_code == 1
    assert "阿勒泰地区小计“中央财政补助资金(万元)”印为 1836，组成之和为 1835（差 1）" in text.output


def test_check_table_weights_not_100_percent_exit_1(tmp_path):
    text = SEED_001.read_text(encoding="utf-8").replace("(50%)", "(40%)", 1)
    assert text != SEED_001.read_text(encoding="utf-8")
    bad = tmp_path / "t.txt"
    bad.write_text(text, encoding="utf-8")
    result = run("check-table", bad)
    assert result.exit_code == 1
    assert "表头各因素权重之和为 90%，不是 100%" in result.output


def test_check_table_differences_that_balance_are_not_errors():
    """Seed 001's two cells that differ from every recomputation are manual 尾差调整, not errors: exit 0."""
    result = run("check-table", SEED_001, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["best"] == "hierarchical"


def test_check_table_without_a_table_is_a_clear_error(tmp_path):
    # Issue 9 changed this: a table without weights ("名称 金额 / 甲 1") is now read as a fixed table; what
    # exits 2 is a file in which no row has a name followed by a figure.
    bad = tmp_path / "t.txt"
    bad.write_text("标题\n名称\t金额\n甲\t乙\n", encoding="utf-8")
    result = run("check-table", bad)
    assert result.exit_code == 2
    assert "表中没有可识别的数据行" in result.output
    fixed = tmp_path / "fixed.txt"
    fixed.write_text("标题\n名称\t金额\n甲\t1\n", encoding="utf-8")
    result = run("check-table", fixed, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["kind"] == "fixed"


def test_other_examples_run():
    for name in ("tacheng-2023-medical-security-capacity", "standard-share-illustration", "settlement-illustration"):
        result = run("allocate", EXAMPLES / f"{name}.yaml", "--format", "json")
        assert result.exit_code == 0, (name, result.output)
    data = json.loads(run("allocate", EXAMPLES / "settlement-illustration.yaml", "--format", "json").output)
    assert next(ln for ln in data["lines"] if ln["recipient"] == "沙湾市")["note"] == "从塔地财社〔2021〕8号文件扣回"


def test_damaged_excel_is_a_clear_error(tmp_path):
    bad = tmp_path / "table.xlsx"
    bad.write_bytes(b"not a zip file")
    result = run("check-table", bad)
    assert result.exit_code == 2
    assert "无法作为 Excel 文件读取" in result.output


def test_allocate_reads_the_plan_file_once(monkeypatch):
    """The plan is parsed once per run (its labels come from the same parse as the computation)."""
    from fundflow.cli import allocation as cli_allocation

    calls = []
    real = cli_allocation.load_plan

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(cli_allocation, "load_plan", counting)
    result = CliRunner().invoke(app, ["allocate", str(EXAMPLES / "tacheng-2023-medical-security-capacity.yaml")])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
