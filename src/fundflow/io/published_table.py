"""Read a published factor-method allocation table the way a person reads it.

Input is the tab-separated text of a notice's attachment (as in the seeds) or the same table in Excel.
The reader copes with what real documents do:

* the table is split over pages, with the title and the two header rows repeated on each page;
* header cells are wrapped with stray spaces ("2020年10 月底低保对 象人数");
* a group's (prefecture's) name may sit on a later row than its 小计 row, or be split over two rows across
  a page break ("巴音郭楞" … "蒙古自治州"): the fragments in the group column between one 小计 row and the
  next are joined to form the group name;
* blank numeric cells (e.g. an empty 特困人员 cell) are read as zero and reported.

The method and weights come from the header ("困难群众人数因素 (50%)"); within each factor span the last
column whose label mentions 资金/万元/金额 is the amount, the others are counts, and a count column that equals
the sum of the other counts on every row is recognised as a printed sum (e.g. 特困、孤儿人数).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from fundflow.core.errors import Location, PlanError
from fundflow.core.published import PublishedTable, RowKind, TableFactor, TableRow
from fundflow.core.table_check.model import GridTable
from fundflow.io.numbers import parse_decimal, parse_weight

# "困难群众人数因素 (50%)", "困难群众人数因素（权重50%）", "困难群众人数因素(占比：50%)"
FACTOR_HEADER = re.compile(
    r"^(?P<name>.+?)\s*[（(]\s*(?:(?:权重|占比|比重)\s*[:：]?\s*)?(?P<weight>\d+(?:\.\d+)?\s*%)\s*[)）]\s*$"
)
SEQUENCE_HEADERS = ("序号", "编号", "No.", "NO.")
TOTAL_NAMES = ("全区", "全省", "全疆", "全市", "全州", "全地区", "合计", "总计")
SUBTOTAL_NAMES = ("小计",)
AMOUNT_HINTS = ("资金", "万元", "金额", "（元）", "(元)")
END_MARKERS = ("附件", "抄送", "说明")


def read_table_file(path: str | Path) -> PublishedTable:
    path = Path(path)
    if not path.exists():
        raise PlanError.single("file.missing", "找不到文件", Location(str(path)))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return parse_grid(_xlsx_grid(path), str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PlanError.single("file.encoding", "文件不是 UTF-8 编码的文本", Location(str(path))) from None
    return parse_grid([line.split("\t") for line in text.splitlines()], str(path))


def _xlsx_grid(path: Path) -> list[list[str]]:
    from fundflow.io.xlsx_cells import read_first_sheet

    return read_first_sheet(path)


def _clean(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace("\u3000", " ").replace("％", "%")).strip()


def _squash(cell: str) -> str:
    """Header text with all whitespace removed ("中央财政 补助资金" → "中央财政补助资金")."""
    return re.sub(r"\s+", "", cell)


def parse_grid(grid: Sequence[Sequence[str]], source: str) -> PublishedTable:
    rows = [[_clean(c) for c in row] for row in grid]
    header_at = next((i for i, r in enumerate(rows) if sum(bool(FACTOR_HEADER.match(c)) for c in r) >= 1), None)
    if header_at is None:
        raise PlanError.single(
            "table.no-header", "未找到带权重的因素表头（如“困难群众人数因素 (50%)”）", Location(source)
        )
    # The title is found before a 序号 column is removed: it usually sits in the first column.
    title = next((_squash(c) for r in reversed(rows[:header_at]) for c in r if c and c.endswith("表")), "")
    if rows[header_at] and rows[header_at][0] in SEQUENCE_HEADERS:
        # A leading 序号 column numbers the rows; it is neither a name nor a figure.
        rows = [r[1:] for r in rows]
    head = rows[header_at]
    sub_at = next(i for i in range(header_at + 1, len(rows)) if any(rows[i]))
    sub = rows[sub_at]
    factors, total_column, total_label = _factors(head, sub, source, header_at)
    first_factor = min(min((*f.count_columns, f.amount_column)) for f in factors)
    name_cols = list(range(first_factor))
    numeric = [c for f in factors for c in (*f.count_columns, f.amount_column)] + [total_column]
    header_signature = _squash(head[0]) if head and head[0] else None

    data: list[tuple[int, list[str]]] = []
    for i, r in enumerate(rows):
        if i in (header_at, sub_at) or not any(r):
            continue
        if data and r[0].startswith(END_MARKERS):
            break  # the next attachment or section begins
        if any(FACTOR_HEADER.match(c) for c in r) or (header_signature and _squash(r[0]) == header_signature):
            continue  # repeated header on a later page
        if _is_subheader(r, sub):
            continue
        cells = [r[c] if c < len(r) else "" for c in numeric]
        filled = [c for c in cells if c]
        if 2 * len(filled) < len(cells) or not all(_is_number(c) for c in filled):
            continue  # title repeated on a later page, notes, page numbers
        data.append((i, r))
    if not data:
        raise PlanError.single("table.no-rows", "表中没有可识别的数据行", Location(source))
    table_rows, notes = _rows(data, name_cols, numeric, source)
    factors = _detect_derived(factors, table_rows)
    places = max(
        (_places(r.cells[f.amount_column]) for r in table_rows for f in factors if f.amount_column in r.cells),
        default=0,
    )
    unit = "万元" if "万元" in "".join(head + sub) else "元"
    return PublishedTable(
        title=title,
        unit=unit,
        factors=tuple(factors),
        total_column=total_column,
        total_label=total_label,
        rows=tuple(table_rows),
        places=places,
        source=source,
        notes=tuple(notes),
    )


def _is_number(cell: str) -> bool:
    try:
        parse_decimal(cell)
    except ValueError:
        return False
    return True


def _is_subheader(row: Sequence[str], sub: Sequence[str]) -> bool:
    same = sum(1 for a, b in zip(row, sub, strict=False) if a and b and _squash(a) == _squash(b))
    return same >= 2


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _factors(head: Sequence[str], sub: Sequence[str], source: str, line: int) -> tuple[list[TableFactor], int, str]:
    starts = [i for i, c in enumerate(head) if c]
    factors: list[TableFactor] = []
    total_column: int | None = None
    total_label = "合计"
    width = max(len(head), len(sub))
    for k, start in enumerate(starts):
        match = FACTOR_HEADER.match(head[start])
        end = starts[k + 1] if k + 1 < len(starts) else width
        if not match:
            if factors and total_column is None:
                total_column, total_label = start, _squash(head[start])
            continue
        span = [c for c in range(start, end) if c < len(sub) and sub[c]] or [start]
        amount = next((c for c in reversed(span) if any(h in _squash(sub[c]) for h in AMOUNT_HINTS)), span[-1])
        counts = [c for c in span if c != amount]
        factors.append(
            TableFactor(
                name=_squash(match.group("name")),
                weight=parse_weight(match.group("weight").replace(" ", "")),
                count_columns=tuple(counts),
                count_labels=tuple(_squash(sub[c]) for c in counts),
                amount_column=amount,
                amount_label=_squash(sub[amount]) if amount < len(sub) and sub[amount] else "补助资金",
            )
        )
    if total_column is None:
        raise PlanError.single(
            "table.no-total-column", "未找到合计金额列（因素列之后的一列）", Location(source, line + 1)
        )
    return factors, total_column, total_label


def _rows(
    data: list[tuple[int, list[str]]], name_cols: list[int], numeric: list[int], source: str
) -> tuple[list[TableRow], list[str]]:
    """Classify rows, and assemble group names from the fragments printed in the group column."""
    grouped = len(name_cols) >= 2
    gcol, ncol = (name_cols[0], name_cols[-1]) if name_cols else (0, 0)
    notes: list[str] = []
    out: list[TableRow] = []
    fragments: list[list[str]] = []  # per group: name pieces in reading order
    named_on_subtotal: list[bool] = []
    group_of_row: list[int | None] = []
    # Without 小计 rows a group is a merged cell: its name starts the group on the group's first row.
    has_subtotals = any((row[ncol] if ncol < len(row) else "") in SUBTOTAL_NAMES for _, row in data)
    for index, row in data:
        cell = {c: (row[c] if c < len(row) else "") for c in [*name_cols, *numeric]}
        values = {c: parse_decimal(cell[c]) for c in numeric if cell[c]}
        blanks = tuple(c for c in numeric if not cell[c])
        loc = Location(source, index + 1)
        first, name = cell[gcol], cell[ncol]
        if not out and (first in TOTAL_NAMES or name in TOTAL_NAMES or (grouped and first and not name)):
            out.append(TableRow(RowKind.TOTAL, first or name, None, values, blanks, loc))
            group_of_row.append(None)
            continue
        if grouped and name in SUBTOTAL_NAMES:
            fragments.append([first] if first else [])
            named_on_subtotal.append(bool(first))
            out.append(TableRow(RowKind.SUBTOTAL, "", None, values, blanks, loc))
            group_of_row.append(len(fragments) - 1)
            continue
        if grouped and first and not has_subtotals:
            fragments.append([first])
            named_on_subtotal.append(True)
        elif grouped and first:
            if not fragments:
                fragments.append([])
                named_on_subtotal.append(False)
            fragments[-1].append(first)
        out.append(TableRow(RowKind.LINE, name if grouped else (first or name), None, values, blanks, loc))
        group_of_row.append(len(fragments) - 1 if fragments else None)
    names = ["".join(f) for f in fragments]
    for k, pieces in enumerate(fragments):
        if not pieces:
            notes.append(f"第 {k + 1} 组没有名称")
        elif len(pieces) > 1:
            notes.append(f"第 {k + 1} 组的名称由组内各行的文字拼合为“{names[k]}”")
        elif not named_on_subtotal[k]:
            notes.append(f"第 {k + 1} 组的名称“{names[k]}”印在组内数据行上，已归入该组小计")
    rows: list[TableRow] = []
    for entry, g in zip(out, group_of_row, strict=True):
        group = names[g] if g is not None else None
        name = (group or "") if entry.kind is RowKind.SUBTOTAL else entry.name
        rows.append(TableRow(entry.kind, name, group, entry.cells, entry.blanks, entry.location))
    for r in rows:
        for c in r.blanks:
            notes.append(f"{r.location.describe() if r.location else ''}“{r.name}”第 {c + 1} 列为空，按 0 计")
    return rows, notes


def _detect_derived(factors: list[TableFactor], rows: Sequence[TableRow]) -> list[TableFactor]:
    """A count column equal to the sum of the other counts on every row is a printed sum, not an input."""
    result = []
    for f in factors:
        if len(f.count_columns) >= 3:
            last = f.count_columns[-1]
            others = f.count_columns[:-1]
            if all(
                r.cells.get(last, Decimal(0)) == sum((r.cells.get(c, Decimal(0)) for c in others), Decimal(0))
                for r in rows
            ):
                f = TableFactor(
                    f.name,
                    f.weight,
                    others,
                    f.count_labels[:-1],
                    f.amount_column,
                    f.amount_label,
                    derived_column=last,
                    derived_label=f.count_labels[-1],
                )
        result.append(f)
    return result


def read_any_table(path: str | Path) -> PublishedTable | GridTable:
    """A table of any method: a factor table (a header with weights) as before, any other by the generic reader.

    Tab-separated text goes through :func:`read_table_file` unchanged; Excel, CSV and flattened text are first
    turned into a grid (:mod:`fundflow.io.table_grid`).
    """
    from fundflow.io.grid_table import parse_generic
    from fundflow.io.table_grid import read_grid

    grid, form = read_grid(path)
    if any(FACTOR_HEADER.match(_clean(c)) for row in grid for c in row):
        if form == "制表符分隔的文本" or Path(path).suffix.lower() in (".xlsx", ".xlsm"):
            return read_table_file(path)
        return parse_grid(grid, str(path))
    return parse_generic(grid, str(path), form)
