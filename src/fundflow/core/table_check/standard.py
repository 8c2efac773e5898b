"""Standard tables: an amount column that is a count × a standard (× months), recomputed cell by cell.

The standard is found, in this order, for each money column (looking only at the columns between it and the
previous money column):

1. a 标准 column ("补助标准（元/人/月）"): each row's own standard × the count column before it;
2. a standard printed in the money column's header or the header spanning it ("补助资金（3000元/人）");
3. a standard in the text around the table (说明, 注, 备注 lines): "C级 0.75万元/户" applies to the count
   column whose header names C级; a standard without such a key applies when there is a single count column.

The standard's unit (元, 万元) and period (/月, /年) come from where it is printed; a per-month standard is
multiplied by a 月数 column, else by the months the text states ("按12个月"), else by 12 or 1, whichever the
rows agree with (and the report says so). The product is converted to the amount column's unit and rounded
half-up to the decimals that column prints. A standard read from the text around the table is used only when
at least half the rows agree with it, so that a note about something else does not raise false findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from fundflow.core.money import fmt
from fundflow.core.published import RowKind
from fundflow.core.table_check.kinds import Role, StandardText, money_unit, months_in, squash, standards_in
from fundflow.core.table_check.model import Finding, GridRow, GridTable, Severity
from fundflow.core.table_check.precision import round_to

_AMOUNT_ROLES = (Role.MONEY, Role.DUE, Role.RESULT, Role.OTHER)
_BOUNDARY = (Role.MONEY, Role.TOTAL, Role.DUE, Role.RESULT, Role.ADVANCED, Role.DEDUCT, Role.DEFERRED)


@dataclass(frozen=True, slots=True)
class Term:
    """count × standard × months, in 元."""

    count: int
    standard_column: int | None = None
    standard_factor: Decimal = Decimal(1)  # 元 per unit the standard column prints (10000 for 万元)
    standard_yuan: Decimal | None = None
    months_column: int | None = None
    months: Decimal = Decimal(1)
    text: str = ""  # the standard as printed, for the report

    def yuan(self, row: GridRow) -> Decimal | None:
        count = row.cells.get(self.count)
        if count is None:
            return None
        if self.standard_column is not None:
            std = row.cells.get(self.standard_column)
            if std is None:
                return None
            standard = std * self.standard_factor
        else:
            assert self.standard_yuan is not None
            standard = self.standard_yuan
        months = self.months
        if self.months_column is not None:
            m = row.cells.get(self.months_column)
            if m is None:
                return None
            months = m
        return count * standard * months


@dataclass(frozen=True, slots=True)
class StandardRel:
    amount: int
    terms: tuple[Term, ...]
    amount_factor: Decimal  # 元 per unit of the amount column
    origin: str  # 标准列 | 表头 | 表外说明
    matched: int = 0
    rows: int = 0
    months_note: str = ""

    def expected(self, row: GridRow, places: int) -> Decimal | None:
        total = Decimal(0)
        for t in self.terms:
            y = t.yuan(row)
            if y is None:
                return None
            total += y
        return round_to(total / self.amount_factor, places)


def _score(table: GridTable, rel: StandardRel) -> StandardRel:
    places = table.places.get(rel.amount, 0)
    matched = rows = 0
    for r in table.lines:
        e = rel.expected(r, places)
        if e is None or rel.amount not in r.cells:
            continue
        rows += 1
        matched += e == r.cells[rel.amount]
    return replace(rel, matched=matched, rows=rows)


def _factor(unit: str) -> Decimal:
    return Decimal(10000) if unit == "万元" else Decimal(1)


def _months(
    table: GridTable, std: StandardText | None, segment: Sequence[int], roles: Mapping[int, Role]
) -> tuple[int | None, list[Decimal], str]:
    """The months column, or the candidate month counts, for a per-month standard."""
    months_col = next((c for c in segment if roles[c] is Role.MONTHS), None)
    if months_col is not None:
        return months_col, [Decimal(1)], ""
    if std is None or std.period != "月":
        return None, [Decimal(1)], ""
    stated = months_in(" ".join([table.title, *table.texts, *(c.label for c in table.columns)]))
    if stated is not None:
        return None, [Decimal(stated)], f"按月标准乘以表中写明的 {stated} 个月"
    return None, [Decimal(12), Decimal(1)], "按月标准未写明月数，按与各行相符者取 12 个月或 1 个月"


def find_standards(table: GridTable, roles: Mapping[int, Role]) -> tuple[list[StandardRel], list[str]]:
    rels: list[StandardRel] = []
    notes: list[str] = []
    order = [c.index for c in table.columns]
    notes_std = [s for text in (table.title, *table.texts) for s in standards_in(text) if s.value is not None]
    start = 0
    for pos, m in enumerate(order):
        if roles[m] not in _BOUNDARY:
            continue
        segment = order[start:pos]
        start = pos + 1
        if roles[m] not in _AMOUNT_ROLES:
            continue
        rel = _from_segment(table, roles, m, segment, notes_std)
        if rel is None:
            continue
        rels.append(rel)
        terms = "＋".join(f"“{table.label(t.count)}” × {t.text}" for t in rel.terms)
        extra = f"；{rel.months_note}" if rel.months_note else ""
        notes.append(
            f"“{table.label(m)}”列按 {terms} 重算（标准取自{rel.origin}{extra}；{rel.matched}/{rel.rows} 行相符）"
        )
    return rels, notes


def _from_segment(
    table: GridTable, roles: Mapping[int, Role], m: int, segment: Sequence[int], notes_std: Sequence[StandardText]
) -> StandardRel | None:
    amount_factor = _factor(money_unit(table.label(m), table.unit))
    counts = [c for c in segment if roles[c] is Role.COUNT]
    std_cols = [c for c in segment if roles[c] is Role.STANDARD]
    if std_cols and counts:
        s = std_cols[-1]
        label = table.label(s)
        printed = next(iter(standards_in(label)), None)
        unit = printed.unit if printed else money_unit(label, "元")
        count = next((c for c in reversed(counts) if c < s), counts[-1])
        months_col, months, note = _months(table, printed, segment, roles)
        per = (
            f"{unit}/{printed.per}" + (f"/{printed.period}" if printed and printed.period else "") if printed else unit
        )
        text = f"“{label}”（{per}）" + (f" × “{table.label(months_col)}”" if months_col is not None else "")
        return _best(
            table,
            [
                StandardRel(
                    m,
                    (Term(count, s, _factor(unit), None, months_col, k, text),),
                    amount_factor,
                    "标准列",
                    months_note=note,
                )
                for k in months
            ],
            explicit=True,
        )
    heads = [table.label(m), table.column(m).top]
    printed_std = next((s for h in heads for s in standards_in(h) if s.value is not None), None)
    if printed_std is not None and counts:
        months_col, months, note = _months(table, printed_std, segment, roles)
        return _best(
            table,
            [
                StandardRel(
                    m, (_term(counts[-1], printed_std, months_col, k),), amount_factor, "表头", months_note=note
                )
                for k in months
            ],
            explicit=True,
        )
    if not counts or not notes_std:
        return None
    keyed = [s for s in notes_std if s.key]
    terms: list[tuple[int, StandardText]] = []
    for c in counts:
        label = squash(table.label(c))
        match = next((s for s in keyed if s.key in label), None)
        if match is not None:
            terms.append((c, match))
    if not terms and len(counts) == 1:
        unkeyed = [s for s in notes_std if not s.key]
        if len(unkeyed) == 1:
            terms = [(counts[0], unkeyed[0])]
    if not terms:
        return None
    months_col, months, note = _months(table, terms[0][1], segment, roles)
    return _best(
        table,
        [
            StandardRel(
                m, tuple(_term(c, s, months_col, k) for c, s in terms), amount_factor, "表外说明", months_note=note
            )
            for k in months
        ],
        explicit=False,
    )


def _term(count: int, s: StandardText, months_col: int | None, months: Decimal) -> Term:
    assert s.yuan is not None
    return Term(count, None, Decimal(1), s.yuan, months_col, months, f"“{s.text}”")


def _best(table: GridTable, rels: Sequence[StandardRel], *, explicit: bool) -> StandardRel | None:
    scored = [_score(table, r) for r in rels]
    best = max(scored, key=lambda r: r.matched)
    if best.rows == 0:
        return None
    if not explicit and 2 * best.matched < best.rows:
        return None
    if len(scored) > 1:
        months = best.terms[0].months
        best = replace(best, months_note=f"{best.months_note}（取 {fmt(months)} 个月）")
    return best


def check_standards(table: GridTable, rels: Sequence[StandardRel]) -> list[Finding]:
    findings = []
    for rel in rels:
        label = table.label(rel.amount)
        places = table.places.get(rel.amount, 0)
        unit = "万元" if rel.amount_factor == 10000 else "元"
        for r in table.rows:
            if r.kind is not RowKind.LINE or rel.amount not in r.cells:
                continue
            expected = rel.expected(r, places)
            printed = r.cells[rel.amount]
            if expected is None or expected == printed:
                continue
            how = " ＋ ".join(_describe_term(table, t, r) for t in rel.terms)
            findings.append(
                Finding(
                    "table.standard-product",
                    Severity.ERROR,
                    r.where,
                    label,
                    printed,
                    expected,
                    f"“{label}”印为 {fmt(printed)}，按 {how} 应为 {fmt(expected)}{unit}"
                    f"（差 {fmt(printed - expected)}）",
                    r.location,
                )
            )
    return findings


def _describe_term(table: GridTable, t: Term, r: GridRow) -> str:
    count = fmt(r.cells[t.count])
    if t.standard_column is not None:
        std = f"{fmt(r.cells[t.standard_column] * t.standard_factor)} 元"
    else:
        assert t.standard_yuan is not None
        std = f"{fmt(t.standard_yuan)} 元"
    months = ""
    if t.months_column is not None:
        months = f" × {fmt(r.cells[t.months_column])} 个月"
    elif t.months != 1:
        months = f" × {fmt(t.months)} 个月"
    return f"{table.label(t.count)} {count} × {std}{months}"
