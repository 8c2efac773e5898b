"""The nine tables computed from a unit's budget lines.

Every figure is an exact sum of line amounts (万元, two decimals), so a parent row always equals the sum of its
children and every 合计 the sum of what it totals. Zero figures print blank, as the template does, except in
the “三公” table, which prints 0. Tables 1 and 4 list every functional 类 of the catalogue year even when empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from fundflow.core.disclosure.model import ZERO, BudgetLine, Category, Nature, Source, UnitBudget
from fundflow.core.disclosure.stated import (
    BASIC,
    CARRYOVER,
    EXPENSE_TOTAL,
    FISCAL_GRANT,
    FUND_COL,
    GPB_COL,
    INCOME_TOTAL,
    PERSONNEL,
    PROJECT,
    PROJECT_ECONOMIC_CLASSES,
    PUBLIC,
    SOE_COL,
    THREE_PUBLIC_COLUMNS,
    TOTAL,
    CodeBook,
    Side,
    StatedRow,
    StatedTable,
    TableKey,
)

Predicate = Callable[[BudgetLine], bool]
FISCAL_SOURCES = (Source.GPB, Source.FUND, Source.SOE)
# 表二 prints 财政专户 before 国有资本经营预算 (表一 follows the order of Source)
INCOME_SOURCES = (
    Source.GPB,
    Source.FUND,
    Source.SPECIAL,
    Source.SOE,
    Source.BUSINESS,
    Source.SUPERIOR,
    Source.OPERATING,
    Source.OTHER,
    Source.SUPERIOR_SPECIAL,
    Source.RESERVE,
)
assert set(INCOME_SOURCES) == set(Source), "表二 must print every funding source"


def _sum(lines: Iterable[BudgetLine], pred: Predicate | None = None) -> Decimal:
    return sum((ln.amount for ln in lines if pred is None or pred(ln)), ZERO)


def _blank(value: Decimal) -> Decimal | None:
    return None if value.is_zero() else value


def _is_basic(ln: BudgetLine) -> bool:
    return ln.nature is Nature.BASIC


def _is_project(ln: BudgetLine) -> bool:
    return ln.nature is Nature.PROJECT


def _values(lines: list[BudgetLine], columns: Mapping[str, Predicate | None], blank: bool) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for col, pred in columns.items():
        value = _sum(lines, pred)
        out[col] = _blank(value) if blank else value
    return out


def _coded_rows(
    lines: list[BudgetLine],
    columns: Mapping[str, Predicate | None],
    book: CodeBook,
    kind: str,
    code_of: Callable[[BudgetLine], str],
    lengths: tuple[int, ...],
) -> list[StatedRow]:
    """Rows for every code prefix present (类, 款, 项 in code order) and a 合计 row."""
    codes = sorted({code_of(ln)[:n] for ln in lines for n in lengths})
    rows = []
    for code in codes:
        subset = [ln for ln in lines if code_of(ln).startswith(code)]
        rows.append(StatedRow(code, book.name(kind, code) or "", _values(subset, columns, blank=True)))
    rows.append(StatedRow("", TOTAL, _values(lines, columns, blank=True), total=True))
    return rows


def _by_source(source: Source) -> Predicate:
    return lambda ln: ln.source is source


def _class_rows(lines: list[BudgetLine], columns: Mapping[str, Predicate | None], book: CodeBook) -> list[StatedRow]:
    classes = dict(book.classes("function"))
    for ln in lines:
        classes.setdefault(ln.function[:3], book.name("function", ln.function[:3]) or "")
    return [
        StatedRow(
            code,
            name,
            _values([ln for ln in lines if ln.function.startswith(code)], columns, blank=True),
            side=Side.EXPENSE,
        )
        for code, name in sorted(classes.items())
    ]


def overview(budget: UnitBudget, book: CodeBook) -> StatedTable:
    """表一 单位收支总体情况表: income by source (财政拨款 first), expenditure by every 类."""
    lines = list(budget.lines)
    income = [StatedRow("", FISCAL_GRANT, {TOTAL: _blank(_sum(lines, lambda ln: ln.source.fiscal))}, side=Side.INCOME)]
    income += [StatedRow("", s.value, {TOTAL: _blank(_sum(lines, _by_source(s)))}, side=Side.INCOME) for s in Source]
    total = _sum(lines)
    rows = [
        *income,
        StatedRow("", INCOME_TOTAL, {TOTAL: _blank(total)}, side=Side.INCOME, total=True),
        *_class_rows(lines, {TOTAL: None}, book),
        StatedRow("", EXPENSE_TOTAL, {TOTAL: _blank(total)}, side=Side.EXPENSE, total=True),
    ]
    return StatedTable(TableKey.OVERVIEW, (TOTAL,), tuple(rows))


def income(budget: UnitBudget, book: CodeBook) -> StatedTable:
    """表二 单位收入总体情况表: each functional code by funding source, then 单位年余 (always blank)."""
    columns: dict[str, Predicate | None] = {TOTAL: None}
    columns.update({s.value: _by_source(s) for s in INCOME_SOURCES})
    columns[CARRYOVER] = lambda ln: False
    rows = _coded_rows(list(budget.lines), columns, book, "function", lambda ln: ln.function, (3, 5, 7))
    return StatedTable(TableKey.INCOME, tuple(columns), tuple(rows))


def _nature_table(key: TableKey, lines: list[BudgetLine], book: CodeBook, notes: tuple[str, ...] = ()) -> StatedTable:
    columns: dict[str, Predicate | None] = {TOTAL: None, BASIC: _is_basic, PROJECT: _is_project}
    rows = _coded_rows(lines, columns, book, "function", lambda ln: ln.function, (3, 5, 7))
    return StatedTable(key, tuple(columns), tuple(rows), notes=notes)


def expenditure(budget: UnitBudget, book: CodeBook) -> StatedTable:
    """表三 单位支出总体情况表: each functional code, basic vs project (all sources)."""
    return _nature_table(TableKey.EXPENDITURE, list(budget.lines), book)


def fiscal(budget: UnitBudget, book: CodeBook) -> StatedTable:
    """表四 财政拨款收支预算总体情况表: the three 财政拨款 sources, expenditure by every 类."""
    lines = [ln for ln in budget.lines if ln.source.fiscal]
    columns: dict[str, Predicate | None] = {
        TOTAL: None,
        GPB_COL: _by_source(Source.GPB),
        FUND_COL: _by_source(Source.FUND),
        SOE_COL: _by_source(Source.SOE),
    }
    income = [StatedRow("", FISCAL_GRANT, {TOTAL: _blank(_sum(lines))}, side=Side.INCOME)]
    income += [
        StatedRow("", s.value, {TOTAL: _blank(_sum(lines, _by_source(s)))}, side=Side.INCOME) for s in FISCAL_SOURCES
    ]
    total = _sum(lines)
    rows = [
        *income,
        StatedRow("", INCOME_TOTAL, {TOTAL: _blank(total)}, side=Side.INCOME, total=True),
        *_class_rows(lines, columns, book),
        StatedRow("", EXPENSE_TOTAL, _values(lines, columns, blank=True), side=Side.EXPENSE, total=True),
    ]
    return StatedTable(TableKey.FISCAL, tuple(columns), tuple(rows))


def _economic_class(code: str) -> Predicate:
    return lambda ln: ln.economic.startswith(code)


def gpb_lines(budget: UnitBudget) -> list[BudgetLine]:
    return [ln for ln in budget.lines if ln.source is Source.GPB]


def gpb(budget: UnitBudget, book: CodeBook) -> StatedTable:
    """表五 一般公共预算支出情况表."""
    return _nature_table(TableKey.GPB, gpb_lines(budget), book)


def gpb_basic(budget: UnitBudget, book: CodeBook) -> StatedTable:
    """表六 一般公共预算基本支出情况表: departmental economic 类/款, personnel vs public."""
    lines = [ln for ln in gpb_lines(budget) if ln.nature is Nature.BASIC]
    columns: dict[str, Predicate | None] = {
        TOTAL: None,
        PERSONNEL: lambda ln: ln.category is Category.PERSONNEL,
        PUBLIC: lambda ln: ln.category is Category.PUBLIC,
    }
    rows = _coded_rows(lines, columns, book, "dept_economic", lambda ln: ln.economic, (3, 5))
    return StatedTable(TableKey.GPB_BASIC, tuple(columns), tuple(rows))


def gpb_project(budget: UnitBudget, book: CodeBook) -> StatedTable:
    """表七 一般公共预算项目支出情况表: per project, its 类/款/项 rows, by economic 类."""
    lines = [ln for ln in gpb_lines(budget) if ln.nature is Nature.PROJECT]
    columns: dict[str, Predicate | None] = {TOTAL: None}
    for code, name in PROJECT_ECONOMIC_CLASSES:
        columns[name] = _economic_class(code)
    rows: list[StatedRow] = []
    names = [p.name for p in budget.projects] + sorted({ln.project for ln in lines} - {p.name for p in budget.projects})
    for name in names:
        own = [ln for ln in lines if ln.project == name]
        if not own:
            continue
        for code in sorted({ln.function[:n] for ln in own for n in (3, 5, 7)}):
            subset = [ln for ln in own if ln.function.startswith(code)]
            rows.append(
                StatedRow(code, book.name("function", code) or "", _values(subset, columns, True), project=name)
            )
    rows.append(StatedRow("", TOTAL, _values(lines, columns, blank=True), total=True))
    return StatedTable(TableKey.GPB_PROJECT, tuple(columns), tuple(rows))


def three_public(budget: UnitBudget) -> StatedTable:
    """表八 一般公共预算“三公”经费支出情况表 (one row; zeros are printed)."""
    t = budget.three_public
    figures = (t.total, t.abroad, t.cars, t.car_purchase, t.car_running, t.reception)
    row = StatedRow("", "", dict(zip(THREE_PUBLIC_COLUMNS, figures, strict=True)))
    return StatedTable(TableKey.THREE_PUBLIC, THREE_PUBLIC_COLUMNS, (row,))


def fund(budget: UnitBudget, book: CodeBook) -> StatedTable:
    """表九 政府性基金预算支出情况表; an empty table carries the note the template requires."""
    lines = [ln for ln in budget.lines if ln.source is Source.FUND]
    notes = () if lines else (f"备注：{budget.year}年{budget.unit}无政府性基金。",)
    return _nature_table(TableKey.FUND, lines, book, notes)


def nine_tables(budget: UnitBudget, book: CodeBook) -> dict[TableKey, StatedTable]:
    """All nine tables in printed order."""
    tables = (
        overview(budget, book),
        income(budget, book),
        expenditure(budget, book),
        fiscal(budget, book),
        gpb(budget, book),
        gpb_basic(budget, book),
        gpb_project(budget, book),
        three_public(budget),
        fund(budget, book),
    )
    return {t.key: t for t in tables}
