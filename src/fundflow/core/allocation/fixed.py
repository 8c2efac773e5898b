"""定额下达 (fixed): given amounts to named units, e.g. 48.5 万元 to 塔城地区医疗保障局 (塔地财社〔2023〕32号)."""

from __future__ import annotations

from decimal import Decimal

from fundflow.core.allocation.common import Problems, Working, check_total, finish
from fundflow.core.allocation.validation import FIXED_AMOUNT as AMOUNT
from fundflow.core.money import fmt
from fundflow.core.plan import FixedMethod, Plan
from fundflow.core.result import AllocationResult, PartSpec


def allocate_fixed(plan: Plan) -> AllocationResult:
    """Each recipient receives its ``amount`` column; the stated total must be met exactly."""
    assert isinstance(plan.method, FixedMethod)
    part = plan.method.part
    unit = plan.unit.value
    problems = Problems()
    work = []
    for r in plan.recipients:
        w = Working(r)
        value = r.values[AMOUNT]
        w.parts[part] = value
        w.say(part, f"定额下达：{fmt(value)}{unit}（计划直接给定）")
        work.append(w)
    check_total(plan, sum((w.parts[part] for w in work), Decimal(0)), problems)
    problems.raise_if_any()
    return finish(plan, work, [PartSpec(name=part, header=part, amount_label=part)])
