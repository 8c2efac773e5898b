"""A performance-target table (绩效目标表 / 区域绩效目标表) as data, and the checks that need no other data.

A table belongs to a fund program, a year and a region or budget unit. It states overall goals (numbered text),
资金情况 (年度金额 and its parts: 中央 / 地方 / 其他 资金 in transfer-payment tables, 财政拨款 / 其他资金 in
budget units' tables) and a three-level indicator tree whose leaves carry a :class:`TargetValue`. A regional
table may carry one column per recipient (the prefecture tables of a province's notice); an indicator flagged
``additive`` must then have a region value equal to the sum of its recipients' values.

Two indicator trees are in use. Before the 2022 budget year (财预〔2015〕88号 and the provinces' templates),
成本指标 is a level-2 indicator under 产出指标. From 2022 (财预〔2021〕101号), 成本指标 is a level-1 indicator
with 经济成本指标 / 社会成本指标 / 生态环境成本指标 under it. Local tables of the transition years mix both, so
a level-2 placed as the other era places it is a warning; one that neither tree allows is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from fundflow.core.errors import Location, Problem
from fundflow.core.performance.values import TargetValue, base_quantity, format_value, unit_scale

# The first budget year whose tables use the newer tree (成本指标 as level 1).
NEW_TREE_FROM = 2022

OUTPUT, EFFECT, SATISFACTION, COST = "产出指标", "效益指标", "满意度指标", "成本指标"

# Printed abbreviations of level-1 names (seed 001 prints 满意度 for 满意度指标).
LEVEL1_ALIASES: dict[str, str] = {"满意度": SATISFACTION}

_EFFECTS = frozenset({"经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"})
_SATISFACTION = frozenset({"服务对象满意度指标", "满意度指标"})

OLD_TREE: dict[str, frozenset[str]] = {
    OUTPUT: frozenset({"数量指标", "质量指标", "时效指标", "成本指标"}),
    EFFECT: _EFFECTS,
    SATISFACTION: _SATISFACTION,
}
NEW_TREE: dict[str, frozenset[str]] = {
    COST: frozenset({"经济成本指标", "社会成本指标", "生态环境成本指标"}),
    OUTPUT: frozenset({"数量指标", "质量指标", "时效指标"}),
    EFFECT: _EFFECTS,
    SATISFACTION: _SATISFACTION,
}

LEVEL1_NAMES = frozenset(OLD_TREE) | frozenset(NEW_TREE)
LEVEL2_NAMES = frozenset().union(*OLD_TREE.values(), *NEW_TREE.values())

# Level-2 indicators whose quantities add up across recipients by default (counts and amounts, not rates).
_ADDITIVE_LEVEL2 = frozenset({"数量指标", "成本指标", "经济成本指标"})
_RATE_UNITS = frozenset({"%", "％", "‰"})


def tree_for_year(year: int) -> dict[str, frozenset[str]]:
    """The indicator tree a table of ``year`` follows."""
    return NEW_TREE if year >= NEW_TREE_FROM else OLD_TREE


def canonical_level1(name: str) -> str:
    return LEVEL1_ALIASES.get(name, name)


@dataclass(frozen=True, slots=True)
class FundPart:
    """One line of 资金情况: its label as printed (年度金额, 中央资金, 财政拨款 …) and amount (None if blank)."""

    label: str
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class Funds:
    """资金情况: the annual total and its parts, in the unit the table prints (元 or 万元)."""

    unit: str
    total: FundPart
    parts: tuple[FundPart, ...] = ()


@dataclass(frozen=True, slots=True)
class Derived:
    """A recipient's target value as computed from the allocation, with the sentence that explains it.

    Kept next to the value the table states, so that a value edited by hand is seen (``perf.derived-edited``)
    rather than silently drifting from the allocation.
    """

    recipient: str
    value: TargetValue
    explanation: str


@dataclass(frozen=True, slots=True)
class Indicator:
    """A level-3 indicator: its place in the tree, its target and, in a regional table, each recipient's target.

    ``level1`` is kept as printed (满意度); use :func:`canonical_level1` to compare. ``recipients`` is in the
    table's recipient order; a recipient without a value for this indicator is missing from it. ``derived`` holds
    the recipient values computed from the allocation (``fundflow.core.performance.derive``), if a rule says so.
    """

    level1: str
    level2: str
    name: str
    value: TargetValue
    recipients: tuple[tuple[str, TargetValue], ...] = ()
    additive: bool = False
    location: Location | None = None
    derived: tuple[Derived, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetTable:
    """One 绩效目标表. ``region`` is the region (省份 …) or budget unit (预算单位) it is set for."""

    program: str
    year: int
    region: str
    goals: tuple[str, ...] = ()
    funds: Funds | None = None
    indicators: tuple[Indicator, ...] = ()
    recipients: tuple[str, ...] = ()
    title: str = ""
    location: Location | None = None

    def tree(self) -> dict[str, dict[str, list[Indicator]]]:
        """The indicators grouped as level 1 → level 2 → level 3, in table order."""
        grouped: dict[str, dict[str, list[Indicator]]] = {}
        for indicator in self.indicators:
            grouped.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(indicator)
        return grouped


def default_additive(indicator: Indicator) -> bool:
    """Whether an indicator's targets add up across recipients unless the user says otherwise: a count or an
    amount (数量指标, 成本指标) stated as a number, not a rate."""
    value = indicator.value
    return (
        indicator.level2 in _ADDITIVE_LEVEL2
        and value.is_quantitative
        and value.unit not in _RATE_UNITS
        and value.unit != ""
    )


def with_recipients(
    region: TargetTable, recipient_tables: Sequence[tuple[str, TargetTable]], additive: Iterable[str] | None = None
) -> TargetTable:
    """The region's table with one column per recipient, taken from each recipient's own table.

    Indicators are matched by (level 1, level 2, name). ``additive`` names the additive indicators; by default
    :func:`default_additive` decides.
    """
    chosen = set(additive) if additive is not None else None
    indicators = []
    for indicator in region.indicators:
        key = (canonical_level1(indicator.level1), indicator.level2, indicator.name)
        values = []
        for name, table in recipient_tables:
            for other in table.indicators:
                if (canonical_level1(other.level1), other.level2, other.name) == key:
                    values.append((name, other.value))
                    break
        flag = indicator.name in chosen if chosen is not None else default_additive(indicator)
        indicators.append(replace(indicator, recipients=tuple(values), additive=flag))
    return replace(region, indicators=tuple(indicators), recipients=tuple(name for name, _ in recipient_tables))


def check_table(table: TargetTable) -> list[Problem]:
    """Every problem the table shows by itself: tree placement, regional sums, 资金情况 sums."""
    problems = _check_tree(table)
    problems += _check_recipients(table)
    problems += _check_funds(table)
    problems += _check_derived(table)
    return problems


def _check_derived(table: TargetTable) -> list[Problem]:
    problems: list[Problem] = []
    for ind in table.indicators:
        stated = dict(ind.recipients)
        for derived in ind.derived:
            value = stated.get(derived.recipient)
            if value is not None and _same_target(value, derived.value):
                continue
            shown = format_value(value) if value is not None else "（空）"
            problems.append(
                Problem(
                    "perf.derived-edited",
                    f"三级指标“{ind.name}”：{derived.recipient}的指标值“{shown}”与按分配表计算的"
                    f"“{format_value(derived.value)}”不同（{derived.explanation}），应是手工修改的",
                    ind.location,
                )
            )
    return problems


def _same_target(a: TargetValue, b: TargetValue) -> bool:
    """Same meaning, whatever the spelling (≥1次 and 不少于1次 are the same target)."""
    return (a.kind, a.effective_comparator, a.number, a.upper, a.unit, a.deadline, a.text) == (
        b.kind,
        b.effective_comparator,
        b.number,
        b.upper,
        b.unit,
        b.deadline,
        b.text,
    )


def _check_tree(table: TargetTable) -> list[Problem]:
    tree = tree_for_year(table.year)
    other = OLD_TREE if tree is NEW_TREE else NEW_TREE
    era = f"{table.year}年度"
    problems: list[Problem] = []
    for ind in table.indicators:
        level1 = canonical_level1(ind.level1)
        if level1 not in LEVEL1_NAMES:
            problems.append(Problem("perf.level-unknown", f"一级指标“{ind.level1}”不是已知的一级指标", ind.location))
            continue
        if ind.level2 not in LEVEL2_NAMES:
            problems.append(Problem("perf.level-unknown", f"二级指标“{ind.level2}”不是已知的二级指标", ind.location))
            continue
        if ind.level2 in tree.get(level1, frozenset()):
            continue
        if ind.level2 in other.get(level1, frozenset()):
            problems.append(
                Problem(
                    "perf.tree-era",
                    f"三级指标“{ind.name}”：二级指标“{ind.level2}”列在一级指标“{ind.level1}”下，"
                    f"是{'2022年度以前' if tree is NEW_TREE else '2022年度起'}的指标体系；{era}的表格应按"
                    f"{'成本指标单列为一级指标' if tree is NEW_TREE else '成本指标列在产出指标下'}的体系填列",
                    ind.location,
                )
            )
            continue
        allowed = "、".join(sorted(p for p, children in {**OLD_TREE, **NEW_TREE}.items() if ind.level2 in children))
        problems.append(
            Problem(
                "perf.level-parent",
                f"三级指标“{ind.name}”：二级指标“{ind.level2}”不能列在一级指标“{ind.level1}”下（应在{allowed}下）",
                ind.location,
            )
        )
    return problems


def _check_recipients(table: TargetTable) -> list[Problem]:
    problems: list[Problem] = []
    for ind in table.indicators:
        if not ind.additive or not table.recipients:
            continue
        region = base_quantity(ind.value)
        if region is None:
            continue  # a range or text at region level has no sum to check
        base_unit = region[1]
        given = dict(ind.recipients)
        total = Decimal(0)
        complete = True
        for name in table.recipients:
            value = given.get(name)
            quantity = base_quantity(value) if value is not None else None
            if quantity is not None and quantity == (Decimal(0), ""):
                quantity = (Decimal(0), base_unit)  # a bare 0 is none of anything (克州's 门诊救助人次 in seed 001)
            if quantity is None or quantity[1] != base_unit:
                complete = False
                shown = format_value(value) if value is not None else "（空）"
                problems.append(
                    Problem(
                        "perf.region-cell",
                        f"三级指标“{ind.name}”：{name}的指标值“{shown}”不是以“{base_unit}”计的数值，无法与全区合计核对",
                        ind.location,
                    )
                )
                continue
            total += quantity[0]
        if complete and not _matches_printed(ind.value, total):
            problems.append(
                Problem(
                    "perf.region-sum",
                    f"三级指标“{ind.name}”：区域指标值 {format_value(ind.value)} 与{len(table.recipients)}个下级"
                    f"指标值之和 {_plain(total)}{base_unit}（{_in_unit(ind.value, total)}）不符",
                    ind.location,
                )
            )
    return problems


def _check_funds(table: TargetTable) -> list[Problem]:
    funds = table.funds
    if funds is None or funds.total.amount is None:
        return []
    given = [part for part in funds.parts if part.amount is not None]
    if not given:
        return []
    parts_sum = sum((part.amount for part in given if part.amount is not None), Decimal(0))
    if parts_sum == funds.total.amount:
        return []
    shown = " + ".join(f"{p.label} {_plain(p.amount)}" for p in given if p.amount is not None)
    return [
        Problem(
            "perf.funds-sum",
            f"资金情况：{shown} = {_plain(parts_sum)}{funds.unit}，不等于{funds.total.label} "
            f"{_plain(funds.total.amount)}{funds.unit}",
            table.location,
        )
    ]


def _matches_printed(region: TargetValue, total: Decimal) -> bool:
    """Whether the recipients' ``total`` (in base units) prints as the region's number at the region's own
    precision: 13.0万人次 is 130400 人次 rounded to 0.1万, while 404.5万人次 is not 4045800 (that is 404.6万)."""
    return _rounded(region, total) == region.number


def _rounded(region: TargetValue, total: Decimal) -> Decimal:
    assert region.number is not None
    factor, _ = unit_scale(region.unit)
    exponent = region.number.as_tuple().exponent
    assert isinstance(exponent, int)
    return (total / factor).quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def _in_unit(region: TargetValue, total: Decimal) -> str:
    """The total as the region prints it: 404.6万人次."""
    return f"{_plain(_rounded(region, total))}{region.unit}"


def _plain(number: Decimal) -> str:
    return f"{number:f}"
