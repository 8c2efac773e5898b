"""The 绩效目标表 parts of seeds 001 and 003 read into target tables: every value printed back as the notice
prints it, the tree and 资金情况 as printed, and the regional check of seed 001's fifteen tables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.core.performance.model import FundPart, Funds, check_table, with_recipients
from fundflow.core.performance.values import Kind, format_value
from fundflow.io.performance_text import read_tables

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SEED_001 = SEEDS / "001_c77cf8e374aa7af8.txt"
SEED_003 = SEEDS / "003_0d190ddb47b0dc30.txt"
PROVINCE = "新疆维吾尔自治区"


def read(path):
    text = path.read_text(encoding="utf-8")
    tables, problems = read_tables(text, path.name)
    return text, tables, problems


def value_cells(text):
    """Every 指标值 cell as printed: the last non-blank cell of each row below an indicator header, until the
    table's blank line (independent of the reader's column logic)."""
    cells, inside = [], False
    for line in text.splitlines():
        if "一级指标" in line and "三级指标" in line:
            inside = True
            continue
        if not line.strip():
            inside = False
        elif inside:
            cells.append([c.strip() for c in line.split("\t") if c.strip()][-1])
    return cells


@pytest.mark.parametrize("path", [SEED_001, SEED_003], ids=["001", "003"])
def test_every_value_cell_of_the_seed_prints_back_identically(path):
    text, tables, problems = read(path)
    assert problems == []
    printed = [format_value(ind.value) for table in tables for ind in table.indicators]
    assert printed == value_cells(text)


def test_seed_001_has_the_province_and_fourteen_prefecture_tables():
    _, tables, _ = read(SEED_001)
    assert len(tables) == 15
    assert {t.year for t in tables} == {2021}
    assert {t.program for t in tables} == {"医疗救助补助资金（城乡医疗救助补助资金）"}
    assert tables[0].region == PROVINCE
    assert tables[1].region == f"{PROVINCE}乌鲁木齐市"
    assert tables[0].goals == (
        "目标1：持续实施重特大疾病医疗救助。",
        "目标2：重点对象自付费用年度限额内住院救助比例不低于70%，南疆四地州不低于80%。",
        "目标3：年度救助对象人次规模与上年持平。",
        "目标4：强化医疗救助规范管理。",
    )
    assert tables[0].funds == Funds(
        "万元",
        FundPart("年度金额", Decimal(101782)),
        (FundPart("中央资金", Decimal(101782)), FundPart("地方资金", None), FundPart("其他资金", None)),
    )
    tree = tables[0].tree()
    assert list(tree) == ["产出指标", "效益指标", "满意度"]
    assert list(tree["产出指标"]) == ["数量指标", "质量指标", "时效指标", "成本指标"]
    assert [i.name for i in tree["满意度"]["服务对象满意度指标"]] == ["政策知晓率", "救助对象满意度"]


def test_seed_001_prefecture_amounts_add_up_to_the_province():
    _, tables, _ = read(SEED_001)
    amounts = [t.funds.total.amount for t in tables[1:]]
    assert sum(amounts) == tables[0].funds.total.amount == Decimal(101782)


def test_seed_001_regional_check_finds_the_one_sum_that_does_not_add_up():
    """The province's 资助参保人数 ≥404.5万人次 is not the prefectures' 4045800 人次 (404.6万); 门诊救助人次
    ≥13.0万人次 is their 130400 at the printed 0.1万; 资金到位情况 101782万元 is exactly their sum; rates are not
    summed; 克州's bare 0 is 0 人次."""
    _, tables, _ = read(SEED_001)
    region = with_recipients(tables[0], [(t.region.removeprefix(PROVINCE), t) for t in tables[1:]])
    assert region.recipients[:3] == ("乌鲁木齐市", "克拉玛依市", "伊犁州")
    additive = [i.name for i in region.indicators if i.additive]
    assert additive == ["资助参保人数", "住院救助人次", "门诊救助人次", "资金到位情况"]
    problems = check_table(region)
    assert [(p.rule, p.location.row) for p in problems] == [("perf.region-sum", 173)]
    assert problems[0].message == (
        "三级指标“资助参保人数”：区域指标值 ≥404.5万人次 与14个下级指标值之和 4045800人次（404.6万人次）不符"
    )


def test_seed_003_unit_table_in_the_newer_tree():
    _, tables, _ = read(SEED_003)
    (table,) = tables
    assert (table.year, table.region, table.program) == (2023, "塔城地区医疗保障局", "医保能力提升经费")
    assert table.funds == Funds(
        "万元",
        FundPart("年度资金总额", Decimal("48.5")),
        (FundPart("财政拨款", Decimal("48.5")), FundPart("其他资金", Decimal(0))),
    )
    assert len(table.goals) == 2
    tree = table.tree()
    assert list(tree) == ["产出指标", "成本指标", "效益指标", "满意度指标"]
    assert list(tree["产出指标"]) == ["数量指标", "质量指标", "时效指标"]
    deadline = tree["产出指标"]["时效指标"][1]
    assert (deadline.name, deadline.value.kind) == ("资金预算执行完成时间", Kind.DATE)
    # The row whose merged level-1 cell was lost in the copy ("时效指标\t开展…") keeps its place in the tree.
    assert format_value(tree["产出指标"]["时效指标"][0].value) == "不少于1次"
    assert check_table(table) == []


def test_text_with_a_place_name_where_an_amount_belongs_is_reported():
    text = "绩效目标表（2021年度）\n\n专项名称\t医疗救助\n省份\t塔城地区\n资金情况 （万元）\t年度金额：\t沙湾市\n"
    text += "\t其中：中央资金\t384\n绩效指标\t一级指标\t二级指标\t三级指标\t指标值\n"
    text += "\t产出指标\t数量指标\t人次\t≥1人次\n"
    tables, problems = read_tables(text, "t.txt")
    assert [(p.rule, p.location.row, p.location.column) for p in problems] == [("perf.funds-cell", 5, 3)]
    assert "沙湾市" in problems[0].message
    assert tables[0].funds.total == FundPart("年度金额", None)


def test_text_without_header_or_year_is_reported():
    tables, problems = read_tables("专项名称\t医疗救助\n省份\t塔城地区\n", "t.txt")
    assert len(tables) == 1
    assert [p.rule for p in problems] == ["perf.table-shape", "perf.table-shape"]
