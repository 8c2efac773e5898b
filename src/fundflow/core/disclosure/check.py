"""The consistency checker: every rule of rules.py over a :class:`Disclosure`, returning findings.

Table and cross-table rules are collected as constraints first (a whole is the sum of its parts; two places
print the same quantity), then resolved together: the cells to blame are chosen by the weight of independent
evidence (see :func:`_resolve`), each wrong cell is reported once, with its printed value and the value the
rest of the document supports. Later rules (narrative, “三公”) read cells through that resolution, so one wrong
cell is not reported again in every table that agrees with the right value. The exception is the narrative: a
paragraph repeating a wrong cell is reported too, because the paragraph is wrong as printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from fundflow.core.disclosure import percent as pct
from fundflow.core.disclosure.figures import Figure, read_figures, read_projects, stated_percents
from fundflow.core.disclosure.model import ZERO, Source
from fundflow.core.disclosure.rules import Finding, Where, finding
from fundflow.core.disclosure.stated import (
    BASIC,
    FISCAL_GRANT,
    FUND_COL,
    GPB_COL,
    PERSONNEL,
    PROJECT,
    PUBLIC,
    SOE_COL,
    THREE_PUBLIC_COLUMNS,
    TOTAL,
    CodeBook,
    Disclosure,
    Side,
    StatedRow,
    StatedTable,
    TableKey,
    normalise,
)
from fundflow.core.money import Rounding, fmt

Cell = tuple[TableKey, int, str]
CODED = (TableKey.INCOME, TableKey.EXPENDITURE, TableKey.GPB, TableKey.GPB_BASIC, TableKey.FUND)
FISCAL_NAMES = (Source.GPB.value, Source.FUND.value, Source.SOE.value)


def _n(value: Decimal) -> str:
    return fmt(value)


@dataclass(frozen=True)
class _Sum:
    """``whole`` must equal the sum of ``parts`` (a row's 合计, a parent code, a 合计 row)."""

    rule: str
    whole: Cell
    parts: tuple[Cell, ...]
    why: str


@dataclass(frozen=True)
class _Same:
    """Two cells that print the same quantity (two tables, or 收入总计 and 支出总计)."""

    rule: str
    name: str
    a: Cell
    b: Cell


Constraint = _Sum | _Same


@dataclass
class _State:
    d: Disclosure
    findings: list[Finding] = field(default_factory=list)
    resolved: dict[Cell, Decimal] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    evidence: dict[Cell, list[Decimal]] = field(default_factory=dict)

    def printed(self, cell: Cell) -> Decimal:
        key, index, column = cell
        return self.d.tables[key].rows[index].value(column)

    def value(self, key: TableKey, index: int, column: str) -> Decimal:
        if (key, index, column) in self.resolved:
            return self.resolved[(key, index, column)]
        return self.d.tables[key].rows[index].value(column)

    def where(self, key: TableKey, index: int, column: str) -> Where:
        row = self.d.tables[key].rows[index]
        return Where(table=key, row=row.label, column=column, line=row.line)

    def require_sum(self, rule: str, key: TableKey, index: int, column: str, parts: list[int], why: str) -> None:
        """The cell (key, index, column) must be the sum of the same column of rows ``parts``."""
        self.constraints.append(_Sum(rule, (key, index, column), tuple((key, j, column) for j in parts), why))

    def require_row(self, key: TableKey, index: int, whole: str, parts: tuple[str, ...]) -> None:
        cells = tuple((key, index, p) for p in parts)
        self.constraints.append(_Sum("disclosure.row-total", (key, index, whole), cells, "＋".join(parts)))


def _holds(s: _State, c: Constraint) -> bool:
    if isinstance(c, _Sum):
        return s.value(*c.whole) == sum((s.value(*p) for p in c.parts), ZERO)
    return s.value(*c.a) == s.value(*c.b)


def _whole_of(c: Constraint) -> Cell | None:
    return c.whole if isinstance(c, _Sum) else None


def _cells(c: Constraint) -> tuple[Cell, ...]:
    return (c.whole, *c.parts) if isinstance(c, _Sum) else (c.a, c.b)


def _implied(s: _State, c: Constraint, cell: Cell) -> Decimal:
    """The value ``cell`` must have for constraint ``c`` to hold, the other cells taken as they are."""
    if isinstance(c, _Same):
        return s.value(*(c.b if cell == c.a else c.a))
    if cell == c.whole:
        return sum((s.value(*p) for p in c.parts), ZERO)
    return s.value(*c.whole) - sum((s.value(*p) for p in c.parts if p != cell), ZERO)


def _order(s: _State, cell: Cell) -> tuple[int, int, int]:
    key, index, column = cell
    return list(TableKey).index(key), index, s.d.tables[key].columns.index(column)


def _resolve(s: _State) -> None:
    """Decide which printed cells are wrong and what they should be; one finding per wrong cell.

    Every violated constraint makes its cells suspects. For each suspect, each violated constraint it is in
    implies a value for it; the suspect whose most-implied value is supported by the most independent evidence
    (violated constraints that value would repair, plus narrative figures naming the cell with that value) is
    taken as wrong, corrected, and the constraints are evaluated again. Ties go to the total or parent cell
    (the finer figures are taken as right), then to the cell contradicted less often by constraints that hold.
    A cell is blamed at most once, so it is never reported twice.
    """
    by_cell: dict[Cell, list[int]] = {}
    for i, c in enumerate(s.constraints):
        for cell in _cells(c):
            by_cell.setdefault(cell, []).append(i)
    cell_findings: list[tuple[tuple[int, int, int], Finding]] = []
    while True:
        violated = [i for i, c in enumerate(s.constraints) if not _holds(s, c)]
        suspects = {cell for i in violated for cell in _cells(s.constraints[i])} - set(s.resolved)
        best: tuple[tuple[int, bool, int, int], Cell, Decimal, list[int]] | None = None
        for cell in sorted(suspects, key=lambda c: _order(s, c)):
            current = s.value(*cell)
            votes: dict[Decimal, list[int]] = {}
            holding = 0
            for i in by_cell[cell]:
                c = s.constraints[i]
                if _holds(s, c):
                    holding += 1
                else:
                    votes.setdefault(_implied(s, c, cell), []).append(i)
            narrative = s.evidence.get(cell, [])
            holding += sum(1 for v in narrative if v == current)
            for value, support in votes.items():
                count = len(support) + sum(1 for v in narrative if v == value)
                whole = any(_whole_of(s.constraints[i]) == cell for i in support)
                rank = (count, whole, -holding, -min(support))
                if best is None or rank > best[0]:
                    best = (rank, cell, value, support)
        if best is None:
            break
        _, cell, value, support = best
        cell_findings.append((_order(s, cell), _blame(s, cell, value, support)))
        s.resolved[cell] = value
    s.findings += [f for _, f in sorted(cell_findings, key=lambda x: x[0])]


def _shown(s: _State, cell: Cell) -> str:
    key, index, column = cell
    return "（空白）" if s.d.tables[key].rows[index].values.get(column) is None else f" {_n(s.printed(cell))}"


def _blame(s: _State, cell: Cell, value: Decimal, support: list[int]) -> Finding:
    """The finding for a wrong cell, named by the constraint that shows it best (its own sum first)."""
    constraints = [s.constraints[i] for i in support]

    def printed_only(c: Constraint) -> bool:
        return not any(other in s.resolved for other in _cells(c) if other != cell)

    own = [c for c in constraints if isinstance(c, _Sum) and c.whole == cell]
    sums = [c for c in constraints if isinstance(c, _Sum)]
    ranked = [c for c in own if printed_only(c)] + own + [c for c in sums if printed_only(c)] + sums + constraints
    reason = ranked[0]
    key, index, column = cell
    printed = s.d.tables[key].rows[index].values.get(column)
    stated = None if printed is None else printed
    shown = _shown(s, cell)
    if isinstance(reason, _Sum) and reason.whole == cell:
        why = reason.why
    elif isinstance(reason, _Sum):
        wk, wi, wc = reason.whole
        why = f"“{s.d.tables[wk].rows[wi].label}”“{wc}”{_n(s.value(*reason.whole))}减其余各项"
    else:
        other = reason.b if cell == reason.a else reason.a
        ok, oi, oc = other
        label = s.d.tables[ok].rows[oi].label
        if reason.rule == "disclosure.balance":
            message = f"{reason.name}所列{shown}，与“{label}”{_n(s.value(*other))}不相等，应为 {_n(value)}"
        else:
            message = f"{reason.name}所列{shown}，而{ok.number}“{label}”“{oc}”为 {_n(s.value(*other))}"
        extra = len(support) + sum(1 for v in s.evidence.get(cell, []) if v == value) - 1
        if extra:
            message += f"（另有 {extra} 处数据支持 {_n(value)}）"
        return finding(reason.rule, s.where(*cell), message, stated, value)
    extra = len(support) + sum(1 for v in s.evidence.get(cell, []) if v == value) - 1
    support_text = f"；另有 {extra} 处数据支持此值" if extra else ""
    message = f"所列{shown}，应为 {_n(value)}（{why}{support_text}）"
    return finding(reason.rule, s.where(*cell), message, stated, value)


# ---------------------------------------------------------------- table rules


def _row_parts(table: StatedTable) -> list[tuple[str, tuple[str, ...]]]:
    """Which column of a row is the sum of which others, per table."""
    cols = table.columns
    key = table.key
    if key in (TableKey.INCOME, TableKey.GPB_PROJECT):
        return [(TOTAL, tuple(c for c in cols if c != TOTAL))]
    if key in (TableKey.EXPENDITURE, TableKey.GPB, TableKey.FUND):
        return [(TOTAL, (BASIC, PROJECT))]
    if key is TableKey.GPB_BASIC:
        return [(TOTAL, (PERSONNEL, PUBLIC))]
    if key is TableKey.FISCAL:
        return [(TOTAL, (GPB_COL, FUND_COL, SOE_COL))]
    if key is TableKey.THREE_PUBLIC:
        c = THREE_PUBLIC_COLUMNS
        return [(c[2], (c[3], c[4])), (c[0], (c[1], c[2], c[5]))]
    return []


def _check_rows(s: _State, table: StatedTable) -> None:
    for whole, parts in _row_parts(table):
        if whole not in table.columns or any(p not in table.columns for p in parts):
            continue
        for i, row in enumerate(table.rows):
            if row.side is Side.INCOME or all(v is None for v in row.values.values()):
                continue
            s.require_row(table.key, i, whole, parts)


def _hierarchy(s: _State, table: StatedTable, indexes: list[int], total: int | None, label: str) -> None:
    """Parents equal the sum of their children, deepest first; the total row equals the sum of top rows."""
    rows = table.rows
    codes = {rows[i].code: i for i in indexes}
    for column in table.columns:
        for i in sorted(indexes, key=lambda i: -len(rows[i].code)):
            code = rows[i].code
            children = [j for j in indexes if len(rows[j].code) > len(code) and rows[j].code.startswith(code)]
            direct = [j for j in children if _parent(rows[j].code, codes) == code]
            if direct:
                s.require_sum("disclosure.table-total", table.key, i, column, direct, "下级科目之和")
        if total is not None:
            top = [i for i in indexes if _parent(rows[i].code, codes) is None]
            s.require_sum("disclosure.table-total", table.key, total, column, top, label)


def _parent(code: str, present: dict[str, int]) -> str | None:
    for n in (5, 3):
        if len(code) > n and code[:n] in present:
            return code[:n]
    return None


def _check_table_sums(s: _State) -> None:
    for key, table in s.d.tables.items():
        _check_rows(s, table)
        rows = table.rows
        if key in CODED:
            coded = [i for i, r in enumerate(rows) if r.code and not r.total]
            total = next((i for i, r in enumerate(rows) if r.total), None)
            _hierarchy(s, table, coded, total, "各类科目之和")
        elif key is TableKey.GPB_PROJECT:
            _check_projects_table(s, table)
        elif key in (TableKey.OVERVIEW, TableKey.FISCAL):
            _check_two_sided(s, table)


def _check_projects_table(s: _State, table: StatedTable) -> None:
    rows = table.rows
    projects = sorted({r.project for r in rows if not r.total}, key=lambda p: [r.project for r in rows].index(p))
    tops: list[int] = []
    for p in projects:
        own = [i for i, r in enumerate(rows) if r.project == p and not r.total and r.code]
        _hierarchy(s, table, own, None, "")
        codes = {rows[i].code: i for i in own}
        tops += [i for i in own if _parent(rows[i].code, codes) is None]
    total = next((i for i, r in enumerate(rows) if r.total), None)
    if total is not None:
        for column in table.columns:
            s.require_sum("disclosure.table-total", table.key, total, column, tops, "各项目之和")


def _index(table: StatedTable, pred: Callable[[StatedRow], bool]) -> int | None:
    return next((i for i, r in enumerate(table.rows) if pred(r)), None)


def _check_two_sided(s: _State, table: StatedTable) -> None:
    key = table.key
    rows = table.rows
    expense = [i for i, r in enumerate(rows) if r.side is Side.EXPENSE and not r.total and r.code]
    expense_total = _index(table, lambda r: r.side is Side.EXPENSE and r.total)
    _hierarchy(s, table, expense, expense_total, "各类支出之和")
    income = {normalise(r.name): i for i, r in enumerate(rows) if r.side is Side.INCOME and not r.total}
    grant = income.get(FISCAL_GRANT)
    if grant is not None:
        parts = [income[n] for n in FISCAL_NAMES if n in income]
        why = "一般公共预算＋政府性基金预算＋国有资本经营预算"
        s.require_sum("disclosure.table-total", key, grant, TOTAL, parts, why)
    income_total = _index(table, lambda r: r.side is Side.INCOME and r.total)
    if income_total is not None:
        tops = [i for n, i in income.items() if n not in FISCAL_NAMES or grant is None]
        s.require_sum("disclosure.table-total", key, income_total, TOTAL, tops, "各项收入之和")
        if expense_total is not None:
            a, b = (key, expense_total, TOTAL), (key, income_total, TOTAL)
            s.constraints.append(_Same("disclosure.balance", "收支总计", a, b))


# ---------------------------------------------------------------- cross-table rules

Ref = tuple[TableKey, Callable[[StatedRow], bool], str]


def _total(side: Side = Side.NONE) -> Callable[[StatedRow], bool]:
    return lambda r: r.total and r.side is side


def _code(code: str) -> Callable[[StatedRow], bool]:
    return lambda r: r.code == code and not r.project and not r.total


def _income(name: str) -> Callable[[StatedRow], bool]:
    return lambda r: r.side is Side.INCOME and not r.total and normalise(r.name) == name


def _quantities(d: Disclosure) -> list[tuple[str, list[Ref]]]:
    """Quantities printed in more than one table, each with its places; the first present place is the reference."""
    T = TableKey
    out: list[tuple[str, list[Ref]]] = [
        (
            "单位支出合计",
            [(T.OVERVIEW, _total(Side.EXPENSE), TOTAL), (T.INCOME, _total(), TOTAL), (T.EXPENDITURE, _total(), TOTAL)],
        ),
        (
            "财政拨款合计",
            [
                (T.OVERVIEW, _income(FISCAL_GRANT), TOTAL),
                (T.FISCAL, _income(FISCAL_GRANT), TOTAL),
                (T.FISCAL, _total(Side.EXPENSE), TOTAL),
            ],
        ),
        ("一般公共预算基本支出", [(T.GPB, _total(), BASIC), (T.GPB_BASIC, _total(), TOTAL)]),
        ("一般公共预算项目支出", [(T.GPB, _total(), PROJECT), (T.GPB_PROJECT, _total(), TOTAL)]),
    ]
    for source in Source:
        name = source.value
        refs: list[Ref] = [(T.OVERVIEW, _income(name), TOTAL), (T.INCOME, _total(), name)]
        if source.fiscal:
            refs += [(T.FISCAL, _income(name), TOTAL), (T.FISCAL, _total(Side.EXPENSE), name)]
        if source is Source.GPB:
            refs.append((T.GPB, _total(), TOTAL))
        if source is Source.FUND:
            refs.append((T.FUND, _total(), TOTAL))
        out.append((name, refs))
    codes: set[str] = set()
    for key in (T.OVERVIEW, T.INCOME, T.EXPENDITURE, T.FISCAL, T.GPB):
        if key in d.tables:
            codes |= {r.code for r in d.tables[key].rows if r.code and not r.total}
    for code in sorted(codes):
        refs = [(T.INCOME, _code(code), TOTAL), (T.EXPENDITURE, _code(code), TOTAL)]
        if len(code) == 3:
            refs.insert(0, (T.OVERVIEW, _code(code), TOTAL))
        out.append((f"{code} 支出", refs))
        gpb: list[Ref] = [(T.GPB, _code(code), TOTAL), (T.INCOME, _code(code), GPB_COL)]
        if len(code) == 3:
            gpb.insert(0, (T.FISCAL, _code(code), GPB_COL))
        out.append((f"{code} 一般公共预算支出", gpb))
    return out


def _lookup(s: _State, ref: Ref) -> tuple[int, Decimal] | None:
    key, pred, column = ref
    table = s.d.tables.get(key)
    if table is None or column not in table.columns:
        return None
    index = _index(table, pred)
    return None if index is None else (index, s.value(key, index, column))


def _cross_constraints(s: _State) -> None:
    """Every pair of places printing the same quantity must agree (all pairs: each place is one witness)."""
    for name, refs in _quantities(s.d):
        found: list[Cell] = []
        for ref in refs:
            hit = _lookup(s, ref)
            if hit is not None:
                found.append((ref[0], hit[0], ref[2]))
        for i, a in enumerate(found):
            for b in found[i + 1 :]:
                if a != b:
                    s.constraints.append(_Same("disclosure.cross-table", name, a, b))


def _check_three_public(s: _State) -> None:
    basic, three = s.d.tables.get(TableKey.GPB_BASIC), s.d.tables.get(TableKey.THREE_PUBLIC)
    if basic is None or three is None or not three.rows:
        return
    c = THREE_PUBLIC_COLUMNS
    for code, column in (("30212", c[1]), ("30231", c[4]), ("30217", c[5])):
        index = _index(basic, _code(code))
        if index is None:
            continue
        amount, limit = s.value(TableKey.GPB_BASIC, index, TOTAL), s.value(TableKey.THREE_PUBLIC, 0, column)
        if amount > limit:
            msg = f"基本支出“{basic.rows[index].name}”{_n(amount)} 大于“三公”经费表“{column}”{_n(limit)}"
            s.findings.append(
                finding(
                    "disclosure.three-public-economic", s.where(TableKey.GPB_BASIC, index, TOTAL), msg, amount, limit
                )
            )


# ---------------------------------------------------------------- catalogue rules

_KIND = {TableKey.GPB_BASIC: "dept_economic"}


def _check_catalogue(s: _State, book: CodeBook) -> None:
    for key, table in s.d.tables.items():
        kind = _KIND.get(key, "function")
        for _i, row in enumerate(table.rows):
            if not row.code or row.total:
                continue
            name = book.name(kind, row.code)
            where = Where(table=key, row=row.label, column="科目名称", line=row.line)
            if name is None:
                msg = f"{book.year}年分类科目表中没有编码 {row.code}（“{row.name}”）"
                s.findings.append(finding("disclosure.code-unknown", where, msg, row.code, None))
            elif row.name and normalise(row.name) != normalise(name):
                msg = f"编码 {row.code} 所列名称“{row.name}”，分类科目表为“{name}”"
                s.findings.append(finding("disclosure.code-name", where, msg, row.name, name))


# ---------------------------------------------------------------- narrative rules

SCOPES = {"一": "all", "二": "all", "三": "all", "四": "fiscal", "九": "fund"}
_MARK = re.compile(r"类[：:]\s*(\d{3})(?:.*?款[：:]\s*(\d{2}))?(?:.*?项[：:]\s*(\d{2}))?")
_CLASS = re.compile(r"[（(]\s*(\d{3})\s*类\s*[）)]")


@dataclass(frozen=True)
class _Target:
    """What a narrative subject means: a figure in a table, with where it is."""

    label: str
    value: Decimal
    where: Where
    cell: Cell


def _cell(s: _State, ref: Ref, label: str) -> _Target | None:
    hit = _lookup(s, ref)
    if hit is None:
        return None
    index, value = hit
    return _Target(label, value, s.where(ref[0], index, ref[2]), (ref[0], index, ref[2]))


def _first(s: _State, label: str, refs: list[Ref]) -> _Target | None:
    for ref in refs:
        if (target := _cell(s, ref, label)) is not None:
            return target
    return None


def _target(s: _State, subject: str, scope: str) -> _Target | None:
    """Map a narrative subject to the table figure it states (None: a figure no table holds)."""
    T = TableKey
    if (m := _MARK.search(subject)) is not None:
        code = "".join(g for g in m.groups() if g)
        key = T.GPB if scope in ("gpb", "fiscal") else T.EXPENDITURE
        return _first(s, code, [(key, _code(code), TOTAL)])
    if (m := _CLASS.search(subject)) is not None:
        return _class_target(s, m.group(1), scope)
    basic = s.d.tables.get(T.GPB_BASIC)
    if basic is not None and scope == "gpb":
        for i, row in enumerate(basic.rows):
            if row.code and len(row.code) == 5 and normalise(row.name) == subject:
                cell = (T.GPB_BASIC, i, TOTAL)
                return _Target(row.name, s.value(*cell), s.where(*cell), cell)
    if "三公" in subject or any(k in subject for k in ("因公出国", "公务用车", "公务接待")):
        return _three_public_target(s, subject)
    for key in (T.OVERVIEW, T.FISCAL):
        table = s.d.tables.get(key)
        for row in table.rows if table else ():
            if row.side is Side.EXPENSE and row.code and normalise(row.name) == subject:
                return _class_target(s, row.code, scope)
    return _total_target(s, subject, scope)


def _class_target(s: _State, code: str, scope: str) -> _Target | None:
    T = TableKey
    refs: dict[str, list[Ref]] = {
        "all": [(T.OVERVIEW, _code(code), TOTAL), (T.EXPENDITURE, _code(code), TOTAL)],
        "fiscal": [(T.FISCAL, _code(code), TOTAL)],
        "gpb": [(T.FISCAL, _code(code), GPB_COL), (T.GPB, _code(code), TOTAL)],
        "fund": [(T.FUND, _code(code), TOTAL)],
    }
    return _first(s, code, refs[scope])


def _three_public_target(s: _State, subject: str) -> _Target | None:
    c = THREE_PUBLIC_COLUMNS
    if "三公" in subject:
        column = c[0]
    elif "因公出国" in subject:
        column = c[1]
    elif "购置及运行" in subject:
        column = c[2]
    elif "购置" in subject:
        column = c[3]
    elif "运行" in subject:
        column = c[4]
    elif "接待" in subject:
        column = c[5]
    else:
        return None
    return _cell(s, (TableKey.THREE_PUBLIC, lambda r: True, column), column)


def _total_target(s: _State, subject: str, scope: str) -> _Target | None:
    T = TableKey
    income_names = [src.value for src in Source] + [FISCAL_GRANT]
    base = subject.removesuffix("拨款") if subject.endswith("拨款") and not subject.endswith("财政拨款") else subject
    if base in income_names:
        key = T.FISCAL if scope in ("fiscal", "gpb") and base in (*FISCAL_NAMES, FISCAL_GRANT) else T.OVERVIEW
        return _first(s, base, [(key, _income(base), TOTAL), (T.OVERVIEW, _income(base), TOTAL)])
    if subject.endswith("涉及预算金额"):
        return _first(s, PROJECT, [(T.GPB_PROJECT, _total(), TOTAL), (T.GPB, _total(), PROJECT)])
    if "机关运行经费" in subject or "政府采购" in subject:
        return None
    if subject.endswith("政府性基金预算支出"):
        return _first(s, "政府性基金预算支出", [(T.FUND, _total(), TOTAL)])
    for suffix, column in ((BASIC, BASIC), (PROJECT, PROJECT)):
        if subject.endswith(suffix):
            refs: dict[str, list[Ref]] = {
                "all": [(T.EXPENDITURE, _total(), column)],
                "gpb": [(T.GPB, _total(), column)]
                + ([(T.GPB_BASIC, _total(), TOTAL)] if column == BASIC else [(T.GPB_PROJECT, _total(), TOTAL)]),
                "fiscal": [],
                "fund": [(T.FUND, _total(), column)],
            }
            return _first(s, suffix, refs[scope])
    for suffix in (PERSONNEL, PUBLIC):
        if subject.endswith(suffix):
            return _first(s, suffix, [(T.GPB_BASIC, _total(), suffix)])
    return _grand_total(s, subject, scope)


def _grand_total(s: _State, subject: str, scope: str) -> _Target | None:
    T = TableKey
    if subject.endswith("财政拨款收支总预算"):
        return _first(s, "财政拨款合计", [(T.FISCAL, _total(Side.EXPENSE), TOTAL)])
    if subject.endswith("一般公共预算拨款合计"):
        return _first(s, "一般公共预算合计", [(T.GPB, _total(), TOTAL)])
    if subject.endswith(("收支总预算", "预算收入", "支出预算")):
        return _first(s, "收支总计", [(T.OVERVIEW, _total(Side.EXPENSE), TOTAL), (T.EXPENDITURE, _total(), TOTAL)])
    return None


def _share_base(s: _State, scope: str) -> Decimal | None:
    T = TableKey
    refs: dict[str, list[Ref]] = {
        "all": [(T.OVERVIEW, _total(Side.EXPENSE), TOTAL), (T.EXPENDITURE, _total(), TOTAL)],
        "fiscal": [(T.FISCAL, _total(Side.EXPENSE), TOTAL)],
        "gpb": [(T.GPB, _total(), TOTAL)],
        "fund": [(T.FUND, _total(), TOTAL)],
    }
    target = _first(s, "", refs[scope])
    return None if target is None else target.value


def _para_where(f: Figure) -> Where:
    return Where(section=f.section, row=f.subject, line=f.line, paragraph=f.paragraph)


def _narrative_evidence(s: _State) -> None:
    """Each narrative figure is a witness for the printed cell it names (used to decide which cell is wrong)."""
    for f in read_figures(s.d.paragraphs):
        target = _target(s, f.subject, SCOPES.get(f.section, "gpb"))
        if target is not None:
            s.evidence.setdefault(target.cell, []).append(f.amount)


def _check_narrative(s: _State) -> None:
    for f in read_figures(s.d.paragraphs):
        scope = SCOPES.get(f.section, "gpb")
        where = _para_where(f)
        target = _target(s, f.subject, scope)
        if target is not None and target.value != f.amount:
            msg = f"说明为 {_n(f.amount)} 万元，{target.where.describe()}为 {_n(target.value)} 万元"
            s.findings.append(finding("disclosure.narrative-amount", where, msg, f.amount, target.value))
        if f.share is not None:
            base = _share_base(s, scope)
            if base is not None and not pct.agrees(f.share, f.amount, base):
                want = pct.percent(f.amount, base, Rounding(pct.places_of(f.share)))
                msg = f"占比说明为 {pct.show(f.share)}，{_n(f.amount)}÷{_n(base)} 四舍五入应为 {pct.show(want or ZERO)}"
                s.findings.append(finding("disclosure.narrative-share", where, msg, f.share, want))
        if f.previous is not None:
            _check_stated_previous(s, f, where)
        elif f.change is not None and f.growth is not None:
            previous = f.amount - f.change
            if not previous.is_zero() and not pct.agrees(f.growth, f.change, previous):
                want = pct.percent(f.change, previous, Rounding(pct.places_of(f.growth)))
                msg = (
                    f"增长率说明为 {pct.show(f.growth)}，按本年 {_n(f.amount)}、增减 {_n(f.change)} "
                    f"推得上年 {_n(previous)}，"
                    f"{_n(f.change)}÷{_n(previous)} 四舍五入应为 {pct.show(want or ZERO)}"
                )
                s.findings.append(finding("disclosure.yoy-growth", where, msg, f.growth, want))


def _check_stated_previous(s: _State, f: Figure, where: Where) -> None:
    """A sentence that states last year's figure: the change is this year − last year, the rate change ÷ last year."""
    assert f.previous is not None
    actual = f.amount - f.previous
    if f.change is not None and f.change != actual:
        msg = f"增减额说明为 {_n(f.change)} 万元，本年 {_n(f.amount)} − 上年 {_n(f.previous)} = {_n(actual)} 万元"
        s.findings.append(finding("disclosure.yoy-change", where, msg, f.change, actual))
    if f.growth is not None and not f.previous.is_zero() and not pct.agrees(f.growth, actual, f.previous):
        want = pct.percent(actual, f.previous, Rounding(pct.places_of(f.growth)))
        msg = (
            f"增长率说明为 {pct.show(f.growth)}，按本年 {_n(f.amount)}、所述上年 {_n(f.previous)}，"
            f"{_n(actual)}÷{_n(f.previous)} 四舍五入应为 {pct.show(want or ZERO)}"
        )
        s.findings.append(finding("disclosure.yoy-growth", where, msg, f.growth, want))


def _check_precision(s: _State) -> None:
    percents = stated_percents(s.d.paragraphs)
    places: dict[int, list[int]] = {}
    for index, value in percents:
        places.setdefault(pct.places_of(value), []).append(index)
    if len(places) < 2:
        return
    common = max(places, key=lambda p: len(places[p]))
    for p, indexes in sorted(places.items()):
        if p == common:
            continue
        para = s.d.paragraphs[indexes[0]]
        where = Where(section=para.section, paragraph=indexes[0], line=para.line)
        msg = f"{len(indexes)} 处百分比保留 {p} 位小数，其余 {len(places[common])} 处保留 {common} 位，应统一"
        s.findings.append(finding("disclosure.percent-precision", where, msg, str(p), str(common)))


def _check_projects(s: _State) -> None:
    table = s.d.tables.get(TableKey.GPB_PROJECT)
    amounts: dict[str, Decimal] = {}
    for r in table.rows if table else ():
        if r.project and not r.total and len(r.code) == 7:
            amounts[normalise(r.project)] = amounts.get(normalise(r.project), ZERO) + r.value(TOTAL)
    for p in read_projects(s.d.paragraphs):
        where = Where(section="七", row=p.name, line=p.line, paragraph=p.paragraph)
        if p.amount is not None and p.standard is not None and p.quantity is not None:
            product = Rounding(2).apply(p.standard * p.quantity / 10000)
            if product != p.amount:
                msg = f"资金 {_n(p.amount)} 万元，而标准 {_n(p.standard)} 元×数量 {_n(p.quantity)} = {_n(product)} 万元"
                s.findings.append(finding("disclosure.project-standard", where, msg, p.amount, product))
        if table is None:
            continue
        if p.name not in amounts:
            msg = f"项目“{p.name}”不在{TableKey.GPB_PROJECT.number}中（表中项目：{'、'.join(amounts) or '无'}）"
            s.findings.append(finding("disclosure.project-unknown", where, msg, p.name, None))
        elif p.amount is not None and amounts[p.name] != p.amount:
            msg = f"说明为 {_n(p.amount)} 万元，{TableKey.GPB_PROJECT.number}为 {_n(amounts[p.name])} 万元"
            s.findings.append(finding("disclosure.project-amount", where, msg, p.amount, amounts[p.name]))


def check(d: Disclosure, book: CodeBook | None = None) -> list[Finding]:
    """Every finding for the disclosure ``d``, tables first, then cross-table, catalogue, narrative, projects."""
    s = _State(d)
    for key in TableKey:
        if key not in d.tables:
            s.findings.append(finding("disclosure.table-missing", Where(table=key), f"未找到{key.number}{key.heading}"))
    _check_table_sums(s)
    _cross_constraints(s)
    _narrative_evidence(s)
    _resolve(s)
    _check_three_public(s)
    if book is not None:
        _check_catalogue(s, book)
    _check_narrative(s)
    _check_precision(s)
    _check_projects(s)
    return s.findings
