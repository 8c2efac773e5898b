"""Published tables in shapes other than seed 001's: a 序号 column, no groups, other weight spellings."""

import json
from decimal import Decimal

from typer.testing import CliRunner

from fundflow.cli import app
from fundflow.io.published_table import parse_grid

FLAT = """\
某某补助资金分配表
单位：万元
县市名称\t人口因素（权重60%）\t\t面积因素(占比：40％)\t\t合计(万元)
\t人口(人)\t补助资金(万元)\t面积(平方公里)\t补助资金(万元)\t
合计\t300\t60\t100\t40\t100
甲县\t100\t20\t50\t20\t40
乙县\t200\t40\t50\t20\t60
"""


def grid(text):
    return [line.split("\t") for line in text.splitlines()]


def test_flat_table_with_other_weight_spellings():
    table = parse_grid(grid(FLAT), "flat.txt")
    assert [(f.name, f.weight) for f in table.factors] == [("人口因素", Decimal("0.6")), ("面积因素", Decimal("0.4"))]
    assert [r.name for r in table.lines] == ["甲县", "乙县"]
    assert table.subtotals == ()
    assert table.total_row.cells[table.total_column] == 100


def test_sequence_column_is_ignored(tmp_path):
    rows = [line.split("\t") for line in FLAT.splitlines()]
    numbered = [["序号", *rows[2]], ["", *rows[3]], ["", *rows[4]], ["1", *rows[5]], ["2", *rows[6]]]
    text = "\n".join(["某某补助资金分配表", *("\t".join(r) for r in numbered)]) + "\n"
    path = tmp_path / "numbered.txt"
    path.write_text(text, encoding="utf-8")
    report = json.loads(CliRunner().invoke(app, ["check-table", str(path), "--format", "json"]).output)
    assert report["lines"] == 2
    assert report["sums_ok"] is True
    per_line = next(m for m in report["methods"] if m["apportion"] == "per_line")
    assert (per_line["matched"], per_line["cells"]) == (4, 4)


def test_a_wrong_line_total_is_reported(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(FLAT.replace("甲县\t100\t20\t50\t20\t40", "甲县\t100\t20\t50\t20\t41"), encoding="utf-8")
    report = json.loads(CliRunner().invoke(app, ["check-table", str(path), "--format", "json"]).output)
    assert {"where": "甲县", "column": "合计(万元)", "printed": "41", "computed": "40"}.items() <= next(
        f for f in report["sum_findings"] if f["where"] == "甲县"
    ).items()


GROUPED_NO_SUBTOTALS = """\
分配表
地区\t县市\t人口因素 (100%)\t\t合计
\t\t人口(人)\t补助资金(万元)\t
合计\t\t40\t100\t100
甲地区\t一县\t10\t25\t25
\t二县\t10\t25\t25
乙地区\t三县\t20\t50\t50
"""


def test_groups_without_subtotal_rows_start_at_their_merged_name():
    table = parse_grid(grid(GROUPED_NO_SUBTOTALS), "g.txt")
    assert [(r.group, r.name) for r in table.lines] == [("甲地区", "一县"), ("甲地区", "二县"), ("乙地区", "三县")]
    assert table.total_row.name == "合计"


def test_a_sequence_column_keeps_the_title_of_seed_001():
    from tests.conftest import SEED_001

    original = parse_grid(grid(SEED_001.read_text(encoding="utf-8")), "001.txt")
    numbered, n = [], 0
    for line in SEED_001.read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            numbered.append(line)  # the title and the text around the table stay in the first column
        elif "因素 (" in line:
            numbered.append("序号\t" + line)
        elif line.split("\t")[-1].strip().isdigit():
            n += 1
            numbered.append(f"{n}\t{line}")
        else:
            numbered.append("\t" + line)
    table = parse_grid(grid("\n".join(numbered)), "001-numbered.txt")
    assert original.title == "提前下达2021年中央财政医疗救助补助资金分配表"
    assert table.title == original.title
    assert [(r.group, r.name) for r in table.rows] == [(r.group, r.name) for r in original.rows]


def _flat_xlsx_with_formulas(path):
    """FLAT as Excel, its 合计 row written as =SUM formulas (openpyxl stores no results for them)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "分配表"
    for row in grid(FLAT):
        ws.append([int(c) if c.isdigit() else c for c in row])
    for col in "BCDEF":
        ws[f"{col}5"] = f"=SUM({col}6:{col}7)"
    wb.save(path)
    return path


def _store_results(path, results):
    """Write cached results into formula cells, as Excel does when it saves a file."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in results.items():
        xml, n = re.subn(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v\s*/?>(</v>)?', rf"\1\2<v>{value}</v>", xml)
        assert n == 1, ref
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_formulas_without_stored_results_are_reported_not_read_as_blank(tmp_path):
    import pytest

    from fundflow.core.errors import PlanError
    from fundflow.io.published_table import read_table_file

    path = _flat_xlsx_with_formulas(tmp_path / "flat.xlsx")
    with pytest.raises(PlanError) as err:
        read_table_file(path)
    problems = err.value.problems
    assert {p.rule for p in problems} == {"file.formula-no-value"}
    assert [(p.location.row, p.location.column) for p in problems] == [(5, c) for c in "BCDEF"]
    assert problems[0].describe() == (
        f"文件 {path} 工作表“分配表” 第 5 行 “B”列：单元格为公式（=SUM(B6:B7)）但没有保存计算结果，"
        "请在 Excel 中打开并保存后再上传，或改为数值"
    )
    result = CliRunner().invoke(app, ["check-table", str(path)])
    assert result.exit_code == 2
    assert result.output.count("没有保存计算结果") == 5


def test_formulas_with_stored_results_use_the_results(tmp_path):
    path = _flat_xlsx_with_formulas(tmp_path / "flat.xlsx")
    _store_results(path, {"B5": 300, "C5": 60, "D5": 100, "E5": 40, "F5": 100})
    report = json.loads(CliRunner().invoke(app, ["check-table", str(path), "--format", "json"]).output)
    assert report["sums_ok"] is True
    assert report["lines"] == 2


def test_excel_problems_name_the_uploaded_file_not_the_temporary_one(tmp_path):
    import pytest

    from fundflow.core.errors import PlanError
    from fundflow.io.xlsx_cells import read_first_sheet

    path = _flat_xlsx_with_formulas(tmp_path / "tmpab12cd.xlsx")
    with pytest.raises(PlanError) as err:
        read_first_sheet(path, display_name="分配表.xlsx")
    assert {p.location.file for p in err.value.problems} == {"分配表.xlsx 工作表“分配表”"}
    damaged = tmp_path / "tmpzz.xlsx"
    damaged.write_bytes(b"not a zip")
    with pytest.raises(PlanError) as err:
        read_first_sheet(damaged, display_name="上传.xlsx")
    assert [(p.rule, p.location.file) for p in err.value.problems] == [("file.type", "上传.xlsx")]


def test_weights_not_adding_up_to_100_percent_say_so_in_the_conclusion(tmp_path):
    path = tmp_path / "weights.txt"
    path.write_text(FLAT.replace("权重60%", "权重50%"), encoding="utf-8")
    result = CliRunner().invoke(app, ["check-table", str(path)])
    assert result.exit_code == 1, result.output  # issue 9: weights not adding up to 100% are an error finding
    out = result.output
    assert "全部行合计、人数合计、小计和合计均等于其组成之和。" in out  # 一 still runs
    assert "未重算：表头各因素权重之和为 90%，不是 100%。" in out
    conclusion = out.split("三、结论")[1]
    assert "表头各因素权重之和为 90%，不是 100%，因此无法按表头权重重算本表" in conclusion
    assert "均相符" in conclusion
    assert "见上" not in conclusion
