"""The checker on seed 004 (阿克陶县医疗保障局 2021): every known defect, where it is and what it should be.

Each expected finding is explained in docs/disclosure.md, "What the checker finds in seed 004".
"""

from decimal import Decimal as D

import pytest

from fundflow.core.disclosure import check
from fundflow.core.disclosure.stated import TableKey


@pytest.fixture(scope="module")
def findings(seed_004, book):
    return check(seed_004, book)


def _find(findings, rule, **where):
    hits = [f for f in findings if f.rule == rule and all(getattr(f.where, k) == v for k, v in where.items())]
    assert len(hits) == 1, (rule, where, [f.describe() for f in findings if f.rule == rule])
    return hits[0]


def test_reads_all_nine_tables_and_the_narrative(seed_004):
    assert list(seed_004.tables) == list(TableKey)
    assert seed_004.unit == "阿克陶县医疗保障局"
    assert seed_004.year == 2021
    t1 = seed_004.tables[TableKey.OVERVIEW]
    assert len([r for r in t1.rows if r.code]) == 30  # every 类 row, even empty ones
    assert seed_004.tables[TableKey.FUND].notes == ("备注：2021年阿克陶县医疗保障局无政府性基金。",)


def test_class_210_rows_of_tables_2_3_5_omit_the_15_subtotal(findings):
    for key, cols in (
        (TableKey.INCOME, {"合计": "1009.21", "一般公共预算": "1009.21"}),
        (TableKey.EXPENDITURE, {"合计": "1009.21", "基本支出": "374.01", "项目支出": "635.2"}),
        (TableKey.GPB, {"合计": "1009.21", "基本支出": "374.01", "项目支出": "635.2"}),
    ):
        for column, expected in cols.items():
            f = _find(findings, "disclosure.table-total", table=key, column=column, row=f"210 {'卫生健康支出'}")
            assert f.stated == (D("612") if column != "基本支出" else None)  # a blank cell is reported as blank
            assert f.expected == D(expected)


def test_30112_total_disagrees_with_its_personnel_figure(findings):
    f = _find(findings, "disclosure.row-total", table=TableKey.GPB_BASIC, column="合计")
    assert f.where.row == "301 12 其他社会保障缴费"
    assert f.where.line == 240
    assert (f.stated, f.expected) == (D("22.04"), D("22.03"))
    n = _find(findings, "disclosure.narrative-amount", section="六", row="其他社会保障缴费")
    assert (n.stated, n.expected) == (D("22.04"), D("22.03"))


def test_basic_expenditure_narrated_as_the_whole_budget(findings):
    f = _find(findings, "disclosure.narrative-amount", section="六", row="阿克陶县医疗保障局2021年一般公共预算基本支出")
    assert (f.stated, f.expected) == (D("1051.79"), D("416.59"))
    assert f.where.line == 372


def test_names_that_do_not_match_the_catalogue(findings):
    pairs = {(f.where.table, f.stated, f.expected) for f in findings if f.rule == "disclosure.code-name"}
    assert pairs == {
        (TableKey.OVERVIEW, "粮油物资管理支出", "粮油物资储备支出"),
        (TableKey.INCOME, "基社会保障和就业支出", "社会保障和就业支出"),
        (TableKey.GPB_PROJECT, "医疗保障管理事务", "财政对基本医疗保险基金的补助"),
        (TableKey.GPB_PROJECT, "行政运行", "财政对城乡居民基本医疗保险基金的补助"),
    }


def test_growth_rates_divided_by_the_wrong_base(findings):
    growth = {
        (f.where.section, f.where.line): (f.stated, f.expected) for f in findings if f.rule == "disclosure.yoy-growth"
    }
    assert growth == {
        ("五", 351): (D("2"), D("6")),  # 22.28 ÷ 394.31 = 5.65 %; the 2 % is 22.28 ÷ 1051.79
        ("五", 362): (D("4.51"), D("4.72")),  # 1.92 ÷ 40.66; 4.51 % is 1.92 ÷ 42.58 (this year)
        ("五", 368): (D("5.13"), D("5.40")),  # 20.36 ÷ 376.85; 5.13 % is 20.36 ÷ 397.21
        ("十", 448): (D("36"), D("178")),  # 5.81 ÷ 3.26
    }


def test_mixed_percent_precision_and_unlisted_project(findings):
    p = _find(findings, "disclosure.percent-precision")
    assert (p.stated, p.expected) == ("2", "0")
    u = _find(findings, "disclosure.project-unknown")
    assert u.stated == "城乡医保工作经费"
    assert u.where.section == "七"


def test_nothing_else_is_reported(findings):
    """Shares (40 %, 60 %, 4 %, 96 %), projects' standard × quantity and cross-table figures are all right."""
    assert len(findings) == 21
    assert not [
        f
        for f in findings
        if f.rule in ("disclosure.narrative-share", "disclosure.project-standard", "disclosure.cross-table")
    ]
