"""Saving every workbook fundflow produces: text is written as text, never as a formula.

Names, groups, notes, titles and budget texts come from users. openpyxl turns any string that starts with ``=``
into a formula cell, so ``=HYPERLINK("http://x","y")`` entered as a county name would reach whoever opens the
export as a live formula (formula or CSV injection, CWE-1236). OWASP's advice is to neutralise a field whose
first character is ``=``, ``+``, ``-``, ``@``, tab, carriage return (or NUL) by making it plain text; in XLSX that
needs no change to the visible text: the cell is stored as a string (``t="inlineStr"``, which Excel never
evaluates) and marked with ``quotePrefix`` — the style Excel itself gives a cell typed as ``'=…`` — so it stays
text even when someone edits it in Excel. Numbers stay numbers (a negative amount is a numeric cell).

Every writer saves through :func:`save_workbook`; a test fails on any ``wb.save`` elsewhere in ``fundflow``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING

from fundflow.core.errors import Location, Problem

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook

# First characters that make a spreadsheet treat text as a formula (OWASP / ASVS 1.2.10), with the full-width
# forms a Chinese input method types, which some spreadsheet programs also accept.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula if it were written as-is."""
    return text.startswith(FORMULA_TRIGGERS)


_SHOWN = {"\t": "制表符", "\r": "回车符", "\n": "换行符", "\0": "空字符"}


def formula_problem(rule: str, text: str, where: Location | None) -> Problem:
    """The refusal of a formula-like text on entry: names the text and its first character, in Chinese."""
    first = _SHOWN.get(text[0], text[0])
    shown = "".join(_SHOWN.get(c, c) for c in text[:40]) + ("…" if len(text) > 40 else "")
    return Problem(
        rule,
        f"“{shown}”以“{first}”开头，在 Excel 等电子表格软件中可能被当作公式执行，不能保存；请删除或改写开头的符号",
        where,
    )


def formula_texts(value: object) -> Iterator[str]:
    """Every formula-like text inside ``value``: strings, dataclass fields, mapping keys and values, sequences.

    Used on parsed plan parameters and budgets, whose texts all end up in a workbook's cells.
    """
    if isinstance(value, enum.Enum):
        return
    if isinstance(value, str):
        if formula_like(value):
            yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name != "location":
                yield from formula_texts(getattr(value, f.name))
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from formula_texts(k)
            yield from formula_texts(v)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from formula_texts(item)


def as_text(cell: Cell) -> None:
    """Store a text cell as a string, never a formula; a formula-like text also gets Excel's quote prefix."""
    value = cell.value
    if not isinstance(value, str):
        return
    cell.data_type = "s"
    if formula_like(value):
        cell.quotePrefix = True


def neutralise(wb: Workbook) -> None:
    """Every text cell of every sheet as text (merged placeholders hold no value and are left alone)."""
    from openpyxl.cell.cell import Cell

    for ws in wb.worksheets:
        for cell in ws._cells.values():  # the written cells only: iter_rows would create blank ones
            if isinstance(cell, Cell):
                as_text(cell)


def save_workbook(wb: Workbook, target: Path | IO[bytes]) -> None:
    """Save ``wb`` with every text cell as text (the one way fundflow writes .xlsx)."""
    neutralise(wb)
    wb.save(target)
