"""Turning openpyxl cell values into exact text (numbers never pass through float formatting twice)."""

from __future__ import annotations

import datetime
from decimal import Decimal

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
