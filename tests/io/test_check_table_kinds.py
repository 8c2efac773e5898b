"""check-table on tables of every method (issue 9): constructed tables with injected errors, every input form."""

import json

import pytest
from typer.testing import CliRunner

from fundflow.cli import app
from tests.conftest import SEED_003

runner = CliRunner()

STANDARD = """\
某县2024年困难残疾人生活补贴资金分配表
单位：万元
序号\t乡镇\t补贴人数（人）\t补助标准（元/人/月）\t月数\t补助资金（万元）\t备注
\t合计\t300\t\t\t28.8\t
1\t甲镇\t100\t80\t12\t9.6\t
2\t乙镇\t150\t80\t12\t14.4\t
3\t丙镇\t50\t80\t12\t4.8\t
"""

NOTE_STANDARD = """\
危房改造补助资金分配表
单位：万元
县市\tA级户数\tB级户数\tC级户数\t补助资金
合计\t10\t20\t40\t80
甲县\t2\t5\t10\t19
乙县\t8\t15\t30\t61
注：A级 2万元/户，B级 1.5万元/户，C级 0.75万元/户。
"""

SETTLEMENT = """\
2021年优抚对象医疗补助资金结算表
单位：万元
地区\t县市\t应补助资金\t已预拨资金（塔地财社〔2021〕8号）\t此次结算\t备注
合计\t\t34.95\t33.50\t1.45\t
塔城地区\t小计\t34.95\t33.50\t1.45\t
\t额敏县\t14.64\t12.00\t2.64\t
\t沙湾市\t11.94\t13.50\t-1.56\t从塔地财社〔2021〕8号文件扣回
\t托里县\t8.37\t8.00\t0.37\t
"""

SUMS_ONLY = """\
某某资金分配表
单位：万元
县市\t中央资金\t自治区资金\t资金合计
合计\t30\t15\t45
阿勒泰地区小计\t30\t15\t45
布尔津县\t10\t5\t15
哈巴河县\t20\t10\t30
"""


def check(tmp_path, text, name="t.txt", *args):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check-table", str(path), "--format", "json", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def rules(report):
    return [(f["rule"], f["where"], f["printed"], f["expected"]) for f in report["findings"] if f["severity"] != "info"]


# ------------------------------------------------------------------------------------------------- kinds


def test_standard_table_with_standard_column_and_months_is_clean(tmp_path):
    code, report = check(tmp_path, STANDARD)
    assert (code, report["kind"], report["findings"]) == (0, "standard", [])
    assert report["title"] == "某县2024年困难残疾人生活补贴资金分配表"
    assert any("“补贴人数（人）” × “补助标准（元/人/月）”" in h for h in report["heuristics"])


def test_standard_table_wrong_product_names_the_product(tmp_path):
    text = STANDARD.replace("乙镇\t150\t80\t12\t14.4", "乙镇\t150\t80\t12\t15.4").replace("28.8", "29.8")
    code, report = check(tmp_path, text)
    assert code == 1
    assert rules(report) == [("table.standard-product", "乙镇", "15.4", "14.4")]
    finding = report["findings"][0]
    assert finding["row"] == 6
    assert finding["column"] == "补助资金（万元）"
    assert "补贴人数（人） 150 × 80 元 × 12 个月" in finding["message"]


def test_standard_from_a_note_per_category(tmp_path):
    code, report = check(tmp_path, NOTE_STANDARD)
    assert (code, report["kind"], report["findings"]) == (0, "standard", [])
    code, report = check(tmp_path, NOTE_STANDARD.replace("乙县\t8\t15\t30\t61", "乙县\t8\t15\t30\t62"))
    assert code == 1
    assert ("table.standard-product", "乙县", "62", "61") in rules(report)
    assert ("table.column-sum", "合计", "80", "81") in rules(report)


def test_standard_in_the_header_with_another_unit(tmp_path):
    text = "分配表\n单位：元\n县市\t人数\t补助资金（按每人每年300元）\n合计\t30\t9000\n甲县\t10\t3000\n乙县\t20\t6000\n"
    code, report = check(tmp_path, text)
    assert (code, report["kind"]) == (0, "standard")
    code, report = check(tmp_path, text.replace("乙县\t20\t6000", "乙县\t20\t600").replace("9000", "3600"))
    assert rules(report) == [("table.standard-product", "乙县", "600", "6000")]


def test_settlement_table_is_clean_and_names_the_clawback(tmp_path):
    code, report = check(tmp_path, SETTLEMENT)
    assert (code, report["kind"]) == (0, "settlement")
    assert report["advance_document"] == "塔地财社〔2021〕8号"
    claw = [f for f in report["findings"] if f["rule"] == "table.clawback"]
    assert [(f["where"], f["expected"]) for f in claw] == [("塔城地区·沙湾市", "-1.56")]
    assert "从塔地财社〔2021〕8号文件扣回" in claw[0]["message"]


def test_settlement_lost_minus_sign_is_found_by_the_sums_it_breaks(tmp_path):
    code, report = check(tmp_path, SETTLEMENT.replace("13.50\t-1.56", "13.50\t1.56"))
    assert code == 1
    lost = [f for f in report["findings"] if f["rule"] == "table.lost-sign"]
    assert [(f["where"], f["column"], f["printed"], f["expected"], f["row"]) for f in lost] == [
        ("塔城地区·沙湾市", "此次结算", "1.56", "-1.56", 7)
    ]
    assert "丢失了负号" in lost[0]["message"]
    assert not [f for f in report["findings"] if f["rule"] in ("table.column-sum", "table.settlement")]


def test_settlement_wrong_result_and_variant_headers(tmp_path):
    text = (
        SETTLEMENT.replace("应补助资金", "核定下达")
        .replace("已预拨资金（塔地财社〔2021〕8号）", "已拨付")
        .replace("此次结算", "本次下达")
        .replace("8.37\t8.00\t0.37", "8.37\t8.00\t0.47")
    )
    code, report = check(tmp_path, text)
    assert (code, report["kind"]) == (1, "settlement")
    assert ("table.settlement", "塔城地区·托里县", "0.47", "0.37") in rules(report)
    assert ("table.column-sum", "塔城地区小计", "1.45", "1.55") in rules(report)


def test_settlement_with_deduction_and_deferred_columns(tmp_path):
    text = """\
结算表
单位：万元
县市\t应补助\t已预拨\t应抵扣\t待以后年度收回\t此次结算
合计\t30\t35\t3\t2\t0
甲县\t20\t15\t0\t0\t5
乙县\t10\t20\t3\t2\t-5
"""
    code, report = check(tmp_path, text)
    assert (code, report["kind"]) == (0, "settlement"), report
    code, report = check(tmp_path, text.replace("乙县\t10\t20\t3\t2\t-5", "乙县\t10\t20\t3\t2\t-6"))
    assert code == 1
    assert [f[0] for f in rules(report)].count("table.settlement") == 1


def test_settlement_clawback_without_note_is_a_warning(tmp_path):
    code, report = check(
        tmp_path,
        SETTLEMENT.replace("从塔地财社〔2021〕8号文件扣回", "见说明").replace(
            "托里县\t8.37\t8.00\t0.37\t", "托里县\t8.37\t8.00\t0.37\t正常"
        ),
    )
    assert code == 0
    assert ("table.clawback-note", "塔城地区·沙湾市", None, None) in rules(report)


def test_sums_only_wrong_subtotal_and_blank_total(tmp_path):
    code, report = check(tmp_path, SUMS_ONLY)
    assert (code, report["kind"], report["findings"]) == (0, "sums-only", [])
    text = SUMS_ONLY.replace("阿勒泰地区小计\t30\t15\t45", "阿勒泰地区小计\t31\t15\t45").replace(
        "布尔津县\t10\t5\t15", "布尔津县\t10\t5\t"
    )
    code, report = check(tmp_path, text)
    assert code == 1
    found = rules(report)
    assert ("table.row-total", "阿勒泰地区小计", "45", "46") in found
    assert ("table.column-sum", "阿勒泰地区小计", "31", "30") in found
    assert ("table.blank-total", "阿勒泰地区·布尔津县", None, "15") in found
    # 合计 is still the sum of the lines: the wrong figure is the 小计 alone
    assert not [f for f in found if f[0] == "table.column-sum" and f[1] == "合计"]


def test_lost_sign_in_a_row_total_part(tmp_path):
    text = (
        SUMS_ONLY.replace("合计\t30\t15\t45", "合计\t10\t15\t25")
        .replace("阿勒泰地区小计\t30\t15\t45", "阿勒泰地区小计\t10\t15\t25")
        .replace("布尔津县\t10\t5\t15", "布尔津县\t-10\t5\t-5")
    )
    code, report = check(tmp_path, text)
    assert code == 0, report
    code, report = check(tmp_path, text.replace("布尔津县\t-10\t5\t-5", "布尔津县\t10\t5\t-5"))
    assert code == 1
    assert ("table.lost-sign", "阿勒泰地区·布尔津县", "10", "-10") in rules(report)


def test_unlabelled_total_column_is_found_by_arithmetic(tmp_path):
    text = "表\n单位：万元\n县市\t甲项\t乙项\t丙项\n合计\t10\t10\t20\n" + "".join(
        f"{n}县\t{a}\t{b}\t{a + b}\n" for n, a, b in (("一", 1, 2), ("二", 2, 2), ("三", 3, 1), ("四", 4, 5))
    )
    code, report = check(tmp_path, text)
    assert code == 0
    assert any("按算术认作行合计" in h for h in report["heuristics"])
    code, report = check(tmp_path, text.replace("二县\t2\t2\t4", "二县\t2\t2\t5"))
    assert rules(report) == [("table.row-total", "二县", "5", "4"), ("table.column-sum", "合计", "20", "21")]


def test_fixed_seed_003_reads_to_a_fixed_table():
    result = runner.invoke(app, ["check-table", str(SEED_003), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["kind"], report["lines"], report["findings"]) == ("fixed", 1, [])
    assert report["title"] == "2023年中央财政医疗服务与保障能力提升补助金(医疗保障服务能力建设)预算分配表"


# ------------------------------------------------------------------------------------------------- forms


def _xlsx(path, text, artefacts=None):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for line in text.splitlines():
        row = []
        for cell in line.split("\t"):
            try:
                row.append(float(cell) if "." in cell else int(cell))
            except ValueError:
                row.append(cell or None)
        ws.append(row)
    for ref, value in (artefacts or {}).items():
        ws[ref] = value
    wb.save(path)
    return path


def test_xlsx_settlement_with_float_artefacts(tmp_path):
    path = _xlsx(tmp_path / "s.xlsx", SETTLEMENT, {"C6": 14.640000343322754, "E6": 2.6400001049041748})
    result = runner.invoke(app, ["check-table", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["kind"] == "settlement"
    assert any("浮点尾数" in n and "读作 14.64" in n for n in report["reading_notes"])


def test_float_artefact_in_text_is_read_to_printed_precision(tmp_path):
    text = STANDARD.replace("丙镇\t50\t80\t12\t4.8", "丙镇\t50\t80\t12\t4.800000190734863")
    code, report = check(tmp_path, text)
    assert (code, report["findings"]) == (0, [])
    assert any("4.800000190734863 读作 4.8" in n for n in report["reading_notes"])


def test_csv_form(tmp_path):
    text = SUMS_ONLY.replace("\t", ",").replace("哈巴河县,20,10,30", "哈巴河县,20,10,31")
    code, report = check(tmp_path, text, "t.csv")
    assert code == 1
    assert ("table.row-total", "阿勒泰地区·哈巴河县", "31", "30") in rules(report)
    assert any("CSV" in n for n in report["reading_notes"])


def test_flattened_one_cell_per_line(tmp_path):
    lines = []
    for line in NOTE_STANDARD.splitlines():
        lines.extend(line.split("\t") if "\t" in line else [line])
    code, report = check(tmp_path, "\n".join(lines) + "\n")
    assert (code, report["kind"], report["lines"], report["findings"]) == (0, "standard", 2, [])
    assert any("逐格分行" in n for n in report["reading_notes"])
    flat = "\n".join(lines).replace("\n61\n", "\n60\n")
    code, report = check(tmp_path, flat)
    assert ("table.standard-product", "乙县", "60", "61") in rules(report)


def test_flattened_with_blank_cells_kept_as_empty_lines(tmp_path):
    text = "分配表\n单位：万元\n县市\n中央\n地方\n合计\n合计\n3\n3\n6\n甲县\n1\n\n1\n乙县\n2\n3\n5\n"
    code, report = check(tmp_path, text)
    assert code == 0, report
    assert report["lines"] == 2


def test_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("表\n名称\t金额\n甲\t1\n".encode("gbk"))
    result = runner.invoke(app, ["check-table", str(path)])
    assert result.exit_code == 2


# ------------------------------------------------------------------------------------------------- plans


@pytest.mark.parametrize(
    ("text", "amounts"),
    [(STANDARD, ["9.6", "14.4", "4.8"]), (NOTE_STANDARD, ["19", "61"]), (SETTLEMENT, ["2.64", "-1.56", "0.37"])],
    ids=["standard-column", "standard-note", "settlement"],
)
def test_emit_plan_reproduces_standard_and_settlement_tables(tmp_path, text, amounts):
    plan = tmp_path / "plan.yaml"
    code, report = check(tmp_path, text, "t.txt", "--emit-plan", plan)
    assert code == 0
    assert report["reproducible"], report["plan_note"]
    result = runner.invoke(app, ["allocate", str(plan), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [ln["amount"] for ln in data["lines"]] == amounts
    notes = {ln["recipient"]: ln["note"] for ln in data["lines"]}
    if text is SETTLEMENT:
        assert notes["沙湾市"] == "从塔地财社〔2021〕8号文件扣回"


def test_emit_plan_is_refused_when_standards_differ_per_row(tmp_path):
    text = STANDARD.replace("丙镇\t50\t80\t12\t4.8", "丙镇\t50\t100\t12\t6").replace("28.8", "30")
    plan = tmp_path / "plan.yaml"
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check-table", str(path), "--emit-plan", str(plan)])
    assert result.exit_code == 2
    assert "各行不同" in result.output
    assert not plan.exists()


PER_LINE_FACTOR = """\
分配表
单位：万元
县市\t人口因素（权重100%）\t\t合计
\t人口(人)\t补助资金(万元)\t
合计\t8\t102\t102
甲县\t1\t13\t13
乙县\t1\t13\t13
丙县\t5\t63\t63
丁县\t1\t13\t13
"""


def test_per_line_factor_table_is_reproduced_from_the_divided_total(tmp_path):
    # 100 万元 divided per line prints 13 + 13 + 63 + 13 = 102: the printed 合计 is not what was divided, so
    # per_line recomputed from 102 differs (before issue 9 it was reported as not reproducing the table).
    plan = tmp_path / "plan.yaml"
    code, report = check(tmp_path, PER_LINE_FACTOR, "t.txt", "--emit-plan", plan)
    assert (code, report["kind"], report["sums_ok"]) == (0, "factor", True)
    per_line = next(m for m in report["methods"] if m["apportion"] == "per_line")
    assert (per_line["matched"], per_line["cells"]) == (4, 4)
    assert report["reproducible"] is True
    assert any("按分配总额 100万元" in n for n in report["reading_notes"])
    data = json.loads(runner.invoke(app, ["allocate", str(plan), "--format", "json"]).output)
    assert [ln["amount"] for ln in data["lines"]] == ["13", "13", "63", "13"]
    assert data["total"] == "102"


# ------------------------------------------------------------------------------------------- header shapes


def test_unlabelled_row_numbers_accounting_negatives_and_refund_header(tmp_path):
    text = "某县资金结算表\n单位：万元\n\t乡镇\t应拨资金\t已拨资金\t应补（退）\n\t合计\t20\t21\t(1)\n"
    text += "1\t甲镇\t10\t8\t2\n2\t乙镇\t10\t13\t−3\n"
    code, report = check(tmp_path, text)
    assert (code, report["kind"], report["lines"]) == (0, "settlement", 2)
    assert [c["role"] for c in report["columns"]] == ["due", "advanced", "result"]
    code, report = check(tmp_path, text.replace("−3", "3"))
    assert ("table.lost-sign", "乙镇", "3", "-3") in rules(report)


def test_two_level_header_with_leading_total_and_column_number_row(tmp_path):
    text = "分配表\n单位：万元\n县市\t资金合计\t其中：\t\n\t\t中央资金\t自治区资金\n栏次\t1=2+3\t2\t3\n"
    text += "合计\t90\t60\t30\n甲县\t45\t30\t15\n乙县\t45\t30\t15\n"
    code, report = check(tmp_path, text)
    assert (code, report["kind"], report["findings"]) == (0, "sums-only", [])
    assert [c["label"] for c in report["columns"]] == ["资金合计", "其中：·中央资金", "其中：·自治区资金"]
    code, report = check(tmp_path, text.replace("乙县\t45", "乙县\t46"))
    assert ("table.row-total", "乙县", "46", "45") in rules(report)


def test_prefecture_rows_without_the_word_subtotal(tmp_path):
    text = "分配表\n单位：万元\n地区\t中央资金\t自治区资金\t合计\n全疆合计\t60\t30\t90\n阿勒泰地区\t30\t15\t45\n"
    text += "布尔津县\t10\t5\t15\n哈巴河县\t20\t10\t30\n克拉玛依市\t10\t5\t15\n克拉玛依区\t10\t5\t15\n"
    text += "塔城地区\t20\t10\t30\n额敏县\t5\t5\t10\n托里县\t15\t5\t20\n"
    code, report = check(tmp_path, text)
    assert (code, report["groups"], report["lines"], report["findings"]) == (0, 3, 5, [])
    assert any("按算术认作小计" in h for h in report["heuristics"])


def test_settlement_whose_entitlement_is_count_times_standard(tmp_path):
    text = "附件\n2020年城乡居民基本医疗保险补助资金清算表\n单位：万元\n"
    text += "序号\t地区\t参保人数（人）\t补助标准（元/人）\t应补助资金\t已预拨资金\t此次结算资金\t备注\n"
    text += "\t合计\t30000\t\t1650\t1600\t50\t\n1\t甲县\t10000\t550\t550\t500\t50\t\n"
    text += "2\t乙县\t20000\t550\t1100\t1100\t0\t\n"
    code, report = check(tmp_path, text)
    assert (code, report["kind"], report["findings"]) == (0, "settlement", [])
    code, report = check(
        tmp_path, text.replace("乙县\t20000\t550\t1100\t1100\t0", "乙县\t20000\t550\t1000\t1100\t-100")
    )
    assert ("table.standard-product", "乙县", "1000", "1100") in rules(report)
