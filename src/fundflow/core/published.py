"""A published allocation table as read from a document: the data a checker recomputes.

Filled by ``fundflow.io.published_table`` from the tab-separated text of a notice (or the same table in
Excel); consumed by ``fundflow.core.table_check``. Pure values only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from fundflow.core.errors import Location


@dataclass(frozen=True, slots=True)
class TableFactor:
    """A factor column span: e.g. 特困、孤儿因素 (17%) with counts 特困人员, 孤儿, a printed sum, and 补助资金."""

    name: str
    weight: Decimal
    count_columns: tuple[int, ...]
    count_labels: tuple[str, ...]
    amount_column: int
    amount_label: str
    derived_column: int | None = None  # a printed sum of the count columns
    derived_label: str | None = None


class RowKind(StrEnum):
    TOTAL = "total"
    SUBTOTAL = "subtotal"
    LINE = "line"


@dataclass(frozen=True, slots=True)
class TableRow:
    kind: RowKind
    name: str
    group: str | None
    cells: Mapping[int, Decimal]  # numeric columns; a blank cell is absent
    blanks: tuple[int, ...] = ()
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class PublishedTable:
    title: str
    unit: str
    factors: tuple[TableFactor, ...]
    total_column: int
    total_label: str
    rows: tuple[TableRow, ...]
    places: int = 0
    source: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # how the reader interpreted irregular rows

    @property
    def total_row(self) -> TableRow | None:
        return next((r for r in self.rows if r.kind is RowKind.TOTAL), None)

    @property
    def lines(self) -> tuple[TableRow, ...]:
        return tuple(r for r in self.rows if r.kind is RowKind.LINE)

    @property
    def subtotals(self) -> tuple[TableRow, ...]:
        return tuple(r for r in self.rows if r.kind is RowKind.SUBTOTAL)

    @property
    def numeric_columns(self) -> tuple[int, ...]:
        cols: list[int] = []
        for f in self.factors:
            cols.extend(f.count_columns)
            if f.derived_column is not None:
                cols.append(f.derived_column)
            cols.append(f.amount_column)
        cols.append(self.total_column)
        return tuple(cols)

    def label(self, column: int) -> str:
        if column == self.total_column:
            return self.total_label
        for f in self.factors:
            if column == f.amount_column:
                return f"{f.name}·{f.amount_label}"
            if column == f.derived_column:
                return f"{f.name}·{f.derived_label}"
            if column in f.count_columns:
                return f"{f.name}·{f.count_labels[f.count_columns.index(column)]}"
        return f"第 {column + 1} 列"
