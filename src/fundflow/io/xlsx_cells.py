"""Turning openpyxl cell values into exact text (numbers never pass through float formatting twice)."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from itertools import count, zip_longest
from pathlib import Path
from typing import Any

from openpyxl.utils.exceptions import InvalidFileException

from fundflow.core.errors import Location, PlanError, Problem

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


TOO_MANY_ROWS = "file.too-many-rows"


def too_many_rows(file: str, limit: int) -> PlanError:
    """A workbook past an upload's row limit (the caller stops reading; the web turns it into its message)."""
    return PlanError.single(TOO_MANY_ROWS, f"数据超过 {limit} 行（单次上传上限）", Location(file))


def read_first_sheet(path: Path | bytes, display_name: str | None = None) -> list[list[str]]:
    """All rows of the first sheet as text (see ``iter_first_sheet``)."""
    return list(iter_first_sheet(path, display_name))


_UNREADABLE = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, EOFError)


def iter_first_sheet(source: Path | bytes, display_name: str | None = None) -> Iterator[list[str]]:
    """The rows of the first sheet as text, one at a time (openpyxl read-only streaming, so a caller can check the
    header, or stop after a row limit, without reading the rest). A damaged or non-Excel file is a clear Chinese
    error naming only the file, never a traceback or an exception's text (which may hold server paths).

    ``source`` is a path or the file's bytes (a web upload, read without a temporary file). Formula cells give
    their stored (cached) result. A formula cell without a stored result — a file written by a program that does
    not calculate, never opened and saved in Excel — would otherwise read as blank, so every such cell is
    reported (``file.formula-no-value``) once all rows are read. ``display_name`` is the name shown in every
    location instead of ``source``.
    """
    from openpyxl.utils import get_column_letter

    name = display_name if display_name is not None else str(source)
    unreadable = PlanError.single(
        "file.type", "无法作为 Excel 文件读取（文件可能已损坏，或不是 .xlsx 格式）", Location(name)
    )
    try:
        values_wb, formulas_wb = _open(source, data_only=True), _open(source, data_only=False)
    except _UNREADABLE:
        raise unreadable from None
    try:
        values_ws, formulas_ws = values_wb.worksheets[0], formulas_wb.worksheets[0]
        where = f"{name} 工作表“{values_ws.title}”"
        problems: list[Problem] = []
        rows = zip_longest(_rows(values_ws), _rows(formulas_ws))
        for number in count(1):
            try:
                pair = next(rows, None)
            except _UNREADABLE:
                raise unreadable from None
            if pair is None:
                break
            values, formulas = pair[0] or (), pair[1] or ()
            for col, formula in enumerate(formulas, start=1):
                value = values[col - 1] if col - 1 < len(values) else None
                if value is None and _is_formula_cell(formula):
                    problems.append(
                        Problem(
                            "file.formula-no-value",
                            f"单元格为公式（{_formula_text(formula)}）但没有保存计算结果，"
                            "请在 Excel 中打开并保存后再上传，或改为数值",
                            Location(where, number, get_column_letter(col)),
                        )
                    )
            yield [cell_text(v) for v in values]
        if problems:
            raise PlanError(problems)
    finally:
        values_wb.close()
        formulas_wb.close()


def _open(source: Path | bytes, *, data_only: bool) -> Any:
    from openpyxl import load_workbook

    return load_workbook(
        io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True, data_only=data_only
    )


def _is_formula_cell(value: object) -> bool:
    # openpyxl gives a formula as its text ("=SUM(B2:B5)"), or as an ArrayFormula / DataTableFormula object.
    return is_formula(value) or type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _formula_text(value: object) -> str:
    text = getattr(value, "text", value)
    return str(text) if text else "公式"


def _rows(ws: object) -> Iterator[tuple[object, ...]]:
    yield from ws.iter_rows(values_only=True)  # type: ignore[attr-defined]
