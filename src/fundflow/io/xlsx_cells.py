"""Turning openpyxl cell values into exact text (numbers never pass through float formatting twice)."""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from fundflow.core.errors import Location, PlanError

_FORMULA_MARK = "="


def cell_text(value: object) -> str:
    """A cell value as the text a person sees. Floats are shown with ``repr`` (shortest exact form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # openpyxl gives floats for numeric cells; repr is the shortest string that round-trips, so
        # 1051.79 stays "1051.79" and Decimal parsing downstream is exact to what Excel stored.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_MARK)


def read_first_sheet(path: Path) -> list[list[str]]:
    """All rows of the first sheet as text. A damaged or non-Excel file is a clear error, not a traceback."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise PlanError.single(
            "file.type", f"无法作为 Excel 文件读取（{type(exc).__name__}）", Location(str(path))
        ) from None
    try:
        return [[cell_text(v) for v in row] for row in _rows(wb.worksheets[0])]
    finally:
        wb.close()


def _rows(ws: object) -> Iterator[tuple[object, ...]]:
    yield from ws.iter_rows(values_only=True)  # type: ignore[attr-defined]
