"""Disclosure tables as grids of cell text, both ways: the printed layout of the 2021 template.

One layout for every format: the generator's tables are drawn into grids (then into XLSX sheets or Word tables),
and a grid read from a published text, or from fundflow's own XLSX, is parsed back the way a person reads it:
find the 类/款/项 header row, take the column names from the header above it (whitespace from wrapped cells
removed), treat blank cells as empty and ``合计``/``总计`` rows as totals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from fundflow.core.disclosure.model import Source
from fundflow.core.disclosure.stated import (
    CARRYOVER,
    EXPENSE_TOTAL,
    FISCAL_GRANT,
    FUND_COL,
    GPB_COL,
    INCOME_TOTAL,
    SOE_COL,
    THREE_PUBLIC_COLUMNS,
    TOTAL,
    Side,
    StatedRow,
    StatedTable,
    TableKey,
    normalise,
)
from fundflow.core.money import Rounding
from fundflow.io.numbers import parse_decimal

Grid = list[list[str]]


@dataclass(frozen=True)
class GridLine:
    """One row of cells with the line (text) or row (sheet) it came from."""

    number: int | None
    cells: list[str]


# ------------------------------------------------------------------ names

_SOURCE_KEYWORDS = (
    ("一般公共", GPB_COL),
    ("事业基金", Source.RESERVE.value),
    ("基金", FUND_COL),
    ("国有资本", SOE_COL),
    ("财政专户", Source.SPECIAL.value),
    ("教育收费", Source.SPECIAL.value),
    ("经营收入", Source.OPERATING.value),
    ("事业收入", Source.BUSINESS.value),
    ("上级补助", Source.SUPERIOR.value),
    ("上级专项", Source.SUPERIOR_SPECIAL.value),
    ("其他资金", Source.OTHER.value),
    ("年余", CARRYOVER),
    ("结转", CARRYOVER),
)
_TOTAL_NAMES = ("合计", "总计", "预算数", "项目支出合计")


def clean(text: str) -> str:
    """Whitespace removed, half-width parentheses made full-width (``资本性支出(基本建设)``)."""
    return normalise(text).replace("(", "（").replace(")", "）")


def canonical_column(text: str, sources: bool) -> str:
    """A header as one of the canonical column names; funding-source spellings only where ``sources``."""
    name = clean(text)
    if name in _TOTAL_NAMES:
        return TOTAL
    if sources:
        for keyword, canonical in _SOURCE_KEYWORDS:
            if keyword in name:
                return canonical
    return name


def income_label(text: str) -> str:
    """``一、财政拨款（补助）`` → ``财政拨款（补助）``; source spellings made canonical."""
    name = re.sub(r"^[一二三四五六七八九十]+、", "", clean(text))
    if name.startswith("财政拨款"):
        return FISCAL_GRANT
    if name.replace(" ", "") in ("收入总计",):
        return INCOME_TOTAL
    return canonical_column(name, sources=True)


# ------------------------------------------------------------------ parsing


class GridError(ValueError):
    """A grid that cannot be read as the expected table (the message is Chinese)."""


def _number(text: str) -> Decimal | None:
    cleaned = text.strip()
    if cleaned in ("", "-", "—", "--"):
        return None
    return parse_decimal(cleaned)


def _cell(cells: list[str], i: int) -> str:
    return cells[i] if i < len(cells) else ""


def parse_table(
    key: TableKey, rows: list[GridLine], notes: tuple[str, ...] = (), line: int | None = None
) -> StatedTable:
    """Read a grid as table ``key``. Raises GridError (Chinese) when the layout cannot be recognised."""
    if key in (TableKey.OVERVIEW, TableKey.FISCAL):
        return _two_sided(key, rows, notes, line)
    if key is TableKey.THREE_PUBLIC:
        return _three_public(rows, notes, line)
    return _coded(key, rows, notes, line)


def _values(cells: list[str], columns: list[tuple[int, str]], number: int | None) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for i, name in columns:
        try:
            out[name] = _number(_cell(cells, i))
        except ValueError:
            raise GridError(f"第 {number} 行“{name}”列的“{_cell(cells, i)}”不是数字") from None
    return out


def _shape(cells: list[str]) -> tuple[str, ...]:
    """A row's cleaned cells without trailing blanks: what a repeated header row is compared by."""
    out = [clean(c) for c in cells]
    while out and not out[-1]:
        out.pop()
    return tuple(out)


def _repeats(header: list[GridLine]) -> Callable[[GridLine], bool]:
    """Whether a row repeats one of the table's header rows (a table split across pages prints them again)."""
    shapes = {_shape(r.cells) for r in header} - {()}
    return lambda r: _shape(r.cells) in shapes


def _coded(key: TableKey, rows: list[GridLine], notes: tuple[str, ...], line: int | None) -> StatedTable:
    marker = next((i for i, r in enumerate(rows) if clean(_cell(r.cells, 0)) == "类"), None)
    if marker is None or marker == 0:
        raise GridError(f"{key.number}中找不到“类 款 项”表头")
    repeated = _repeats(rows[: marker + 1])
    levels = 0
    while levels < 3 and clean(_cell(rows[marker].cells, levels)) in ("类", "款", "项"):
        levels += 1
    header = rows[marker - 1].cells
    name_col = project_col = None
    columns: list[tuple[int, str]] = []
    for i in range(levels, len(header)):
        text = clean(header[i])
        if not text:
            continue
        if text == "项目名称":
            project_col = i
        elif "名称" in text or text == "科目":
            name_col = i
        else:
            columns.append((i, canonical_column(text, sources=key in (TableKey.INCOME,))))
    stated: list[StatedRow] = []
    for r in rows[marker + 1 :]:
        cells = r.cells
        if not any(c.strip() for c in cells) or repeated(r):
            continue
        code = "".join(clean(_cell(cells, i)) for i in range(levels))
        texts = [clean(c) for c in cells[levels:]]
        # 合计 may sit in the name column, in the first amount column (表九, no name column) or, when the
        # 类/款/项 cells are merged for the total row, in the code column
        is_total = code in ("合计", "总计") or (not code and any(t in ("合计", "总计") for t in texts))
        if is_total:
            code = ""
            cells = ["" if clean(c) in ("合计", "总计") else c for c in cells]
        name = clean(_cell(cells, name_col)) if name_col is not None else ""
        project = clean(_cell(cells, project_col)) if project_col is not None and not is_total else ""
        if code and not code.isdigit():
            raise GridError(f"第 {r.number} 行的科目编码“{code}”不是数字")
        stated.append(
            StatedRow(
                code,
                "合计" if is_total else name,
                _values(cells, columns, r.number),
                r.number,
                project,
                Side.NONE,
                is_total,
            )
        )
    return StatedTable(key, tuple(c for _, c in columns), tuple(stated), line, notes)


def _two_sided(key: TableKey, rows: list[GridLine], notes: tuple[str, ...], line: int | None) -> StatedTable:
    header_at = next((i for i, r in enumerate(rows) if clean(_cell(r.cells, 0)) == "项目"), None)
    if header_at is None:
        raise GridError(f"{key.number}中找不到“项目”表头")
    header = rows[header_at].cells
    repeated = _repeats(rows[: header_at + 1])
    columns = [(i, canonical_column(header[i], sources=True)) for i in range(3, len(header)) if clean(header[i])]
    out: list[StatedRow] = []
    expense: list[StatedRow] = []
    for r in rows[header_at + 1 :]:
        cells = r.cells
        if repeated(r):
            continue
        left = clean(_cell(cells, 0))
        if left:
            label = income_label(left)
            total = label == INCOME_TOTAL
            value = _values(cells, [(1, TOTAL)], r.number)
            out.append(StatedRow("", label, value, r.number, side=Side.INCOME, total=total))
        right = clean(_cell(cells, 2))
        if right:
            values = _values(cells, columns, r.number)
            if right == EXPENSE_TOTAL:
                expense.append(StatedRow("", EXPENSE_TOTAL, values, r.number, side=Side.EXPENSE, total=True))
                continue
            m = re.match(r"^(\d{3,7})(.*)$", right)
            code, name = (m.group(1), m.group(2)) if m else ("", right)
            expense.append(StatedRow(code, name, values, r.number, side=Side.EXPENSE))
    return StatedTable(key, tuple(c for _, c in columns), tuple(out + expense), line, notes)


def _three_public(rows: list[GridLine], notes: tuple[str, ...], line: int | None) -> StatedTable:
    for r in rows:
        cells = list(r.cells[: len(THREE_PUBLIC_COLUMNS)])
        try:
            numbers = [_number(c) for c in cells]
        except ValueError:
            continue
        if any(n is not None for n in numbers):
            values = dict(zip(THREE_PUBLIC_COLUMNS, numbers + [None] * (6 - len(numbers)), strict=True))
            return StatedTable(
                TableKey.THREE_PUBLIC, THREE_PUBLIC_COLUMNS, (StatedRow("", "", values, r.number),), line, notes
            )
    return StatedTable(TableKey.THREE_PUBLIC, THREE_PUBLIC_COLUMNS, (), line, notes)


# ------------------------------------------------------------------ drawing


def amount(value: Decimal | None) -> str:
    """A cell as printed: blank for None, else two decimals."""
    return "" if value is None else format(Rounding(2).apply(value), "f")


def _split(code: str, levels: int) -> list[str]:
    return [code[:3], code[3:5], code[5:7]][:levels]


# The labels the 2021 template prints where they differ from the canonical column and row names (the readers map
# both spellings back: see canonical_column and income_label).
_INCOME_LABELS = {
    TOTAL: "总计",
    GPB_COL: "一般公共预算拨款",
    FUND_COL: "政府基金预算拨款",
    Source.SPECIAL.value: "财政专户（教育收费）",
    Source.RESERVE.value: "事业基金弥补收支差额",
    CARRYOVER: "单位年余（不含库中支付额度）",
}
_INCOME_ROW_LABELS = {
    TableKey.OVERVIEW: {Source.SPECIAL.value: "教育收费（财政专户）"},
    TableKey.FISCAL: {FISCAL_GRANT: "一、财政拨款（补助）"},
}
_PROJECT_LABELS = {
    TOTAL: "项目支出合计",
    "资本性支出（基本建设）": "资本性支出(基本建设)",
    "对企业补助（基本建设）": "对企业补助(基本建设)",
}
_THREE_PUBLIC_LABELS = {"因公出国（境）费": "因公出国(境)费"}
_NATURE_TITLES = {
    TableKey.EXPENDITURE: "支出预算",
    TableKey.GPB: "一般公共预算支出",
    TableKey.FUND: "政府性基金预算支出",
}

Merge = tuple[int, int, int, int]


@dataclass(frozen=True)
class Layout:
    """A drawn table: the grid, how many of its rows are header rows, and the header cells that span others.

    ``merges`` are (first row, first column, last row, last column), 0-based and inclusive; every cell a merge
    covers but its first is blank in ``grid``.
    """

    grid: Grid
    header: int
    merges: tuple[Merge, ...]


def _labels(cols: list[str], labels: dict[str, str]) -> list[str]:
    return [labels.get(c, c) for c in cols]


def _down(row: int, first: int, count: int) -> list[Merge]:
    """Header cells ``first`` … ``first + count - 1`` of ``row`` spanning the header row below them too."""
    return [(row, c, row + 1, c) for c in range(first, first + count)]


def layout(table: StatedTable) -> Layout:
    """``table`` in the template's layout: header rows (with their merged cells), then data rows."""
    key = table.key
    cols = list(table.columns)
    n = len(cols)
    if key in (TableKey.OVERVIEW, TableKey.FISCAL):
        return _two_sided_layout(table)
    if key is TableKey.THREE_PUBLIC:
        c = THREE_PUBLIC_COLUMNS
        labels = _labels(list(c), _THREE_PUBLIC_LABELS)
        grid: Grid = [
            [labels[0], labels[1], labels[2], "", "", labels[5]],
            ["", "合计", "合计", labels[3], labels[4], ""],
        ]
        grid += [[amount(r.values.get(col)) for col in c] for r in table.rows]
        return Layout(grid, 2, ((0, 0, 1, 0), (0, 2, 0, 4), (0, 5, 1, 5)))
    if key is TableKey.GPB_BASIC:
        grid = [
            ["项目", "", "", "一般公共预算基本支出", *([""] * (n - 1))],
            ["经济分类科目编码", "", "经济分类科目名称", *cols],
            ["类", "款", "", *([""] * n)],
        ]
        for r in table.rows:
            grid.append([*_split(r.code, 2), r.name, *(amount(r.values.get(c)) for c in cols)])
        merges = [(0, 0, 0, 2), (0, 3, 0, 2 + n), (1, 0, 1, 1), *_down(1, 2, 1 + n)]
        return Layout(grid, 3, tuple(merges))
    if key is TableKey.GPB_PROJECT:
        grid = [
            ["科目编码", "", "", "科目", "项目名称", *_labels(cols, _PROJECT_LABELS)],
            ["类", "款", "项", "", "", *([""] * n)],
        ]
        for r in table.rows:
            lead = ["", "", "", "", "合计"] if r.total else [*_split(r.code, 3), r.name, r.project]
            grid.append([*lead, *(amount(r.values.get(c)) for c in cols)])
        return Layout(grid, 2, ((0, 0, 0, 2), *_down(0, 3, 2 + n)))
    if key is TableKey.INCOME:
        grid = [
            ["功能分类科目编码", "", "", "功能分类科目名称", *_labels(cols, _INCOME_LABELS)],
            ["类", "款", "项", "", *([""] * n)],
        ]
        for r in table.rows:
            grid.append([*_split(r.code, 3), r.name, *(amount(r.values.get(c)) for c in cols)])
        return Layout(grid, 2, ((0, 0, 0, 2), *_down(0, 3, 1 + n)))
    return _nature_layout(table)


def _nature_layout(table: StatedTable) -> Layout:
    """表三, 表五, 表九: 项目 / the table's expenditure over 合计, 基本支出, 项目支出. An empty 表九 prints, as the
    template does, no 名称 column and its 合计 under the codes; with rows it needs the 名称 column for their names."""
    cols = list(table.columns)
    n = len(cols)
    named = table.key is not TableKey.FUND or any(not r.total for r in table.rows)
    name = ["功能分类科目名称"] if named else []
    width = 3 + len(name)
    grid: Grid = [
        ["项目", *([""] * (width - 1)), _NATURE_TITLES[table.key], *([""] * (n - 1))],
        ["功能分类科目编码", "", "", *name, *cols],
        ["类", "款", "项", *([""] * (len(name) + n))],
    ]
    for r in table.rows:
        figures = [amount(r.values.get(c)) for c in cols]
        if named:
            grid.append([*_split(r.code, 3), r.name, *figures])
        else:
            grid.append(["", "", "", "合计", *figures[1:]])  # only the (blank) 合计 row
    merges = [(0, 0, 0, width - 1), (0, width, 0, width + n - 1), (1, 0, 1, 2), *_down(1, 3, len(name) + n)]
    return Layout(grid, 3, tuple(merges))


def _two_sided_layout(table: StatedTable) -> Layout:
    """表一 and 表四: income on the left (项目, one figure), expenditure by 类 on the right."""
    key = table.key
    cols = list(table.columns)
    n = len(cols)
    row_labels = _INCOME_ROW_LABELS[key]
    income = table.side(Side.INCOME)
    expense = table.side(Side.EXPENSE)
    if key is TableKey.OVERVIEW:
        first, amount_label = ["收入", "", "支出", *([""] * n)], "预算数"
        labels = [amount_label if c == TOTAL else c for c in cols]
    else:
        first, amount_label = ["财政拨款收入", "", "财政拨款支出", *([""] * n)], TOTAL
        labels = cols
    grid: Grid = [first, ["项目", amount_label, "功能分类", *labels]]
    body_in = [r for r in income if not r.total]
    body_out = [r for r in expense if not r.total]
    for i in range(max(len(body_in), len(body_out))):
        if i < len(body_in):
            r = body_in[i]
            left = [row_labels.get(r.name, r.name), amount(r.values.get(TOTAL))]
        else:
            left = ["", ""]
        if i < len(body_out):
            r = body_out[i]
            right = [f"{r.code} {r.name}", *(amount(r.values.get(c)) for c in cols)]
        else:
            right = [""] * (1 + n)
        grid.append(left + right)
    tin, tout = table.total_row(Side.INCOME), table.total_row(Side.EXPENSE)
    grid.append(
        [INCOME_TOTAL, amount(tin.values.get(TOTAL) if tin else None), EXPENSE_TOTAL]
        + [amount(tout.values.get(c) if tout else None) for c in cols]
    )
    return Layout(grid, 2, ((0, 0, 0, 1), (0, 2, 0, 2 + n)))


def draw_table(table: StatedTable) -> Grid:
    """The grid of ``table`` in the template's layout (header rows, then data rows)."""
    return layout(table).grid
