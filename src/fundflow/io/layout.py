"""The printed layout of an allocation table, shared by the text, TSV and XLSX writers.

The layout follows the notices: a title, a unit line, two header rows (a factor's name and weight spanning
its count and amount columns, then the column labels), the 合计 row first, then each group's 小计 row
followed by its lines. Writers only decide how to draw it, so screen, text and Excel always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from fundflow.core.money import fmt
from fundflow.core.result import AllocationResult


class RowStyle(StrEnum):
    TOTAL = "total"
    SUBTOTAL = "subtotal"
    LINE = "line"


@dataclass(frozen=True)
class Span:
    """A top-header cell spanning ``width`` columns from ``start``."""

    start: int
    width: int
    text: str
    unit_text: str | None = None  # what a recipient unit reads instead (a part's header without pot), None: text


@dataclass(frozen=True)
class Row:
    style: RowStyle
    cells: list[str]
    numbers: list[Decimal | None]  # the exact value behind each cell, None for text cells
    note: str = ""  # a line's own note (also printed among the layout's notes)


@dataclass(frozen=True)
class Layout:
    title: str
    unit_line: str
    spans: list[Span]  # first header row
    labels: list[str]  # second header row (empty where a span covers both rows)
    name_columns: int
    amount_columns: list[int]  # columns holding money (formatted to the plan's places)
    rows: list[Row]
    notes: list[str]
    places: int

    @property
    def width(self) -> int:
        return len(self.labels)

    def header_rows(self) -> tuple[list[tuple[str, int, int]], list[str]]:
        """The two header rows as HTML draws them: (text, colspan, rowspan) cells, then the second row's labels.

        A one-column span without a label below it covers both rows; when no column has a label at all, the
        header is a single row.
        """
        two_rows = any(self.labels)
        covered = {s.start for s in self.spans if s.width == 1 and not self.labels[s.start]}
        first = [(s.text, s.width, 2 if two_rows and s.start in covered else 1) for s in self.spans]
        second = [label for i, label in enumerate(self.labels) if i not in covered] if two_rows else []
        return first, second


def build_layout(result: AllocationResult, labels: dict[str, str] | None = None) -> Layout:
    """Lay out ``result`` as the document prints it. ``labels`` may rename 'group', 'name' and 'total'."""
    labels = labels or {}
    unit = result.unit.value
    grouped = bool(result.groups)
    name_columns = 2 if grouped else 1
    spans: list[Span] = []
    sub: list[str] = []
    if grouped:
        spans.append(Span(0, 1, labels.get("group", "地区")))
        spans.append(Span(1, 1, labels.get("name", "单位名称")))
        sub.extend(["", ""])
    else:
        spans.append(Span(0, 1, labels.get("name", "单位")))
        sub.append("")
    amount_columns: list[int] = []
    single_plain = len(result.parts) == 1 and not result.parts[0].inputs
    for part in result.parts:
        start = len(sub)
        for column in part.inputs:
            if column.money:
                amount_columns.append(len(sub))
            sub.append(column.label)
        amount_columns.append(len(sub))
        sub.append(part.amount_label if not single_plain else "")
        unit_text = part.unit_header if part.unit_header is not None else part.name
        spans.append(Span(start, len(sub) - start, part.header, unit_text))
    total_col = len(sub)
    amount_columns.append(total_col)
    sub.append("")
    spans.append(Span(total_col, 1, labels.get("total", f"合计（{unit}）")))

    places = result.rounding.places
    rows = [
        _row(
            result,
            RowStyle.TOTAL,
            result.total_label,
            "",
            result.total_inputs,
            result.total_parts,
            result.total,
            name_columns,
            places,
        )
    ]
    if grouped:
        for group in result.groups:
            rows.append(
                _row(
                    result,
                    RowStyle.SUBTOTAL,
                    group.name,
                    "小计",
                    group.inputs,
                    group.parts,
                    group.amount,
                    name_columns,
                    places,
                )
            )
            for line in result.lines_of(group.name):
                rows.append(
                    _row(
                        result,
                        RowStyle.LINE,
                        "",
                        line.recipient,
                        line.inputs,
                        line.parts,
                        line.amount,
                        name_columns,
                        places,
                        line.note,
                    )
                )
    else:
        for line in result.lines:
            rows.append(
                _row(
                    result,
                    RowStyle.LINE,
                    line.recipient,
                    "",
                    line.inputs,
                    line.parts,
                    line.amount,
                    name_columns,
                    places,
                    line.note,
                )
            )
    notes = list(result.notes)
    notes.extend(f"{ln.recipient}：{ln.note}" for ln in result.lines if ln.note)
    return Layout(
        title=result.title,
        unit_line=f"单位：{unit}",
        spans=spans,
        labels=sub,
        name_columns=name_columns,
        amount_columns=amount_columns,
        rows=rows,
        notes=notes,
        places=places,
    )


def _row(
    result: AllocationResult,
    style: RowStyle,
    first: str,
    second: str,
    inputs: Mapping[str, Decimal],
    parts: Mapping[str, Decimal],
    amount: Decimal,
    name_columns: int,
    places: int,
    note: str = "",
) -> Row:
    cells: list[str] = [first, second][:name_columns]
    numbers: list[Decimal | None] = [None] * name_columns
    for part in result.parts:
        for column in part.inputs:
            value = inputs.get(column.key)
            cells.append("" if value is None else fmt(value, places if column.money else None))
            numbers.append(value)
        value = parts.get(part.name)
        cells.append("" if value is None else fmt(value, places))
        numbers.append(value)
    cells.append(fmt(amount, places))
    numbers.append(amount)
    return Row(style, cells, numbers, note)


def to_tsv(layout: Layout) -> str:
    """Tab-separated text in the notices' shape (readable again by ``fundflow check-table``)."""
    top = [""] * layout.width
    for span in layout.spans:
        top[span.start] = span.text
    lines = [layout.title, layout.unit_line, "\t".join(top), "\t".join(layout.labels)]
    lines.extend("\t".join(row.cells) for row in layout.rows)
    lines.extend(f"注：{n}" for n in layout.notes)
    return "\n".join(lines) + "\n"
