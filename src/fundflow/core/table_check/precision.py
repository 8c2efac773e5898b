"""Figures as printed: decimals shown, and float artefacts of spreadsheet exports read back to what was meant.

A table exported through single-precision floats prints 0.24 as 0.240000152587891. Such a figure is read
to the smallest number of decimals (at most 6) that it is within one part in 10⁴ of a printed step of —
never fewer than its column's other figures show — and the reading is reported, not silent.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

_MAX_PLACES = 6
_ARTEFACT_MIN_PLACES = 7  # a printed table never shows 7 or more decimals on purpose


def places(value: Decimal) -> int:
    """Decimals the figure is printed with (trailing zeros count: "1.50" shows 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def artefact_places(value: Decimal) -> int | None:
    """The decimals a float-artefact figure was meant to show, or None when it is not an artefact."""
    if places(value) < _ARTEFACT_MIN_PLACES:
        return None
    scale = max(abs(value), Decimal(1))
    for p in range(_MAX_PLACES + 1):
        step = Decimal(1).scaleb(-p)
        rounded = value.quantize(step, rounding=decimal.ROUND_HALF_UP)
        if abs(value - rounded) <= step * scale * Decimal("0.0001"):
            return p
    return None


def read_to(value: Decimal, column_places: int) -> Decimal:
    """An artefact figure at the printed precision of its column (at least the decimals it needs)."""
    meant = artefact_places(value)
    if meant is None:
        return value
    return value.quantize(Decimal(1).scaleb(-max(meant, column_places)), rounding=decimal.ROUND_HALF_UP)


def round_to(value: Decimal, column_places: int) -> Decimal:
    """A computed figure rounded half-up to the decimals its column prints."""
    return value.quantize(Decimal(1).scaleb(-column_places), rounding=decimal.ROUND_HALF_UP)
