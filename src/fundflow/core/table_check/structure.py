"""Subtotal rows a table does not label: a prefecture's row printed above (or below) its counties.

Many tables print "塔城地区 | 120 | …" followed by its counties with no 小计 in the name. Read as plain lines
they would be counted twice and every 合计 would look wrong. When the 合计 row is not the sum of the lines but
some rows equal, on every figure column, the sum of the rows right after them (or right before them), those rows
are taken as 小计 of the rows they sum — but only if the 合计 then equals the sum of the top-level rows, and
the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from fundflow.core.published import RowKind
from fundflow.core.table_check.model import GridRow, GridTable


def infer_subtotals(table: GridTable) -> tuple[GridTable, str | None]:
    total = table.total_row
    if total is None or table.subtotals or any(r.group for r in table.lines):
        return table, None
    columns = [c.index for c in table.columns if c.index in total.cells]
    lines = [i for i, r in enumerate(table.rows) if r.kind is RowKind.LINE]
    if not columns or len(lines) < 3 or _sums(table.rows, lines, columns) == [total.cells[c] for c in columns]:
        return table, None
    for forward, least in ((True, 2), (False, 2), (True, 1), (False, 1)):
        groups = _groups(table.rows, lines, columns, forward, least)
        if not groups:
            continue
        heads = [h for h, _ in groups]
        members = {m for _, ms in groups for m in ms}
        top = [i for i in lines if i not in members]
        if _sums(table.rows, top, columns) != [total.cells[c] for c in columns] or not set(heads) <= set(top):
            continue
        rows = list(table.rows)
        for head, ms in groups:
            rows[head] = replace(rows[head], kind=RowKind.SUBTOTAL, group=rows[head].name)
            for m in ms:
                rows[m] = replace(rows[m], group=rows[head].name)
        names = "、".join(f"“{table.rows[h].name}”" for h in heads)
        where = "其后" if forward else "其前"
        note = f"{names} 各等于{where}各行之和，按算术认作小计（表中未写“小计”）"
        return replace(table, rows=tuple(rows), members={h: tuple(ms) for h, ms in groups}), note
    return table, None


def _sums(rows: Sequence[GridRow], indices: Sequence[int], columns: Sequence[int]) -> list[Decimal]:
    return [sum((rows[i].cells.get(c, Decimal(0)) for i in indices), Decimal(0)) for c in columns]


def _groups(
    rows: Sequence[GridRow], lines: Sequence[int], columns: Sequence[int], forward: bool, least: int
) -> list[tuple[int, tuple[int, ...]]]:
    """Rows equal to the sum of at least ``least`` rows after (or before) them, scanning greedily."""
    order = list(lines) if forward else list(reversed(lines))
    found: list[tuple[int, tuple[int, ...]]] = []
    k = 0
    while k < len(order):
        head = order[k]
        target = [rows[head].cells.get(c, Decimal(0)) for c in columns]
        running = [Decimal(0)] * len(columns)
        match = None
        for j in range(k + 1, len(order)):
            running = [a + rows[order[j]].cells.get(c, Decimal(0)) for a, c in zip(running, columns, strict=True)]
            if running == target and j >= k + least:
                match = j
            if any(abs(a) > abs(t) for a, t in zip(running, target, strict=True)) and all(x >= 0 for x in target):
                break
        if match is not None and any(target):
            members = tuple(sorted(order[k + 1 : match + 1]))
            found.append((head, members))
            k = match + 1
        else:
            k += 1
    return found
