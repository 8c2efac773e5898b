"""The one percentage rule of a disclosure, used by the generator everywhere.

Rule: a percentage is ``part / base × 100`` rounded 四舍五入 (ROUND_HALF_UP) to two decimals and printed with
both decimals (``39.61%``, ``0.00%``). A growth rate is ``change / previous × 100`` under the same rule; with
no previous figure (0) there is no rate and the text says 新增 instead.

The checker cannot impose this rule on published documents, many of which print whole percentages: it
accepts a stated percentage when it equals the exact ratio rounded 四舍五入 to the decimals the document
printed for it, and separately warns when one document mixes precisions.
"""

from __future__ import annotations

from decimal import Decimal

from fundflow.core.money import Rounding

PERCENT_ROUNDING = Rounding(2)
HUNDRED = Decimal(100)


def exact_percent(part: Decimal, base: Decimal) -> Decimal | None:
    """``part / base × 100`` unrounded, or None when the base is zero (no share or rate exists)."""
    if base.is_zero():
        return None
    return part * HUNDRED / base


def percent(part: Decimal, base: Decimal, rounding: Rounding = PERCENT_ROUNDING) -> Decimal | None:
    """The printed percentage under ``rounding`` (the document rule by default)."""
    value = exact_percent(part, base)
    return None if value is None else rounding.apply(value)


def places_of(stated: Decimal) -> int:
    """How many decimals a stated figure was printed with (``Decimal('4.51')`` → 2, ``Decimal('40')`` → 0)."""
    exponent = stated.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def agrees(stated: Decimal, part: Decimal, base: Decimal) -> bool:
    """Whether a stated percentage equals part/base×100 rounded 四舍五入 at the stated precision."""
    value = percent(part, base, Rounding(min(places_of(stated), 6)))
    return value is not None and value == stated


def show(value: Decimal) -> str:
    """``39.61%``; keeps the decimals the value carries."""
    return f"{format(value, 'f')}%"
