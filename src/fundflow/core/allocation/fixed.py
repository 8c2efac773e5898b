"""定额下达 (fixed): given amounts to named units, e.g. 48.5 万元 to 塔城地区医疗保障局 (塔地财社〔2023〕32号)."""

from __future__ import annotations

from decimal import Decimal

from fundflow.core.allocation.common import (
    Problems,
    Working,
    check_recipients,
    check_total,
    finish,
    number,
    on_grid,
)
from fundflow.core.money import fmt
from fundflow.core.plan import FixedMethod, Plan
from fundflow.core.result import AllocationResult, PartSpec

AMOUNT = "amount"


def allocate_fixed(plan: Plan) -> AllocationResult:
    """Each recipient receives its ``amount`` column; the stated total must be met exactly."""
    assert isinstance(plan.method, FixedMethod)
    part = plan.method.part
    unit = plan.unit.value
    problems = Problems()
    check_recipients(plan, problems)
    work = []
    for r in plan.recipients:
        w = Working(r)
        value = number(r, AMOUNT, plan.label(AMOUNT), problems)
        on_grid(plan, r, AMOUNT, value, problems)
        w.parts[part] = value
        w.say(part, f"定额下达：{fmt(value)}{unit}（计划直接给定）")
        work.append(w)
    check_total(plan, sum((w.parts[part] for w in work), Decimal(0)), problems)
    problems.raise_if_any()
    return finish(plan, work, [PartSpec(name=part, header=part, amount_label=part)])
