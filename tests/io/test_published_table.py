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
