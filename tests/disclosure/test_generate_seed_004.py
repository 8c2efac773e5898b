"""Generation from the seed-004 budget reproduces every correct figure the seed prints, and passes its checker."""

from decimal import Decimal as D

from fundflow.core.disclosure import check
from fundflow.core.disclosure.stated import TableKey


def _cell(table, column, code="", name=None, project="", total=False, side=None):
    for r in table.rows:
        if r.total != total or (code and r.code != code) or (project and r.project != project):
            continue
        if name is not None and r.name != name:
            continue
        if side is not None and r.side is not side:
            continue
        return r.value(column)
    raise KeyError((table.key, code, name, project, column))


def test_headline_figures(akto_package):
    t = akto_package.tables
    from fundflow.core.disclosure.stated import Side

    assert _cell(t[TableKey.OVERVIEW], "合计", total=True, side=Side.EXPENSE) == D("1051.79")
    assert _cell(t[TableKey.OVERVIEW], "合计", code="208") == D("42.58")
    assert _cell(t[TableKey.OVERVIEW], "合计", code="210") == D("1009.21")
    assert _cell(t[TableKey.EXPENDITURE], "基本支出", total=True) == D("416.59")
    assert _cell(t[TableKey.EXPENDITURE], "项目支出", total=True) == D("635.2")
    assert _cell(t[TableKey.EXPENDITURE], "基本支出", code="210") == D("374.01")
    assert _cell(t[TableKey.GPB_BASIC], "人员经费", total=True) == D("407.52")
    assert _cell(t[TableKey.GPB_BASIC], "公用经费", total=True) == D("9.07")
    assert _cell(t[TableKey.GPB_BASIC], "合计", code="30112") == D("22.03")
    assert _cell(t[TableKey.GPB_BASIC], "合计", code="301") == D("407.5")
    assert _cell(t[TableKey.GPB_PROJECT], "合计", total=True) == D("635.2")
    assert _cell(t[TableKey.THREE_PUBLIC], "公务用车运行费") == D("0.48")
    assert len([r for r in t[TableKey.FISCAL].rows if r.code]) == 30


def test_every_correct_seed_figure_is_reproduced(seed_004, akto_package, book):
    """Compare cell by cell; the only cells allowed to differ are those the checker flags in the seed."""
    flagged = {(f.where.table, f.where.line, f.where.column) for f in check(seed_004, book) if f.where.table}
    compared = 0
    for key, seed_table in seed_004.tables.items():
        ours = akto_package.tables[key]
        for row in seed_table.rows:
            match = [
                r
                for r in ours.rows
                if r.code == row.code
                and r.total == row.total
                and r.side is row.side
                and (r.code or r.total or key is TableKey.THREE_PUBLIC or r.name == row.name)
                and (key is not TableKey.GPB_PROJECT or r.project == row.project or row.total)
            ]
            assert match, (key, row.label)
            for column, value in row.values.items():
                if (key, row.line, column) in flagged or (value is None and column not in ours.columns):
                    continue
                assert match[0].value(column) == (value or D(0)), (key, row.label, column)
                compared += 1
    assert compared > 250


def test_narrative_figures_follow_the_one_rule(akto_package):
    text = "\n".join(p.text for p in akto_package.paragraphs)
    assert "基本支出416.59万元，占39.61%，比上年预算增加22.28万元，增长5.65%" in text
    assert "（项：05）42.58万元，比上年预算增加1.92万元，增长4.72%" in text
    assert "一般公共预算基本支出416.59万元" in text
    assert "其他社会保障缴费22.03万元" in text
    assert "机关运行经费财政拨款预算9.07万元，比上年预算增加5.81万元，增长178.22%" in text
    assert "2. 卫生健康支出（210类）1009.21万元，占95.95%" in text


def test_generated_package_passes_its_checker(akto_package, book):
    assert check(akto_package, book) == []
