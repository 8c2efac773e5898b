"""Sums on any table: row totals (a 合计 column = its part columns) and column sums (合计 / 小计 rows).

Which columns a total column sums is decided in this order, and the report says which was used:

1. the header: a total under a spanning header sums its siblings under that header; otherwise a total sums the
   money columns from the previous total column (included) up to itself — or, printed first ("合计 | 其中：…"),
   the money columns after it up to the next total; count, standard, month and percentage columns are skipped,
   and a total whose header names a count (人数合计) sums the count columns instead;
2. the arithmetic: of these candidates (and their shorter runs next to the total) the one that holds on the most
   rows is taken, if it holds on at least half of them; otherwise the total is not checked and a note says so;
3. a money column whose header does not say 合计 but which equals the sum of the two or more money columns just
   before it on every row (at least two rows, not all zero; on four or more rows, at least four in five so that
   a wrong cell is still found) is recognised as a total by arithmetic.

Blank cells are empty, not zero: a blank part adds nothing, a blank total with non-blank parts is a finding of
its own (``table.blank-total``), and a sum that is off by twice one positive part is reported as that part
having lost its minus sign (``table.lost-sign``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fundflow.core.money import fmt
from fundflow.core.published import RowKind
from fundflow.core.table_check.kinds import NOT_SUMMED, SETTLEMENT_ROLES, Role, core_text
from fundflow.core.table_check.model import Finding, GridRow, GridTable, Severity

_MONEY_CLASS = (Role.MONEY, Role.OTHER, Role.TOTAL, *SETTLEMENT_ROLES)
_COUNT_WORDS = re.compile(r"人数|户数|人次|数量|个数")


@dataclass(frozen=True, slots=True)
class RowSum:
    """A total column and the columns it sums, with how that was recognised and how many rows agree."""

    total: int
    parts: tuple[int, ...]
    how: str  # 表头 | 算术
    matched: int
    rows: int


def _is_count_class(table: GridTable, index: int, roles: Mapping[int, Role]) -> bool:
    role = roles[index]
    if role is Role.COUNT:
        return True
    return role is Role.TOTAL and bool(_COUNT_WORDS.search(core_text(table.label(index))))


def _score(table: GridTable, total: int, parts: Sequence[int]) -> tuple[int, int]:
    matched = rows = 0
    for r in table.rows:
        if total not in r.cells and not any(p in r.cells for p in parts):
            continue
        rows += 1
        present = total in r.cells and any(p in r.cells for p in parts)
        if present and sum((r.cells.get(p, Decimal(0)) for p in parts), Decimal(0)) == r.cells[total]:
            matched += 1
    return matched, rows


def _neighbours(table: GridTable, t: int, roles: Mapping[int, Role], step: int) -> list[int]:
    """Same-class columns beside total ``t`` (left: step −1, right: +1) up to the next total of its class."""
    order = [c.index for c in table.columns]
    pos = order.index(t)
    counting = _is_count_class(table, t, roles)
    out: list[int] = []
    k = pos + step
    while 0 <= k < len(order):
        c = order[k]
        same = _is_count_class(table, c, roles) == counting and (counting or roles[c] in _MONEY_CLASS)
        if same and roles[c] is Role.TOTAL:
            if step < 0:
                out.append(c)  # 合计 = 小计 + what follows it
            break
        if same:
            out.append(c)
        k += step
    return out if step > 0 else list(reversed(out))


def _candidates(table: GridTable, t: int, roles: Mapping[int, Role]) -> list[tuple[int, ...]]:
    col = table.column(t)
    cands: list[tuple[int, ...]] = []
    counting = _is_count_class(table, t, roles)
    if col.top and col.top != col.label:
        siblings = tuple(
            c.index
            for c in table.columns
            if c.top == col.top
            and c.index != t
            and _is_count_class(table, c.index, roles) == counting
            and roles[c.index] not in NOT_SUMMED
        )
        if siblings:
            cands.append(siblings)
    left = _neighbours(table, t, roles, -1)
    for k in range(len(left)):
        if len(left) - k >= 2 or k == 0:
            cands.append(tuple(left[k:]))
    right = _neighbours(table, t, roles, +1)
    for k in range(len(right), 0, -1):
        if k >= 2 or len(right) == 1:
            cands.append(tuple(right[:k]))
    return [c for c in dict.fromkeys(cands) if c]


def find_row_sums(table: GridTable, roles: Mapping[int, Role]) -> tuple[list[RowSum], list[str]]:
    """Every total column with the parts it sums; notes say how each was recognised or why it was not."""
    found: list[RowSum] = []
    notes: list[str] = []
    for col in table.columns:
        if roles[col.index] is not Role.TOTAL:
            continue
        best: RowSum | None = None
        for parts in _candidates(table, col.index, roles):
            matched, rows = _score(table, col.index, parts)
            if best is None or matched > best.matched:
                best = RowSum(col.index, parts, "表头", matched, rows)
        if best is None or best.rows == 0 or 2 * best.matched < best.rows:
            notes.append(f"“{col.label}”列的组成无法从表头或算术确定，未核对该列的行合计")
            continue
        found.append(best)
        names = "、".join(f"“{table.label(p)}”" for p in best.parts)
        notes.append(f"“{col.label}”列按表头认作 {names} 之和（{best.matched}/{best.rows} 行相符）")
    found.extend(_arithmetic_sums(table, roles, {s.total for s in found}, notes))
    return found, notes


def _arithmetic_sums(table: GridTable, roles: Mapping[int, Role], known: set[int], notes: list[str]) -> list[RowSum]:
    found = []
    order = [c.index for c in table.columns]
    for pos, x in enumerate(order):
        if roles[x] not in (Role.MONEY, Role.OTHER) or x in known:
            continue
        run: list[int] = []
        for c in reversed(order[:pos]):
            if roles[c] not in (Role.MONEY, Role.OTHER):
                break
            run.insert(0, c)
        for k in range(len(run) - 1):
            parts = tuple(run[k:])
            matched, rows = _score(table, x, parts)
            nonzero = any(sum(1 for p in parts if r.cells.get(p)) >= 2 for r in table.rows)
            if rows >= 2 and (matched == rows or (rows >= 4 and 5 * matched >= 4 * rows)) and nonzero:
                found.append(RowSum(x, parts, "算术", matched, rows))
                names = "、".join(f"“{table.label(p)}”" for p in parts)
                notes.append(f"“{table.label(x)}”列表头未写合计，但各行均等于 {names} 之和，按算术认作行合计")
                break
    return found


def check_row_sums(table: GridTable, sums: Sequence[RowSum]) -> list[Finding]:
    findings: list[Finding] = []
    for s in sums:
        label = table.label(s.total)
        for r in table.rows:
            present = [p for p in s.parts if p in r.cells]
            if not present and s.total not in r.cells:
                continue
            computed = sum((r.cells[p] for p in present), Decimal(0))
            blanks = [p for p in s.parts if p not in r.cells]
            found = _compare(
                r, label, r.cells.get(s.total), computed, [r.cells[p] for p in present], blanks, "table.row-total"
            )
            findings.extend(_blame_part(table, f, r, present) for f in found)
    return findings


def _blame_part(table: GridTable, f: Finding, r: GridRow, parts: Sequence[int]) -> Finding:
    """A row total off by twice one positive part: that part lost its minus sign in print."""
    if f.rule != "table.row-total" or f.printed is None or f.expected is None:
        return f
    for p in parts:
        v = r.cells[p]
        if v > 0 and f.expected - 2 * v == f.printed:
            label = table.label(p)
            return Finding(
                "table.lost-sign",
                Severity.ERROR,
                r.where,
                label,
                v,
                -v,
                f"“{label}”印为 {fmt(v)}，按本行“{f.column}”（印为 {fmt(f.printed)}）应为 {fmt(-v)}："
                "负数在印制时丢失了负号",
                r.location,
            )
    return f


def check_column_sums(table: GridTable, roles: Mapping[int, Role]) -> list[Finding]:
    findings: list[Finding] = []
    rows = list(table.rows)
    grouped = {i for members in table.members.values() for i in members}
    total_members = [i for i, r in enumerate(rows) if r.kind is RowKind.SUBTOTAL] + [
        i for i, r in enumerate(rows) if r.kind is RowKind.LINE and i not in grouped
    ]
    checks = [(i, table.members.get(i, ())) for i, r in enumerate(rows) if r.kind is RowKind.SUBTOTAL]
    checks += [(i, tuple(sorted(total_members))) for i, r in enumerate(rows) if r.kind is RowKind.TOTAL]
    for col in table.columns:
        if roles[col.index] in NOT_SUMMED:
            continue
        for at, members in checks:
            row = rows[at]
            values = [rows[m].cells[col.index] for m in members if col.index in rows[m].cells]
            blanks = [m for m in members if col.index not in rows[m].cells]
            if not members:
                continue
            computed = sum(values, Decimal(0))
            found = _compare(row, col.label, row.cells.get(col.index), computed, values, blanks, "table.column-sum")
            if found and row.kind is RowKind.TOTAL and table.members and _equals_lines(rows, col.index, row):
                continue  # 合计 is the sum of the lines: the wrong figure is a 小计, reported on its own row
            findings.extend(_blame_member(f, rows, members, col.index, col.label) for f in found)
    return findings


def _blame_member(f: Finding, rows: Sequence[GridRow], members: Sequence[int], column: int, label: str) -> Finding:
    """A column sum off by twice one positive member: that member lost its minus sign in print."""
    if f.rule != "table.column-sum" or f.printed is None or f.expected is None:
        return f
    for m in members:
        v = rows[m].cells.get(column)
        if v is not None and v > 0 and f.expected - 2 * v == f.printed:
            r = rows[m]
            return Finding(
                "table.lost-sign",
                Severity.ERROR,
                r.where,
                label,
                v,
                -v,
                f"“{label}”印为 {fmt(v)}，按{f.where}（印为 {fmt(f.printed)}）应为 {fmt(-v)}：负数在印制时丢失了负号",
                r.location,
            )
    return f


def _compare(
    row: GridRow,
    label: str,
    printed: Decimal | None,
    computed: Decimal,
    values: Sequence[Decimal],
    blank_parts: Sequence[int],
    rule: str,
) -> list[Finding]:
    blank_note = f"（其中 {len(blank_parts)} 个组成为空，按空计）" if blank_parts else ""
    loc = row.location
    if printed is None:
        if not values:
            return []
        return [
            Finding(
                "table.blank-total",
                Severity.ERROR,
                row.where,
                label,
                None,
                computed,
                f"“{label}”为空，而其组成之和为 {fmt(computed)}{blank_note}",
                loc,
            )
        ]
    if printed == computed:
        return []
    if printed > 0 and -printed == computed:
        return [
            Finding(
                "table.lost-sign",
                Severity.ERROR,
                row.where,
                label,
                printed,
                computed,
                f"“{label}”印为 {fmt(printed)}，其组成之和为 {fmt(computed)}：负数在印制时丢失了负号",
                loc,
            )
        ]
    what = "组成之和" if rule == "table.row-total" else "所含各行之和"
    return [
        Finding(
            rule,
            Severity.ERROR,
            row.where,
            label,
            printed,
            computed,
            f"“{label}”印为 {fmt(printed)}，{what}为 {fmt(computed)}（差 {fmt(printed - computed)}）{blank_note}",
            loc,
        )
    ]


def _equals_lines(rows: Sequence[GridRow], column: int, total: GridRow) -> bool:
    lines = sum((r.cells.get(column, Decimal(0)) for r in rows if r.kind is RowKind.LINE), Decimal(0))
    return total.cells.get(column) == lines
