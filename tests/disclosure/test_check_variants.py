"""The checker on single-change variants of seed 004 (regressions found in QA).

Each variant changes a few lines of the published text; the findings are compared with seed 004's own 21.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from fundflow.core.disclosure import check, generate
from fundflow.core.disclosure.stated import TableKey
from fundflow.io.disclosure_text import parse_disclosure
from tests.disclosure.conftest import SEED_004

SEED_LINES = SEED_004.read_text(encoding="utf-8").splitlines()


def _variant(replace: dict[str, str] | None = None, insert_after: dict[str, list[str]] | None = None):
    """Seed 004 with text replaced in the first line holding it, or lines inserted after the first line holding
    a text (lines numbered as in the new text)."""
    out = list(SEED_LINES)
    for old, new in (replace or {}).items():
        at = next(i for i, t in enumerate(out) if old in t)
        out[at] = out[at].replace(old, new)
    for old, extra in (insert_after or {}).items():
        at = next(i for i, t in enumerate(out) if old in t)
        out[at + 1 : at + 1] = extra
    assert out != SEED_LINES
    return parse_disclosure(list(enumerate(out, 1)))


def _key(f):
    w = f.where
    return (f.rule, w.table, w.row, w.column, w.section, str(f.stated), str(f.expected))


@pytest.fixture(scope="module")
def seed_findings(seed_004, book):
    return {_key(f) for f in check(seed_004, book)}


def _new(d, book, seed_findings):
    found = check(d, book)
    return [f for f in found if _key(f) not in seed_findings], {_key(f) for f in found}


# ---------------------------------------------------------------- tables split across pages


T6_HEADER = [
    "",
    "- 12 -",
    "",
    "一般公共预算基本支出情况表",
    "项目\t\t一般公共预算基本支出\t\t\t",
    "经济分类科目编码\t\t经济分类科目名称\t合 计\t人员经费\t公用经费",
    "类\t款\t\t\t\t",
]


@pytest.mark.parametrize(
    ("after", "repeat"),
    [
        ("302\t05\t水费\t0.2\t\t0.2", T6_HEADER),
        (
            "210\t12\t02\t财政对城乡居民基本医疗保险基金的补助\t612\t\t612",
            ["", "项 目\t\t\t支出预算\t\t\t", "类\t款\t项\t\t\t\t"],
        ),
        ("\t201 一般公共服务支出\t", ["", "第 3 页", "收 入\t\t支 出\t", "项 目\t预算数\t功能分类\t预算数"]),
    ],
)
def test_a_table_split_across_pages_with_repeated_headers_is_read(after, repeat, book, seed_findings):
    d = _variant(insert_after={after: repeat})
    new, found = _new(d, book, seed_findings)
    assert new == []
    assert len(found) == len(seed_findings)
    for table in d.tables.values():
        assert not any("- 12 -" in n or "第 3 页" in n for n in table.notes)


def test_a_total_row_labelled_in_the_code_column_is_the_total_row(book, seed_findings):
    line = next(t for t in SEED_LINES if "合 计\t1051.79\t416.59\t635.2" in t)
    d = _variant(replace={line: "合计\t\t\t\t1051.79\t416.59\t635.2"})
    total = d.tables[TableKey.EXPENDITURE].total_row()
    assert total is not None
    assert total.value("合计") == D("1051.79")
    new, _ = _new(d, book, seed_findings)
    assert new == []


# ---------------------------------------------------------------- one wrong cell, one finding on it


def test_a_wrong_table_total_is_reported_once(book, seed_findings):
    d = _variant(replace={"合 计\t1051.79\t416.59\t635.2": "合 计\t1051.78\t416.59\t635.2"})
    new, _ = _new(d, book, seed_findings)
    assert [(f.where.table, f.where.row, f.where.column, f.stated, f.expected) for f in new] == [
        (TableKey.EXPENDITURE, "合计", "合计", D("1051.78"), D("1051.79"))
    ]


def test_a_wrong_leaf_cell_is_blamed_not_the_totals_around_it(book, seed_findings):
    d = _variant(replace={"210\t15\t01\t行政运行\t397.21\t374.01\t23.2": "210\t15\t01\t行政运行\t397.21\t374.00\t23.2"})
    new, found = _new(d, book, seed_findings)
    assert len(new) == 1, [f.describe() for f in new]
    f = new[0]
    assert (f.where.table, f.where.row, f.where.column) == (TableKey.EXPENDITURE, "210 15 01 行政运行", "基本支出")
    assert (f.stated, f.expected) == (D("374.00"), D("374.01"))
    assert "应为 374.01" in f.message
    assert len(found) == len(seed_findings) + 1


def test_a_wrong_economic_item_is_blamed_using_the_narrative(book, seed_findings):
    d = _variant(replace={"302\t05\t水费\t0.2\t\t0.2": "302\t05\t水费\t0.3\t\t0.3"})
    new, _ = _new(d, book, seed_findings)
    assert {(f.where.table, f.where.row) for f in new} == {(TableKey.GPB_BASIC, "302 05 水费")}
    assert {(f.where.column, f.stated, f.expected) for f in new} == {
        ("合计", D("0.3"), D("0.2")),
        ("公用经费", D("0.3"), D("0.2")),
    }


def test_a_cross_table_finding_quotes_the_printed_figure(book, seed_findings):
    """表一's 210 alone is wrong: one finding, on 表一, stating what 表一 prints."""
    d = _variant(replace={"210 卫生健康支出\t1009.21": "210 卫生健康支出\t1009.2"})
    new, _ = _new(d, book, seed_findings)
    assert [(f.where.table, f.where.row, f.stated, f.expected) for f in new] == [
        (TableKey.OVERVIEW, "210 卫生健康支出", D("1009.2"), D("1009.21"))
    ]
    for f in check(d, book):
        if f.where.table is not None and f.rule.startswith("disclosure.") and isinstance(f.stated, D):
            row = next(r for r in d.tables[f.where.table].rows if r.label == f.where.row)
            assert row.value(f.where.column) == f.stated  # never a corrected value


def test_a_blank_cell_is_reported_as_blank(findings_004):
    blank = [f for f in findings_004 if f.where.column == "基本支出" and f.where.row == "210 卫生健康支出"]
    assert blank
    assert all(f.stated is None and "（空白）" in f.message for f in blank)


@pytest.fixture(scope="module")
def findings_004(seed_004, book):
    return check(seed_004, book)


# ---------------------------------------------------------------- year-on-year against a stated previous figure

T5_BASIC = "基本支出 416.59 万元，比上年预算增加 22.28 万元，增长 2%。主要原因是：比上年多做一人预算。"


def test_change_and_growth_are_checked_against_a_stated_previous_figure(book, seed_findings):
    d = _variant(replace={T5_BASIC: "基本支出 416.59 万元，上年预算 390.00 万元，比上年预算增加 22.28 万元，增长 6%。"})
    new, _found = _new(d, book, seed_findings)
    got = {f.rule: (f.stated, f.expected) for f in new}
    assert got == {"disclosure.yoy-change": (D("22.28"), D("26.59")), "disclosure.yoy-growth": (D("6"), D("7"))}
    assert all(f.where.section == "五" and f.where.row == "基本支出" for f in new)


def test_jiao_shang_nian_phrasing_is_read(book, seed_findings):
    d = _variant(replace={T5_BASIC: T5_BASIC.replace("比上年预算增加", "较上年增加")})
    _, found = _new(d, book, seed_findings)
    assert found == seed_findings  # the 2 % growth is still found wrong


def test_thousands_separators_in_the_narrative(book, seed_findings):
    total = "收支总预算 1051.79 万元。"
    line = next(t for t in SEED_LINES if t.endswith(total))
    d = _variant(replace={line: line.replace("1051.79", "1,051.78")})
    new, _ = _new(d, book, seed_findings)
    assert [(f.rule, f.stated, f.expected) for f in new] == [
        ("disclosure.narrative-amount", D("1051.78"), D("1051.79"))
    ]


# ---------------------------------------------------------------- generated 表四


def test_generated_fiscal_totals_print_zero_as_blank(akto_budget, book):
    t4 = generate(akto_budget, book).tables[TableKey.FISCAL]
    total = t4.rows[-1]  # 支出总计
    assert total.total
    assert total.values["政府性基金预算"] is None
    assert total.values["国有资本经营预算"] is None
    assert total.values["合计"] == D("1051.79")
