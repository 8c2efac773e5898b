"""Values of the generic table checker: a table read from any document, its columns' roles, and findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from fundflow.core.errors import Location
from fundflow.core.published import RowKind
from fundflow.core.rules import RULES
from fundflow.core.rules import Severity as Severity  # the registry's severities, re-exported for the checkers


class Kind(StrEnum):
    """What kind of allocation a table shows; decides which checks run besides the sums."""

    FACTOR = "factor"
    STANDARD = "standard"
    SETTLEMENT = "settlement"
    FIXED = "fixed"
    SUMS_ONLY = "sums-only"

    @property
    def label(self) -> str:
        return {
            Kind.FACTOR: "因素法分配表",
            Kind.STANDARD: "按标准测算的分配表（数量 × 标准）",
            Kind.SETTLEMENT: "结算表（应补助 − 已预拨 = 此次结算）",
            Kind.FIXED: "定额下达表",
            Kind.SUMS_ONLY: "只能核对合计与小计的表",
        }[self]


@dataclass(frozen=True, slots=True)
class Column:
    """A numeric column: its 0-based index in the grid and its header (levels joined by "·", spaces removed)."""

    index: int
    label: str
    top: str = ""  # the upper header cell spanning this column, if any
    leaf: str = ""  # the lowest header cell of this column


@dataclass(frozen=True, slots=True)
class GridRow:
    """One data row. ``cells`` holds the figures; a blank cell is absent from ``cells`` and listed in ``blanks``."""

    kind: RowKind
    name: str
    group: str | None
    cells: Mapping[int, Decimal]
    blanks: tuple[int, ...] = ()
    note: str = ""  # text of a 备注 column
    location: Location | None = None

    @property
    def where(self) -> str:
        if self.kind is RowKind.SUBTOTAL:
            return f"{self.group or ''}小计"
        if self.kind is RowKind.TOTAL:
            return self.name or "合计"
        return f"{self.group}·{self.name}" if self.group else self.name


@dataclass(frozen=True, slots=True)
class GridTable:
    """A published table of any method, as the generic reader understood it."""

    title: str
    unit: str  # the table's unit line: 元 or 万元
    name_label: str
    columns: tuple[Column, ...]
    rows: tuple[GridRow, ...]
    places: Mapping[int, int]  # printed decimals per column (the most decimals any cell of it shows)
    texts: tuple[str, ...] = ()  # text around the table: 说明, 注, 备注 lines (standards such as "C级 0.75万元/户")
    source: str | None = None
    reading_notes: tuple[str, ...] = field(default_factory=tuple)
    members: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # row index of a 小计 → its lines

    @property
    def lines(self) -> tuple[GridRow, ...]:
        return tuple(r for r in self.rows if r.kind is RowKind.LINE)

    @property
    def subtotals(self) -> tuple[GridRow, ...]:
        return tuple(r for r in self.rows if r.kind is RowKind.SUBTOTAL)

    @property
    def total_row(self) -> GridRow | None:
        return next((r for r in self.rows if r.kind is RowKind.TOTAL), None)

    def column(self, index: int) -> Column:
        return next(c for c in self.columns if c.index == index)

    def label(self, index: int) -> str:
        return self.column(index).label


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong (or worth saying) about a printed table, with the rule that found it."""

    rule: str
    severity: Severity
    where: str  # the row as a reader names it: 甲县, 塔城地区小计, 合计
    column: str
    printed: Decimal | None  # None: the cell is blank
    expected: Decimal | None
    message: str
    location: Location | None = None

    def __post_init__(self) -> None:
        declared = RULES.get(self.rule)
        if declared is None or declared.severity is not self.severity:
            raise ValueError(f"finding {self.rule!r} ({self.severity}) does not match fundflow.core.rules")

    @property
    def row(self) -> int | None:
        return self.location.row if self.location else None
