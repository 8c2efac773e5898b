"""Settlement tables: 应补助 − 已预拨 = 此次结算, and its variants, checked on every row.

The columns are recognised by their headers (:mod:`.kinds`): the result (此次结算, 本次下达, 应补(退)), the
entitlement (应补助, 应拨, 核定下达), the advance (已预拨, 已拨, 提前下达) and adjustments (应抵扣, 扣回,
待以后年度收回). Which identity the table follows — result = entitlement − advance, possibly ± each adjustment —
is taken from the arithmetic: every combination of signs is tried and the one that holds on the most rows (at
least half) is used, the simplest on a tie. Rows breaking it are findings; a positive printed result whose
expected value is its negative is a lost minus sign. A negative result is a clawback (扣回); the report names
the advance document (from the row's 备注, the column header or the text around the table) it is taken from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product

from fundflow.core.money import fmt
from fundflow.core.published import RowKind
from fundflow.core.table_check.kinds import Role, document_in
from fundflow.core.table_check.model import Finding, GridRow, GridTable, Severity


@dataclass(frozen=True, slots=True)
class SettlementRel:
    result: int
    terms: tuple[tuple[int, int], ...]  # (column, sign): result = Σ sign × column
    matched: int
    rows: int

    def expected(self, row: GridRow) -> Decimal | None:
        if not any(c in row.cells for c, _ in self.terms):
            return None
        return sum((s * row.cells.get(c, Decimal(0)) for c, s in self.terms), Decimal(0))

    def formula(self, table: GridTable) -> str:
        out = ""
        for c, s in self.terms:
            sign = "−" if s < 0 else ("＋" if out else "")
            out += f" {sign} “{table.label(c)}”" if out else f"{'−' if s < 0 else ''}“{table.label(c)}”"
        return f"“{table.label(self.result)}” = {out.strip()}"


def find_settlement(table: GridTable, roles: Mapping[int, Role]) -> SettlementRel | None:
    cols = [c.index for c in table.columns]
    of = {role: [c for c in cols if roles[c] is role] for role in Role}
    if not of[Role.DUE] or not of[Role.ADVANCED]:
        return None
    if of[Role.RESULT]:
        target = of[Role.RESULT][0]
    elif of[Role.DEDUCT] or of[Role.DEFERRED]:
        target = (of[Role.DEDUCT] or of[Role.DEFERRED])[0]
    else:
        return None
    others = [c for c in (*of[Role.DUE], *of[Role.ADVANCED], *of[Role.DEDUCT], *of[Role.DEFERRED]) if c != target]
    others = others[:6]
    best: SettlementRel | None = None
    for signs in product((1, -1, 0), repeat=len(others)):
        terms = tuple((c, s) for c, s in zip(others, signs, strict=True) if s)
        if len(terms) < 2:
            continue
        rel = _score(table, SettlementRel(target, terms, 0, 0))
        if best is None or rel.matched > best.matched:
            best = rel
    if best is None or best.rows == 0 or 2 * best.matched < best.rows:
        return None
    return best


def _score(table: GridTable, rel: SettlementRel) -> SettlementRel:
    matched = rows = 0
    for r in table.rows:
        e = rel.expected(r)
        if e is None and rel.result not in r.cells:
            continue
        rows += 1
        matched += e is not None and r.cells.get(rel.result) == e
    return SettlementRel(rel.result, rel.terms, matched, rows)


def advance_document(table: GridTable, rel: SettlementRel) -> str | None:
    """The advance document the table names: in an advance column's header, the title or the text around it."""
    heads = [table.label(c) for c, s in rel.terms if s < 0]
    for text in (*heads, *table.texts, table.title):
        doc = document_in(text)
        if doc:
            return doc
    return None


def check_settlement(table: GridTable, rel: SettlementRel, roles: Mapping[int, Role]) -> list[Finding]:
    findings: list[Finding] = []
    label = table.label(rel.result)
    doc = advance_document(table, rel)
    has_notes = any(r.note for r in table.rows)
    for r in table.rows:
        expected = rel.expected(r)
        printed = r.cells.get(rel.result)
        if expected is None:
            continue
        if printed is None:
            findings.append(
                Finding(
                    "table.blank-total",
                    Severity.ERROR,
                    r.where,
                    label,
                    None,
                    expected,
                    f"“{label}”为空，按 {rel.formula(table)} 应为 {fmt(expected)}",
                    r.location,
                )
            )
        elif printed != expected:
            lost = printed > 0 and expected == -printed
            findings.append(
                Finding(
                    "table.lost-sign" if lost else "table.settlement",
                    Severity.ERROR,
                    r.where,
                    label,
                    printed,
                    expected,
                    (
                        f"“{label}”印为 {fmt(printed)}，按 {rel.formula(table)} 应为 {fmt(expected)}"
                        + ("：负数（扣回）在印制时丢失了负号" if lost else f"（差 {fmt(printed - expected)}）")
                    ),
                    r.location,
                )
            )
        if r.kind is RowKind.LINE and expected < 0 and roles[rel.result] is Role.RESULT:
            findings.extend(_clawback(r, label, printed, expected, doc, has_notes))
    return findings


def _clawback(
    r: GridRow, label: str, printed: Decimal | None, expected: Decimal, doc: str | None, has_notes: bool
) -> list[Finding]:
    row_doc = document_in(r.note) if r.note else None
    source = row_doc or doc
    said = f"从{source}文件扣回" if source else "扣回"
    out = [
        Finding(
            "table.clawback",
            Severity.INFO,
            r.where,
            label,
            printed,
            expected,
            f"结算为负数：扣回 {fmt(-expected)}（{said}）",
            r.location,
        )
    ]
    if has_notes and not any(w in r.note for w in ("扣回", "收回", "抵扣", "扣减")):
        out.append(
            Finding(
                "table.clawback-note",
                Severity.WARNING,
                r.where,
                "备注",
                None,
                None,
                f"结算为负数（扣回 {fmt(-expected)}），但备注未注明扣回" + (f"（应注明“{said}”）" if source else ""),
                r.location,
            )
        )
    return out


def clawbacks(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule == "table.clawback"]
