"""Target values (指标值) of performance-target tables, typed and printed back exactly as written.

A target table's 指标值 cell is free text in the notices, but almost every cell is one of a few forms: a
comparison (``≥404.5万人次``, ``> 68%``, ``不少于1次``, ``=48.5万元``), a stated number (``0``, ``100%``,
``101782万元``), a range (``6-9个月``), a deadline (``2023年10月31日前``) or qualitative text (``明显提高``,
``有效缓解``). :func:`parse_value` reads a cell into a :class:`TargetValue` that keeps both the meaning (comparator,
Decimal number, unit, date) and the spelling (which sign or words, the spacing), so that :func:`format_value`
prints every cell back identically: a table read from a notice and written out again is the notice's table.

A cell that holds digits but none of these forms is kept whole as qualitative text and reported with a warning
(``perf.value-unparsed``): the text is never lost, and the user learns it cannot be evaluated as a number.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from fundflow.core.errors import Location, Problem


class Comparator(StrEnum):
    """What a number in a target means: the actual value must be ≥, >, ≤, < or = it."""

    GE = "≥"
    GT = ">"
    LE = "≤"
    LT = "<"
    EQ = "="


class Kind(StrEnum):
    """The form of a target value."""

    NUMBER = "number"  # a comparison or a stated number: ≥95%, 不少于1次, 101782万元, 0
    RANGE = "range"  # a closed range: 6-9个月
    DATE = "date"  # a deadline: 2023年10月31日前
    TEXT = "text"  # qualitative: 明显提高, 有效缓解, or a cell that could not be read


# Every written form of a comparator, longest first so that ">=" wins over ">" and 不少于 over nothing.
COMPARATOR_SPELLINGS: dict[str, Comparator] = {
    "≥": Comparator.GE,
    "≧": Comparator.GE,
    ">=": Comparator.GE,
    "＞＝": Comparator.GE,
    "不少于": Comparator.GE,
    "不低于": Comparator.GE,
    "不小于": Comparator.GE,
    ">": Comparator.GT,
    "＞": Comparator.GT,
    "大于": Comparator.GT,
    "高于": Comparator.GT,
    "超过": Comparator.GT,
    "≤": Comparator.LE,
    "≦": Comparator.LE,
    "<=": Comparator.LE,
    "＜＝": Comparator.LE,
    "不多于": Comparator.LE,
    "不高于": Comparator.LE,
    "不大于": Comparator.LE,
    "不超过": Comparator.LE,
    "<": Comparator.LT,
    "＜": Comparator.LT,
    "小于": Comparator.LT,
    "低于": Comparator.LT,
    "=": Comparator.EQ,
    "＝": Comparator.EQ,
    "等于": Comparator.EQ,
}

# Units seen in target tables. A number followed by anything else is not read as a quantity (see module doc).
UNITS: tuple[str, ...] = (
    "%",
    "％",
    "‰",
    "人",
    "人次",
    "万人",
    "万人次",
    "户",
    "万户",
    "元",
    "万元",
    "亿元",
    "个",
    "个县市",
    "个县",
    "个乡镇",
    "家",
    "次",
    "场",
    "期",
    "批",
    "项",
    "份",
    "台",
    "套",
    "所",
    "辆",
    "名",
    "年",
    "月",
    "个月",
    "天",
    "日",
    "个工作日",
    "小时",
    "元/人/年",
    "元/人",
)

RANGE_SEPARATORS: tuple[str, ...] = ("-", "－", "—", "~", "～", "至")
DEADLINE_SUFFIXES: tuple[str, ...] = ("", "前", "之前", "以前", "底前")

_NUMBER = r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
_COMPARATORS = "|".join(re.escape(s) for s in sorted(COMPARATOR_SPELLINGS, key=len, reverse=True))
_UNITS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_SEPARATORS = "|".join(re.escape(s) for s in RANGE_SEPARATORS)
_SUFFIXES = "|".join(re.escape(s) for s in sorted(DEADLINE_SUFFIXES, key=len, reverse=True) if s)

_NUMBER_FORM = re.compile(
    rf"(?P<cmp>{_COMPARATORS})?(?P<gap>\s*)(?P<num>{_NUMBER})(?P<ugap>\s*)(?P<unit>{_UNITS})?", re.UNICODE
)
_RANGE_FORM = re.compile(
    rf"(?P<low>{_NUMBER})(?P<sep>{_SEPARATORS})(?P<high>{_NUMBER})(?P<ugap>\s*)(?P<unit>{_UNITS})?", re.UNICODE
)
_DATE_FORM = re.compile(
    rf"(?P<y>[12][0-9]{{3}})年(?P<m>[0-9]{{1,2}})月(?P<d>[0-9]{{1,2}})日(?P<suffix>{_SUFFIXES})?", re.UNICODE
)
_DIGIT = re.compile(r"[0-9０-９]")

# Multipliers of the 万/亿 units, so that a region's 404.5万人次 can be compared with its counties' 人次.
_SCALES: tuple[tuple[str, Decimal], ...] = (("万", Decimal(10000)), ("亿", Decimal(100000000)))


@dataclass(frozen=True, slots=True)
class TargetValue:
    """One 指标值: its meaning and, in the ``*_text``/gap fields, how it was written.

    ``number`` is the (lower) number of a NUMBER or RANGE value, ``upper`` the upper end of a RANGE.
    ``comparator`` is None for a stated number (``100%``, ``0``), which is read as "=" when evaluated.
    ``text`` is the whole cell for a TEXT value.
    """

    kind: Kind
    comparator: Comparator | None = None
    number: Decimal | None = None
    upper: Decimal | None = None
    unit: str = ""
    deadline: datetime.date | None = None
    text: str = ""
    # Spelling: the comparator as written (≥, >=, 不少于 …), the spaces around the number, the range separator,
    # the deadline's suffix (前, 之前 …) and whether the date's month and day were zero-padded.
    comparator_text: str = ""
    gap: str = ""
    unit_gap: str = ""
    separator: str = ""
    suffix: str = ""
    padded_date: bool = False

    @property
    def effective_comparator(self) -> Comparator | None:
        """The comparator evaluation uses: a stated number means "=" (None for ranges, dates and text)."""
        if self.kind is not Kind.NUMBER:
            return None
        return self.comparator or Comparator.EQ

    @property
    def is_quantitative(self) -> bool:
        return self.kind in (Kind.NUMBER, Kind.RANGE)


def number_value(
    number: Decimal, unit: str = "", comparator: Comparator | None = None, *, spelling: str | None = None
) -> TargetValue:
    """A NUMBER value in the usual spelling (the comparator's sign, no spaces)."""
    text = spelling if spelling is not None else (comparator.value if comparator else "")
    return TargetValue(Kind.NUMBER, comparator, number, unit=unit, comparator_text=text)


def text_value(text: str) -> TargetValue:
    """A qualitative value (明显提高 …)."""
    return TargetValue(Kind.TEXT, text=text)


def unit_scale(unit: str) -> tuple[Decimal, str]:
    """How many base units one ``unit`` is, and the base unit: 万人次 → (10000, 人次), 亿元 → (10⁸, 元)."""
    for prefix, factor in _SCALES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return factor, unit[len(prefix) :]
    return Decimal(1), unit


def base_quantity(value: TargetValue) -> tuple[Decimal, str] | None:
    """The number in the unit without 万/亿 (404.5万人次 → 4045000 人次), for sums across tables; None if none."""
    if value.number is None or value.kind is not Kind.NUMBER:
        return None
    factor, base = unit_scale(value.unit)
    return value.number * factor, base


def _digits(text: str) -> bool:
    return bool(_DIGIT.search(text))


def parse_value(text: str, location: Location | None = None) -> tuple[TargetValue, list[Problem]]:
    """Read one 指标值 cell. Surrounding whitespace is not part of the value; everything inside is kept.

    Returns the value and the problems found: a cell with digits that reads as none of the forms becomes a TEXT
    value with a ``perf.value-unparsed`` warning; a date that does not exist (2月30日) likewise.
    """
    cell = text.strip()
    if not cell:
        return text_value(""), [Problem("perf.value-blank", "指标值为空", location)]
    value = _parse_number(cell) or _parse_range(cell) or _parse_date(cell)
    if value is not None:
        return value, []
    if _digits(cell):
        return text_value(cell), [
            Problem(
                "perf.value-unparsed",
                f"指标值“{cell}”含有数字，但不是可识别的写法（如 ≥95%、不少于1次、6-9个月、2023年10月31日前），"
                "已按定性指标保留原文，无法按数值评价",
                location,
            )
        ]
    return text_value(cell), []


def _parse_number(cell: str) -> TargetValue | None:
    match = _NUMBER_FORM.fullmatch(cell)
    if match is None:
        return None
    spelled = match["cmp"] or ""
    return TargetValue(
        Kind.NUMBER,
        COMPARATOR_SPELLINGS[spelled] if spelled else None,
        Decimal(match["num"]),
        unit=match["unit"] or "",
        comparator_text=spelled,
        gap=match["gap"],
        unit_gap=match["ugap"] if match["unit"] else "",
    )


def _parse_range(cell: str) -> TargetValue | None:
    match = _RANGE_FORM.fullmatch(cell)
    if match is None:
        return None
    low, high = Decimal(match["low"]), Decimal(match["high"])
    if low > high:
        return None
    return TargetValue(
        Kind.RANGE,
        number=low,
        upper=high,
        unit=match["unit"] or "",
        separator=match["sep"],
        unit_gap=match["ugap"] if match["unit"] else "",
    )


def _parse_date(cell: str) -> TargetValue | None:
    match = _DATE_FORM.fullmatch(cell)
    if match is None:
        return None
    try:
        deadline = datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    month_padded, day_padded = match["m"].startswith("0"), match["d"].startswith("0")
    padded = month_padded or day_padded
    if padded and (len(match["m"]) != 2 or len(match["d"]) != 2):
        return None  # mixed padding (2023年1月05日) cannot be printed back from one flag; keep it as text
    return TargetValue(
        Kind.DATE,
        deadline=deadline,
        suffix=match["suffix"] or "",
        padded_date=padded,
    )


def _number_text(number: Decimal) -> str:
    # str() keeps a Decimal's written places (13.0 stays 13.0); plain notation for very small or large exponents.
    return f"{number:f}"


def format_value(value: TargetValue) -> str:
    """Print a value as it was written (the inverse of :func:`parse_value`)."""
    if value.kind is Kind.TEXT:
        return value.text
    if value.kind is Kind.DATE:
        assert value.deadline is not None
        d = value.deadline
        month, day = (f"{d.month:02d}", f"{d.day:02d}") if value.padded_date else (str(d.month), str(d.day))
        return f"{d.year}年{month}月{day}日{value.suffix}"
    assert value.number is not None
    unit = f"{value.unit_gap}{value.unit}" if value.unit else ""
    if value.kind is Kind.RANGE:
        assert value.upper is not None
        return f"{_number_text(value.number)}{value.separator}{_number_text(value.upper)}{unit}"
    return f"{value.comparator_text}{value.gap}{_number_text(value.number)}{unit}"
