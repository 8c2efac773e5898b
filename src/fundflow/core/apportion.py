"""Apportionment: turning exact shares into printed figures that add up as promised.

Three named methods (chosen per plan, see docs/plan-format.md):

``per_line``
    Round every line on its own. Totals are the sums of the printed lines, so they may differ from the pot
    by a few units; the document says so.
``largest_remainder``
    Hamilton's method: floor every line, then give the missing units one by one to the lines with the
    largest remainders. The printed parts sum exactly to the pot.
``hierarchical``
    First the group targets (each group's share of the pot, rounded; a unit the rounded targets miss goes
    to the first group in table order whose own rounded lines already lean that way), then inside each
    group the plainly rounded lines are moved by ±1 unit, largest count first, until they meet the target.
    This is how the 2021 medical-assistance table (新财社〔2020〕34号) was formed.

All functions here work on plain ``Decimal`` sequences and return new lists; ties are broken by an explicit
key supplied by the caller (never by input position), so results do not depend on the order of lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from fundflow.core.money import Rounding

K = TypeVar("K")


class Apportion(StrEnum):
    PER_LINE = "per_line"
    LARGEST_REMAINDER = "largest_remainder"
    HIERARCHICAL = "hierarchical"

    @property
    def label(self) -> str:
        return {
            Apportion.PER_LINE: "逐行取舍（合计为各行之和）",
            Apportion.LARGEST_REMAINDER: "最大余额法（各部分之和等于资金总额）",
            Apportion.HIERARCHICAL: "分级调整（先定各组小计，再在组内按人数多少调整尾差）",
        }[self]

    @classmethod
    def parse(cls, text: str) -> Apportion:
        try:
            return cls(text.strip())
        except ValueError:
            names = "、".join(m.value for m in cls)
            raise ValueError(f"未知尾差处理方式“{text}”，可选：{names}") from None


def round_each(values: Sequence[Decimal], rounding: Rounding) -> list[Decimal]:
    """Round each value independently (``per_line``)."""
    return [rounding.apply(v) for v in values]


def units_between(target: Decimal, current: Decimal, rounding: Rounding) -> int:
    """How many quanta ``target`` is above ``current`` (negative when below). Both must be on the grid."""
    return int((target - current) / rounding.quantum)


def largest_remainder(
    exact: Sequence[Decimal],
    target: Decimal,
    rounding: Rounding,
    tie_keys: Sequence[K],
    sort_key: Callable[[K], object] = lambda k: k,
) -> list[Decimal]:
    """Hamilton's method: floors plus one quantum to the largest remainders until ``target`` is met.

    ``tie_keys`` order lines whose remainders are equal (ascending ``sort_key``); callers pass e.g.
    ``(-count, name)`` so that ties go to the larger count, then by name — never by position.
    """
    floors = [rounding.floor(v) for v in exact]
    missing = units_between(target, sum(floors, Decimal(0)), rounding)
    if missing < 0 or missing > len(exact):
        raise ValueError("目标总额与各项精确值不一致，无法按最大余额法分配")
    order = sorted(
        range(len(exact)),
        key=lambda i: (-(exact[i] - floors[i]), sort_key(tie_keys[i])),
    )
    result = list(floors)
    for i in order[:missing]:
        result[i] += rounding.quantum
    return result


@dataclass(frozen=True, slots=True)
class Move:
    """One ±unit move made to meet a target, recorded for the explanation."""

    index: int
    delta: Decimal


def adjust_to_target(
    rounded: Sequence[Decimal],
    target: Decimal,
    rounding: Rounding,
    priority: Sequence[int],
) -> tuple[list[Decimal], list[Move]]:
    """Move plainly rounded lines by one quantum each, in ``priority`` order, until they sum to ``target``.

    ``priority`` lists line indexes, most preferred first (the hierarchical method passes largest count
    first). A line is never taken below zero; when the gap exceeds the number of lines the walk repeats.
    """
    result = list(rounded)
    gap = units_between(target, sum(result, Decimal(0)), rounding)
    step = rounding.quantum if gap > 0 else -rounding.quantum
    moves: list[Move] = []
    while gap != 0:
        moved = False
        for i in priority:
            if gap == 0:
                break
            if step < 0 and result[i] + step < 0:
                continue
            result[i] += step
            moves.append(Move(i, step))
            gap += -1 if gap > 0 else 1
            moved = True
        if not moved:
            raise ValueError("无法在不出现负数的情况下调整到目标小计")
    return result, moves


def group_targets(
    exact: Sequence[Decimal],
    pot: Decimal,
    rounding: Rounding,
    lean: Sequence[int],
    tie_keys: Sequence[K],
    sort_key: Callable[[K], object] = lambda k: k,
) -> tuple[list[Decimal], list[Move]]:
    """Round each group's exact share; give the units the rounded targets miss to leaning groups.

    ``lean[g]`` is the number of quanta by which group ``g``'s own plainly rounded lines exceed (positive)
    or fall short of (negative) its rounded target. A missing unit goes to the first group in the given
    order that leans the same way (its lines already add up beyond the rounded target), so that the fewest
    lines need moving later. When no group leans that way, the remaining units go by largest remainder.
    """
    rounded = round_each(exact, rounding)
    gap = units_between(pot, sum(rounded, Decimal(0)), rounding)
    step = rounding.quantum if gap > 0 else -rounding.quantum
    moves: list[Move] = []
    used: set[int] = set()
    for g in range(len(exact)):
        if gap == 0:
            break
        if (gap > 0 and lean[g] > 0) or (gap < 0 and lean[g] < 0 and rounded[g] + step >= 0):
            rounded[g] += step
            moves.append(Move(g, step))
            used.add(g)
            gap += -1 if gap > 0 else 1
    if gap != 0:
        sign = 1 if gap > 0 else -1
        order = sorted(
            (g for g in range(len(exact)) if g not in used),
            key=lambda g: (-sign * (exact[g] - rounded[g]), sort_key(tie_keys[g])),
        )
        for g in order:
            if gap == 0:
                break
            if sign < 0 and rounded[g] + step < 0:
                continue
            rounded[g] += step
            moves.append(Move(g, step))
            gap -= sign
        if gap != 0:
            raise ValueError("无法将各组小计调整到资金总额")
    return rounded, moves
