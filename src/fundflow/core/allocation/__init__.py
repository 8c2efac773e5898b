"""Allocation methods. :func:`allocate` dispatches a plan to its method's pure function."""

from __future__ import annotations

from fundflow.core.allocation.factor import allocate_factor
from fundflow.core.allocation.fixed import allocate_fixed
from fundflow.core.allocation.settlement import PART as SETTLEMENT_PART
from fundflow.core.allocation.settlement import allocate_settlement
from fundflow.core.allocation.standard_share import allocate_standard_share
from fundflow.core.allocation.validation import input_problems, parameter_problems
from fundflow.core.errors import PlanError
from fundflow.core.plan import FactorMethod, FixedMethod, Plan, SettlementMethod, StandardShareMethod
from fundflow.core.result import AllocationResult

__all__ = ["allocate", "part_names"]


def allocate(plan: Plan) -> AllocationResult:
    """Compute ``plan`` by its method. Pure: the same plan always gives the same result.

    The parameter and input rules (:mod:`fundflow.core.allocation.validation`) run first, all of them, and every
    problem they find is raised together; only a plan that passes them is computed.
    """
    problems = [*parameter_problems(plan), *input_problems(plan, plan.recipients)]
    if problems:
        raise PlanError(problems)
    if isinstance(plan.method, FactorMethod):
        return allocate_factor(plan)
    if isinstance(plan.method, StandardShareMethod):
        return allocate_standard_share(plan)
    if isinstance(plan.method, SettlementMethod):
        return allocate_settlement(plan)
    if isinstance(plan.method, FixedMethod):
        return allocate_fixed(plan)
    raise TypeError(f"unknown method {plan.method!r}")


def part_names(plan: Plan) -> tuple[str, ...]:
    """The printed parts of the plan's table (its factors, its components, or its one amount column) — what a
    manual adjustment may name as ``part``. Known from the parameters alone, before anything is computed."""
    if isinstance(plan.method, FactorMethod):
        return tuple(f.name for f in plan.method.factors)
    if isinstance(plan.method, StandardShareMethod):
        return tuple(c.name for c in plan.method.components)
    if isinstance(plan.method, SettlementMethod):
        return (SETTLEMENT_PART,)
    return (plan.method.part,)
