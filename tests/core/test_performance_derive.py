"""Targets derived from the allocation (seed 001's 资金到位情况 from its own allocation), drift flagged, 年度金额
checked against the allocation; templates carrying a program's indicators into the next year."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from fundflow.core.allocation import allocate
from fundflow.core.performance.derive import (
    AMOUNT,
    DerivationRule,
    allocation_figures,
    apply_derivation,
    check_funds_against_allocation,
)
from fundflow.core.performance.model import Indicator, TargetTable, check_table, with_recipients
from fundflow.core.performance.templates import table_from_template, template_from_table
from fundflow.core.performance.values import Comparator, Kind, format_value, parse_value
from fundflow.io.performance_text import read_tables
from fundflow.io.plan_yaml import parse_plan

ROOT = Path(__file__).resolve().parent.parent.parent
PLAN = ROOT / "examples" / "xinjiang-2021-medical-aid.yaml"
SEED_001 = ROOT / "tests" / "fixtures" / "seeds" / "001_c77cf8e374aa7af8.txt"
SEED_003 = ROOT / "tests" / "fixtures" / "seeds" / "003_0d190ddb47b0dc30.txt"
PROVINCE = "新疆维吾尔自治区"
# The target tables print short names for five prefectures the allocation names in full.
FULL = {
    "伊犁州": "伊犁哈萨克自治州",
    "博州": "博尔塔拉蒙古自治州",
    "巴州": "巴音郭楞蒙古自治州",
    "克州": "克孜勒苏柯尔克孜自治州",
    "昌吉州": "昌吉回族自治州",
}
FUNDS_RULE = DerivationRule("资金到位情况", AMOUNT, "分配金额", "万元")


def seed_region_table():
    tables, problems = read_tables(SEED_001.read_text(encoding="utf-8"), SEED_001.name)
    assert problems == []
    recipients = []
    for t in tables[1:]:
        short = t.region.removeprefix(PROVINCE)
        recipients.append((FULL.get(short, short), t))
    return tables, with_recipients(tables[0], recipients)


def seed_allocation():
    return allocate(parse_plan(PLAN.read_text(encoding="utf-8"), str(PLAN), PLAN.parent))


def indicator_named(table, name):
    return next(i for i in table.indicators if i.name == name)


def test_seed_001_funds_indicator_is_the_allocation_s_amounts():
    _, region = seed_region_table()
    figures = allocation_figures(seed_allocation(), AMOUNT, groups=True)
    derived = apply_derivation(region, FUNDS_RULE, figures)
    funds = indicator_named(derived, "资金到位情况")
    assert format_value(funds.value) == "101782万元"
    assert [(name, format_value(v)) for name, v in funds.recipients][:2] == [
        ("乌鲁木齐市", "1383万元"),
        ("克拉玛依市", "54万元"),
    ]
    assert funds.derived[0].explanation == "按分配表：乌鲁木齐市的分配金额为 1383万元，指标值取 1383万元"
    # The notice's own values are the allocation's: only the known 资助参保人数 sum is reported.
    assert [p.rule for p in check_table(derived)] == ["perf.region-sum"]


def test_a_derived_value_edited_by_hand_is_flagged():
    _, region = seed_region_table()
    derived = apply_derivation(region, FUNDS_RULE, allocation_figures(seed_allocation(), AMOUNT, groups=True))
    funds = indicator_named(derived, "资金到位情况")
    edited_cells = tuple((n, parse_value("1400万元")[0] if n == "乌鲁木齐市" else v) for n, v in funds.recipients)
    edited = replace(
        derived,
        indicators=tuple(replace(i, recipients=edited_cells) if i is funds else i for i in derived.indicators),
    )
    problems = [p for p in check_table(edited) if p.rule == "perf.derived-edited"]
    assert [p.message for p in problems] == [
        "三级指标“资金到位情况”：乌鲁木齐市的指标值“1400万元”与按分配表计算的“1383万元”不同"
        "（按分配表：乌鲁木齐市的分配金额为 1383万元，指标值取 1383万元），应是手工修改的"
    ]


def test_recomputing_after_the_allocation_changes_moves_cells_and_region_sum():
    _, region = seed_region_table()
    figures = allocation_figures(seed_allocation(), AMOUNT, groups=True)
    figures["乌鲁木齐市"] += 10
    figures["克拉玛依市"] -= 4
    funds = indicator_named(apply_derivation(region, FUNDS_RULE, figures), "资金到位情况")
    assert format_value(funds.value) == "101788万元"
    assert dict(funds.recipients)["乌鲁木齐市"].number == Decimal(1393)


def test_a_count_rule_fills_comparisons_from_an_input_column():
    names = ("乌鲁木齐市", "克拉玛依市")
    ind = Indicator("产出指标", "数量指标", "享受医疗待遇对象人数", parse_value("≥1人")[0], additive=True)
    table = TargetTable("医疗救助", 2021, PROVINCE, indicators=(ind,), recipients=names)
    rule = DerivationRule("享受医疗待遇对象人数", "低保对象人数", "低保对象人数", "人", Comparator.GE)
    figures = allocation_figures(seed_allocation(), "低保对象人数", groups=True)
    filled = indicator_named(apply_derivation(table, rule, figures), "享受医疗待遇对象人数")
    assert [(n, format_value(v)) for n, v in filled.recipients] == [
        ("乌鲁木齐市", "≥10767人"),
        ("克拉玛依市", "≥841人"),
    ]
    assert format_value(filled.value) == "≥11608人"


def test_annual_amount_checked_against_the_allocation():
    tables, _ = seed_region_table()
    allocation = seed_allocation()
    assert check_funds_against_allocation(tables[0], allocation.total, allocation.unit.value) == []
    assert check_funds_against_allocation(tables[0], Decimal(1017820000), "元") == []
    problems = check_funds_against_allocation(tables[1], Decimal(1384), "万元")
    assert [p.message for p in problems] == [
        f"资金情况：年度金额 1383万元 与分配表中{PROVINCE}乌鲁木齐市的金额 1384万元 不符"
    ]


# --- templates ---------------------------------------------------------------------------------------------


def test_next_year_s_table_starts_from_the_template_and_last_year_s_values():
    tables, region = seed_region_table()
    template = template_from_table(region)
    assert [i.name for i in template.indicators if i.additive] == [
        "资助参保人数",
        "住院救助人次",
        "门诊救助人次",
        "资金到位情况",
    ]
    same_era = table_from_template(template, 2021, PROVINCE, tables[0])
    assert [format_value(i.value) for i in same_era.indicators] == [format_value(i.value) for i in tables[0].indicators]
    assert same_era.goals == tables[0].goals
    assert check_table(same_era) == []


def test_crossing_into_2022_moves_the_cost_indicator_and_keeps_its_value():
    tables, region = seed_region_table()
    next_year = table_from_template(template_from_table(region), 2022, PROVINCE, tables[0])
    cost = indicator_named(next_year, "资金到位情况")
    assert (cost.level1, cost.level2, format_value(cost.value)) == ("成本指标", "经济成本指标", "101782万元")
    assert indicator_named(next_year, "政策知晓率").level1 == "满意度指标"
    assert check_table(next_year) == []


def test_a_new_indicator_starts_blank_and_going_back_restores_the_old_tree():
    tables, _ = read_tables(SEED_003.read_text(encoding="utf-8"), SEED_003.name)
    template = template_from_table(tables[0])
    fresh = table_from_template(template, 2021, "塔城地区医疗保障局")
    assert {i.value.kind for i in fresh.indicators} == {Kind.TEXT}
    assert {format_value(i.value) for i in fresh.indicators} == {""}
    cost = indicator_named(fresh, "医保能力提升经费")
    assert (cost.level1, cost.level2) == ("产出指标", "成本指标")
    assert check_table(fresh) == []
