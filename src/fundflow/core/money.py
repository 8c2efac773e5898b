"""Exact money: units (元 / 万元) and named rounding.

Money is always :class:`decimal.Decimal`. Rounding happens only through :class:`Rounding`, which names its
mode (四舍五入 = ``half_up`` by default) and the number of decimal places, so every rounded figure can say how
it was rounded.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

YUAN_PER_WAN = Decimal(10000)


class Unit(StrEnum):
    """The unit a figure is stated in. 元 is the storage unit; 万元 is what notices print."""

    YUAN = "元"
    WAN = "万元"

    @property
    def yuan_factor(self) -> Decimal:
        """How many 元 one unit is."""
        return Decimal(1) if self is Unit.YUAN else YUAN_PER_WAN

    @classmethod
    def parse(cls, text: str) -> Unit:
        """Accept ``元``/``万元`` and their pinyin spellings ``yuan``/``wan``."""
        cleaned = text.strip()
        aliases = {"元": cls.YUAN, "yuan": cls.YUAN, "万元": cls.WAN, "wan": cls.WAN, "wanyuan": cls.WAN}
        if cleaned.lower() in aliases:
            return aliases[cleaned.lower()]
        raise ValueError(f"未知金额单位“{text}”，应为“元”或“万元”")


class RoundingMode(StrEnum):
    """Named rounding modes. The value is the spelling used in plan files."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    FLOOR = "floor"
    CEILING = "ceiling"

    @property
    def decimal_mode(self) -> str:
        return _DECIMAL_MODES[self]

    @property
    def label(self) -> str:
        """The Chinese name printed in explanations."""
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> RoundingMode:
        cleaned = text.strip().lower()
        for mode in cls:
            if cleaned in (mode.value, mode.label):
                return mode
        names = "、".join(f"{m.value}（{m.label}）" for m in cls)
        raise ValueError(f"未知舍入方式“{text}”，可选：{names}")


_DECIMAL_MODES = {
    RoundingMode.HALF_UP: decimal.ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    RoundingMode.FLOOR: decimal.ROUND_FLOOR,
    RoundingMode.CEILING: decimal.ROUND_CEILING,
}
_LABELS = {
    RoundingMode.HALF_UP: "四舍五入",
    RoundingMode.HALF_EVEN: "四舍六入五成双",
    RoundingMode.FLOOR: "向下舍去",
    RoundingMode.CEILING: "向上进位",
}


@dataclass(frozen=True, slots=True)
class Rounding:
    """A rounding rule: decimal places and mode. ``Rounding(0)`` rounds to whole units half-up."""

    places: int = 0
    mode: RoundingMode = RoundingMode.HALF_UP

    def __post_init__(self) -> None:
        if not 0 <= self.places <= 6:
            raise ValueError(f"保留小数位数应在 0 到 6 之间，实为 {self.places}")

    @property
    def quantum(self) -> Decimal:
        """The smallest printed step, e.g. ``Decimal('0.01')`` for two places."""
        return Decimal(1).scaleb(-self.places)

    def apply(self, value: Decimal) -> Decimal:
        """Round ``value`` to this rule's places with this rule's mode."""
        return value.quantize(self.quantum, rounding=self.mode.decimal_mode)

    def floor(self, value: Decimal) -> Decimal:
        """Round toward minus infinity at this rule's places (the first step of largest remainder)."""
        return value.quantize(self.quantum, rounding=decimal.ROUND_FLOOR)

    def describe(self) -> str:
        """E.g. ``四舍五入保留2位小数`` or ``四舍五入取整``."""
        if self.places == 0:
            return f"{self.mode.label}取整"
        return f"{self.mode.label}保留{self.places}位小数"


def exact(value: Decimal | int | str) -> Decimal:
    """Convert to Decimal without ever passing through float."""
    if isinstance(value, float):  # pragma: no cover - guarded by typing, kept for runtime safety
        raise TypeError("金额不得使用浮点数")
    return value if isinstance(value, Decimal) else Decimal(value)


def convert(amount: Decimal, source: Unit, target: Unit) -> Decimal:
    """Convert between units exactly (no rounding)."""
    if source is target:
        return amount
    return amount * source.yuan_factor / target.yuan_factor


def fmt(amount: Decimal, places: int | None = None) -> str:
    """Plain decimal string without exponent, optionally fixed to ``places`` (display only)."""
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    if amount.is_zero():
        amount = abs(amount)  # never print "-0.00"
    return format(amount, "f")


def fmt_exact(value: Decimal, digits: int = 6) -> str:
    """Show an unrounded intermediate with a bounded number of decimals, marking truncation with …"""
    shown = value.quantize(Decimal(1).scaleb(-digits), rounding=decimal.ROUND_DOWN)
    text = format(shown.normalize(), "f") if shown != 0 else "0"
    return text if shown == value else f"{text}…"


def percent(fraction: Decimal) -> str:
    """``Decimal('0.33')`` → ``33%`` (exact, trailing zeros removed)."""
    value = (fraction * 100).normalize()
    return f"{format(value, 'f')}%"
