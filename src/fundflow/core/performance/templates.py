"""Templates per fund program: the indicator set of a program's target table, reused year to year.

A :class:`Template` is the tree without values (with each indicator's additive flag). :func:`table_from_template`
starts a new year's table from it, taking last year's target where the indicator is the same, and moving the cost
indicators between the two trees when the new year crosses into the other era (成本指标 under 产出指标 up to
2021, 成本指标 → 经济成本指标 from 2022).
"""

from __future__ import annotations

from dataclasses import dataclass

from fundflow.core.performance.model import (
    COST,
    OUTPUT,
    Indicator,
    TargetTable,
    canonical_level1,
    default_additive,
    tree_for_year,
)
from fundflow.core.performance.values import text_value

_OLD_COST = (OUTPUT, "成本指标")
_NEW_COST = (COST, "经济成本指标")


@dataclass(frozen=True, slots=True)
class TemplateIndicator:
    level1: str
    level2: str
    name: str
    additive: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    """A fund program's indicator set (and its usual goals)."""

    program: str
    indicators: tuple[TemplateIndicator, ...]
    goals: tuple[str, ...] = ()


def template_from_table(table: TargetTable) -> Template:
    """The indicator set of ``table``: level-1 names canonical; the additive flags a regional table carries, or
    :func:`~fundflow.core.performance.model.default_additive` for a table without recipient columns."""
    return Template(
        table.program,
        tuple(
            TemplateIndicator(
                canonical_level1(i.level1), i.level2, i.name, i.additive if table.recipients else default_additive(i)
            )
            for i in table.indicators
        ),
        table.goals,
    )


def _place_for_year(level1: str, level2: str, year: int) -> tuple[str, str]:
    """Move a cost indicator to the place the year's tree gives it."""
    tree = tree_for_year(year)
    if (level1, level2) == _OLD_COST and level2 not in tree.get(level1, frozenset()):
        return _NEW_COST
    if (level1, level2) == _NEW_COST and level1 not in tree:
        return _OLD_COST
    return level1, level2


def table_from_template(
    template: Template, year: int, region: str, last_year: TargetTable | None = None
) -> TargetTable:
    """A new table for ``year`` and ``region``: the template's indicators with last year's values where the same
    indicator (by name and tree position, either era) had one, blank otherwise; goals from last year or the
    template."""
    previous: dict[tuple[str, str], Indicator] = {}
    if last_year is not None:
        for earlier in last_year.indicators:
            place = _place_for_year(canonical_level1(earlier.level1), earlier.level2, year)
            previous[(place[1], earlier.name)] = earlier
    indicators = []
    for item in template.indicators:
        level1, level2 = _place_for_year(item.level1, item.level2, year)
        old = previous.get((level2, item.name))
        value = old.value if old is not None else text_value("")
        indicators.append(Indicator(level1, level2, item.name, value, additive=item.additive))
    goals = last_year.goals if last_year is not None and last_year.goals else template.goals
    return TargetTable(template.program, year, region, goals, None, tuple(indicators))
