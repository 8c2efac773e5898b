"""Parsing numbers from text exactly: never through float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_decimal(text: str) -> Decimal:
    """Parse ``1,234.50``, ``１２３`` (full-width) or ``-5`` to Decimal; raise ValueError otherwise."""
    cleaned = text.strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"“{text}”不是数字")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValueError(f"“{text}”不是数字") from exc


def parse_weight(text: str) -> Decimal:
    """A weight written ``0.50`` or ``50%`` → ``Decimal('0.50')``."""
    cleaned = text.strip().translate(_FULLWIDTH)
    if cleaned.endswith("%"):
        return parse_decimal(cleaned[:-1]) / 100
    return parse_decimal(cleaned)


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")
