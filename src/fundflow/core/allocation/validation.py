"""The rules a plan must meet before it is computed, as lists of functions returning problems.

As beancount's validations are a list of functions each returning errors, every check here is a small typed
function: :data:`PARAMETER_RULES` need only the plan's parameters (weights, shares, the total) and so can judge a
spec entered on the web before any recipient exists; :data:`INPUT_RULES` judge the recipients' rows (names,
groups, missing or negative inputs, whole head counts, amounts at the plan's places) and so can judge an upload or
a page edit on its own. :func:`fundflow.core.allocation.allocate` runs both and computes only when they find
nothing; what can be judged only while computing (a zero base, shares over 100 %, the stated total, adjustments)
stays with the methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal

from fundflow.core.errors import Location, Problem
from fundflow.core.money import fmt, percent
from fundflow.core.plan import (
    FactorMethod,
    FixedMethod,
    Plan,
    Recipient,
    SettlementMethod,
    ShareComponent,
    StandardComponent,
    StandardShareMethod,
)

ParameterRule = Callable[[Plan], list[Problem]]
InputRule = Callable[[Plan, Sequence[Recipient]], list[Problem]]

# Settlement input columns (per recipient). Entitlement is given, or computed from insured persons.
ENTITLEMENT = "entitlement"
INSURED = "insured"
STANDARD = "standard_yuan"
ADVANCED = "advanced"
FIXED_AMOUNT = "amount"


# --- parameters -------------------------------------------------------------------------------------------------


def factors_given(plan: Plan) -> list[Problem]:
    """A factor plan names at least one factor."""
    if isinstance(plan.method, FactorMethod) and not plan.method.factors:
        return [Problem("factor.none", "因素法至少需要一个因素（factors）", plan.where("factors"))]
    return []


def factor_weights_sum(plan: Plan) -> list[Problem]:
    """The factors' weights add up to exactly 100 %."""
    if not isinstance(plan.method, FactorMethod) or not plan.method.factors:
        return []
    factors = plan.method.factors
    weights = sum((f.weight for f in factors), Decimal(0))
    if weights == 1:
        return []
    listed = " + ".join(f"{f.name} {percent(f.weight)}" for f in factors)
    message = f"各因素权重之和应为 100%，实为 {percent(weights)}（{listed}）"
    return [Problem("factor.weights-sum", message, plan.where("factors"))]


def factor_entries(plan: Plan) -> list[Problem]:
    """Each factor: a unique name, a non-negative weight and at least one count column."""
    if not isinstance(plan.method, FactorMethod):
        return []
    names = [f.name for f in plan.method.factors]
    problems = []
    for f in plan.method.factors:
        if names.count(f.name) > 1:
            problems.append(Problem("factor.duplicate", f"因素“{f.name}”重复", f.location))
        if f.weight < 0:
            problems.append(Problem("factor.negative-weight", f"因素“{f.name}”的权重为负数", f.location))
        if not f.counts:
            problems.append(Problem("factor.no-counts", f"因素“{f.name}”没有指定人数列（counts）", f.location))
    return problems


def factor_total(plan: Plan) -> list[Problem]:
    """A factor plan states a positive total that can be printed at the plan's places (so the parts reach it)."""
    if not isinstance(plan.method, FactorMethod) or not plan.method.factors:
        return []
    where = plan.where("total")
    if plan.total is None:
        return [Problem("plan.total-missing", "因素法必须给出资金总额（total）", where)]
    if plan.total <= 0:
        return [Problem("plan.total-not-positive", f"资金总额应大于 0，实为 {fmt(plan.total)}", where)]
    if plan.rounding.apply(plan.total) != plan.total:
        message = f"资金总额 {fmt(plan.total)} 的小数位多于保留位数 {plan.rounding.places}，分配结果无法合计到该总额"
        return [Problem("plan.total-unreachable", message, where)]
    return []


def components_given(plan: Plan) -> list[Problem]:
    """A standard_share plan has at least one component."""
    if isinstance(plan.method, StandardShareMethod) and not plan.method.components:
        message = "定额标准加比例分配至少需要一个组成部分（components）"
        return [Problem("share.none", message, plan.where("components"))]
    return []


def component_entries(plan: Plan) -> list[Problem]:
    """Each component: a unique name, a non-negative standard or pot, one way to get its share, a positive base."""
    if not isinstance(plan.method, StandardShareMethod):
        return []
    names = [c.name for c in plan.method.components]
    problems = []
    for c in plan.method.components:
        if names.count(c.name) > 1:
            problems.append(Problem("share.duplicate", f"组成部分“{c.name}”重复", c.location))
        if isinstance(c, StandardComponent) and c.standard_yuan < 0:
            problems.append(Problem("share.negative-standard", f"“{c.name}”的补助标准为负数", c.location))
        if isinstance(c, ShareComponent):
            if (c.share_percent is None) == (c.count is None):
                message = f"“{c.name}”须且只须给出 share_percent（给定比例）或 count（按人数计算比例）之一"
                problems.append(Problem("share.spec", message, c.location))
            if c.pot_yuan < 0:
                problems.append(Problem("share.negative-pot", f"“{c.name}”的资金池为负数", c.location))
            if c.base is not None and c.base <= 0:
                problems.append(Problem("share.bad-base", f"“{c.name}”的计算基数应大于 0", c.location))
    return problems


PARAMETER_RULES: tuple[ParameterRule, ...] = (
    factors_given,
    factor_weights_sum,
    factor_entries,
    factor_total,
    components_given,
    component_entries,
)


# --- recipients' inputs -----------------------------------------------------------------------------------------


def recipients_listed(plan: Plan, recipients: Sequence[Recipient]) -> list[Problem]:
    """At least one recipient."""
    if recipients:
        return []
    return [Problem("plan.no-recipients", "分配对象为空：至少需要一个单位或地区", plan.where("recipients"))]


def recipient_names(plan: Plan, recipients: Sequence[Recipient]) -> list[Problem]:
    """Every recipient named, and each name once within its group."""
    problems = []
    seen: set[tuple[str | None, str]] = set()
    for r in recipients:
        if not r.name.strip():
            problems.append(Problem("recipient.name-missing", "分配对象缺少名称", r.where("name")))
        elif (r.group, r.name) in seen:
            scope = f"在“{r.group}”组内" if r.group else ""
            problems.append(Problem("recipient.duplicate", f"分配对象“{r.name}”{scope}重复出现", r.where("name")))
        seen.add((r.group, r.name))
    return problems


def recipient_groups(plan: Plan, recipients: Sequence[Recipient]) -> list[Problem]:
    """Groups either everywhere or nowhere, and only declared groups."""
    problems = []
    grouped = [r.group is not None for r in recipients]
    if any(grouped) and not all(grouped):
        for r in recipients:
            if r.group is None:
                # The group cell is absent, so point at the row and name the column as users see it.
                cell = r.location.at_column("分组") if r.location else None
                problems.append(Problem("recipient.group-missing", f"“{r.name}”缺少分组（其他对象均已分组）", cell))
    if plan.groups:
        declared = set(plan.groups)
        for r in recipients:
            if r.group is not None and r.group not in declared:
                message = f"“{r.name}”的分组“{r.group}”不在计划声明的分组（groups）中"
                problems.append(Problem("recipient.unknown-group", message, r.where("group")))
    return problems


def needed_columns(plan: Plan, r: Recipient) -> Iterator[str]:
    """The input columns the plan's method reads for ``r``, in reading order (each once)."""
    method = plan.method
    columns: list[str] = []
    if isinstance(method, FactorMethod):
        columns = [c for f in method.factors for c in f.counts]
    elif isinstance(method, StandardShareMethod):
        for c in method.components:
            if isinstance(c, StandardComponent):
                columns.append(c.count)
            elif c.share_percent is not None:
                columns.append(c.share_percent)
            elif c.count is not None:
                columns.append(c.count)
    elif isinstance(method, SettlementMethod):
        if ENTITLEMENT in r.values:
            columns.append(ENTITLEMENT)
        else:
            columns.append(INSURED)
            if STANDARD in r.values:
                columns.append(STANDARD)
        columns.append(ADVANCED)
    elif isinstance(method, FixedMethod):
        columns.append(FIXED_AMOUNT)
    yield from dict.fromkeys(columns)


def inputs_given(plan: Plan, recipients: Sequence[Recipient]) -> list[Problem]:
    """Every column the method reads is present and not negative (a settlement: its duplicates too)."""
    problems = []
    for r in recipients:
        for column in needed_columns(plan, r):
            label = plan.label(column)
            if column not in r.values:
                problems.append(Problem("input.missing-column", f"“{r.name}”缺少“{label}”列的数值", r.where(column)))
            elif r.values[column] < 0:
                message = f"“{r.name}”的“{label}”为负数（{fmt(r.values[column])}），应为非负数"
                problems.append(Problem("input.negative", message, r.where(column)))
        if isinstance(plan.method, SettlementMethod) and ENTITLEMENT not in r.values:
            for category, dup in r.duplicates.items():
                if dup < 0:
                    where = r.where(f"duplicates.{category}")
                    problems.append(Problem("input.negative", f"“{r.name}”的重复人数“{category}”为负数", where))
    return problems


def count_columns(plan: Plan, r: Recipient) -> Iterator[tuple[str, Decimal, Location | None]]:
    """The head or household counts the method reads for ``r`` (value and cell): standard_share components'
    count columns and a settlement's insured persons and duplicates. Factor data may be real quantities."""
    method = plan.method
    if isinstance(method, StandardShareMethod):
        for column in dict.fromkeys(c.count for c in method.components if c.count is not None):
            if column in r.values:
                yield plan.label(column), r.values[column], r.where(column)
    elif isinstance(method, SettlementMethod) and ENTITLEMENT not in r.values:
        if INSURED in r.values:
            yield plan.label(INSURED), r.values[INSURED], r.where(INSURED)
        for category, dup in r.duplicates.items():
            yield category, dup, r.where(f"duplicates.{category}")


def whole_counts(plan: Plan, recipients: Sequence[Recipient]) -> list[Problem]:
    """Head and household counts are whole numbers (a negative one is reported as negative instead)."""
    problems = []
    for r in recipients:
        for label, value, where in count_columns(plan, r):
            if value >= 0 and value != value.to_integral_value():
                message = f"“{r.name}”的“{label}”为 {fmt(value)}，人数、户数应为整数"
                problems.append(Problem("input.fractional-count", message, where))
    return problems


def amounts_on_grid(plan: Plan, recipients: Sequence[Recipient]) -> list[Problem]:
    """Amounts given per recipient (fixed amounts, a settlement's entitlement and advance) are printable at the
    plan's places: the table could not print them otherwise."""
    method = plan.method
    columns: tuple[str, ...] = (FIXED_AMOUNT,) if isinstance(method, FixedMethod) else ()
    if isinstance(method, SettlementMethod):
        columns = (ENTITLEMENT, ADVANCED)
    problems = []
    for r in recipients:
        for column in columns:
            value = r.values.get(column)
            if value is not None and plan.rounding.apply(value) != value:
                message = (
                    f"“{r.name}”的“{plan.label(column)}”为 {fmt(value)}，小数位多于保留位数 {plan.rounding.places}"
                )
                problems.append(Problem("input.too-many-places", message, r.where(column)))
    return problems


def settlement_persons(plan: Plan, recipients: Sequence[Recipient]) -> list[Problem]:
    """Without a given entitlement: a per-capita standard (the row's or the plan's), and no more duplicates than
    insured persons."""
    if not isinstance(plan.method, SettlementMethod):
        return []
    problems = []
    for r in recipients:
        if ENTITLEMENT in r.values:
            continue
        if STANDARD not in r.values and plan.method.standard_yuan is None:
            message = f"“{r.name}”既未给出核定补助（entitlement），也没有人均补助标准（standard_yuan）"
            problems.append(Problem("settlement.standard-missing", message, r.where(STANDARD)))
        persons = r.values.get(INSURED, Decimal(0)) - sum(r.duplicates.values(), Decimal(0))
        if persons < 0:
            message = f"“{r.name}”扣除重复人员后人数为负数（{fmt(persons)}）"
            problems.append(Problem("settlement.negative-persons", message, r.where(INSURED)))
    return problems


INPUT_RULES: tuple[InputRule, ...] = (
    recipients_listed,
    recipient_names,
    recipient_groups,
    inputs_given,
    whole_counts,
    amounts_on_grid,
    settlement_persons,
)


def parameter_problems(plan: Plan) -> list[Problem]:
    """Everything :data:`PARAMETER_RULES` find in the plan's parameters."""
    return [p for rule in PARAMETER_RULES for p in rule(plan)]


def input_problems(plan: Plan, recipients: Sequence[Recipient]) -> list[Problem]:
    """Everything :data:`INPUT_RULES` find in ``recipients`` under the plan's method."""
    return [p for rule in INPUT_RULES for p in rule(plan, recipients)]
