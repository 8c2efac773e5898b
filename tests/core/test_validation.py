"""The core's validation as lists of rule functions: parameter rules judge a plan without recipients, input rules
judge rows on their own, and ``allocate`` runs both (every problem of both kinds at once)."""

import inspect
from decimal import Decimal as D

import pytest

from fundflow.core.allocation import allocate
from fundflow.core.allocation.validation import (
    INPUT_RULES,
    PARAMETER_RULES,
    input_problems,
    parameter_problems,
)
from fundflow.core.errors import PlanError
from fundflow.core.money import Rounding
from fundflow.core.plan import (
    Factor,
    FactorMethod,
    FixedMethod,
    Plan,
    Recipient,
    SettlementMethod,
    ShareComponent,
    StandardComponent,
    StandardShareMethod,
)
from fundflow.core.rules import RULES


def rec(name, group=None, duplicates=None, **values):
    return Recipient(
        name=name,
        group=group,
        values={k: D(str(v)) for k, v in values.items()},
        duplicates={k: D(str(v)) for k, v in (duplicates or {}).items()},
    )


def factor_plan(*factors, total=D(100), recipients=()):
    return Plan(title="t", method=FactorMethod(tuple(factors)), recipients=tuple(recipients), total=total)


def share_plan(*components, recipients=(), groups=()):
    method = StandardShareMethod(tuple(components))
    return Plan(title="t", method=method, recipients=tuple(recipients), groups=groups, rounding=Rounding(2))


def settlement_plan(recipients=(), standard=None):
    method = SettlementMethod(advance_document="塔地财社〔2021〕8号", standard_yuan=standard)
    return Plan(title="t", method=method, recipients=tuple(recipients), rounding=Rounding(2))


def fixed_plan(recipients=()):
    return Plan(title="t", method=FixedMethod(), recipients=tuple(recipients), rounding=Rounding(2))


def rules_of(problems):
    return [p.rule for p in problems]


GOOD_FACTOR = Factor("人数因素", D(1), ("persons",))


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (factor_plan(), ["factor.none"]),
        (factor_plan(Factor("甲", D("0.6"), ("a",)), Factor("乙", D("0.3"), ("b",))), ["factor.weights-sum"]),
        (factor_plan(Factor("甲", D("0.5"), ("a",)), Factor("甲", D("0.5"), ("b",))), ["factor.duplicate"] * 2),
        (
            factor_plan(Factor("甲", D("1.5"), ("a",)), Factor("乙", D("-0.5"), ("b",))),
            ["factor.negative-weight"],
        ),
        (factor_plan(Factor("甲", D(1), ())), ["factor.no-counts"]),
        (factor_plan(GOOD_FACTOR, total=None), ["plan.total-missing"]),
        (factor_plan(GOOD_FACTOR, total=D(0)), ["plan.total-not-positive"]),
        (factor_plan(GOOD_FACTOR, total=D("100.5")), ["plan.total-unreachable"]),
        (share_plan(), ["share.none"]),
        (
            share_plan(StandardComponent("甲", "a", D(1)), StandardComponent("甲", "b", D(1))),
            ["share.duplicate"] * 2,
        ),
        (share_plan(StandardComponent("甲", "a", D(-1))), ["share.negative-standard"]),
        (share_plan(ShareComponent("甲", D(1))), ["share.spec"]),
        (share_plan(ShareComponent("甲", D(-1), share_percent="p")), ["share.negative-pot"]),
        (share_plan(ShareComponent("甲", D(1), count="c", base=D(0))), ["share.bad-base"]),
    ],
)
def test_each_parameter_rule_refuses_without_any_recipient(plan, expected):
    assert plan.recipients == ()
    assert rules_of(parameter_problems(plan)) == expected


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (fixed_plan(), ["plan.no-recipients"]),
        (fixed_plan([rec("", amount=1)]), ["recipient.name-missing"]),
        (fixed_plan([rec("甲", amount=1), rec("甲", amount=2)]), ["recipient.duplicate"]),
        (fixed_plan([rec("甲", "一组", amount=1), rec("乙", amount=2)]), ["recipient.group-missing"]),
        (
            share_plan(StandardComponent("s", "n", D(1)), recipients=[rec("甲", "三组", n=1)], groups=("一组",)),
            ["recipient.unknown-group"],
        ),
        (fixed_plan([rec("甲")]), ["input.missing-column"]),
        (fixed_plan([rec("甲", amount=-1)]), ["input.negative"]),
        (settlement_plan([rec("甲", insured=5, advanced=0, duplicates={"低保": -1})], D(1)), ["input.negative"]),
        (fixed_plan([rec("甲", amount="1.005")]), ["input.too-many-places"]),
        (settlement_plan([rec("甲", entitlement="1.001", advanced=0)]), ["input.too-many-places"]),
        (settlement_plan([rec("甲", insured=5, advanced=0)]), ["settlement.standard-missing"]),
        (
            settlement_plan([rec("甲", insured=1, advanced=0, duplicates={"低保": 2})], D(1)),
            ["settlement.negative-persons"],
        ),
        (share_plan(StandardComponent("资助参保", "persons", D(1)), recipients=[rec("甲", persons="2.5")]), []),
    ],
)
def test_each_input_rule_refuses(plan, expected):
    if expected:
        assert rules_of(input_problems(plan, plan.recipients)) == expected
    else:  # the whole-count rule: see test_head_counts_must_be_whole_numbers
        assert rules_of(input_problems(plan, plan.recipients)) == ["input.fractional-count"]


def test_head_counts_must_be_whole_numbers():
    standard = share_plan(StandardComponent("资助参保", "persons", D(2000)), recipients=[rec("额敏县", persons="2.5")])
    [problem] = input_problems(standard, standard.recipients)
    assert problem.rule == "input.fractional-count"
    assert problem.message == "“额敏县”的“persons”为 2.5，人数、户数应为整数"
    offices = ShareComponent("经办", D(100), count="offices", base=D(10))
    share = share_plan(offices, recipients=[rec("甲", offices="1.5")])
    assert rules_of(input_problems(share, share.recipients)) == ["input.fractional-count"]
    settled = settlement_plan([rec("甲", insured="3.5", advanced=0, duplicates={"低保": "0.5"})], D(10))
    assert rules_of(input_problems(settled, settled.recipients)) == ["input.fractional-count"] * 2
    # A given entitlement makes the persons irrelevant; 2.50 is a whole number written with decimals.
    given = settlement_plan([rec("甲", entitlement=1, insured="3.5", advanced=0)])
    assert input_problems(given, given.recipients) == []
    whole = share_plan(StandardComponent("资助参保", "persons", D(2000)), recipients=[rec("甲", persons="2.00")])
    assert input_problems(whole, whole.recipients) == []


def test_factor_data_may_be_real_quantities():
    plan = factor_plan(Factor("面积因素", D(1), ("area",)), recipients=[rec("甲", area="12.5"), rec("乙", area="7.5")])
    assert input_problems(plan, plan.recipients) == []
    assert [line.amount for line in allocate(plan).lines] == [D(63), D(38)]  # 62.5 and 37.5, per line


def test_allocate_reports_parameter_and_input_problems_together():
    plan = factor_plan(
        Factor("甲", D("0.6"), ("a",)),
        Factor("乙", D("0.3"), ("b",)),
        recipients=[rec("额敏县", a=-1, b=1), rec("托里县", b=2)],
    )
    with pytest.raises(PlanError) as err:
        allocate(plan)
    assert rules_of(err.value.problems) == ["factor.weights-sum", "input.negative", "input.missing-column"]
    assert "额敏县" in err.value.problems[1].message
    assert "托里县" in err.value.problems[2].message


def test_allocate_refuses_a_fractional_head_count_before_computing():
    plan = share_plan(StandardComponent("资助参保", "persons", D(2000)), recipients=[rec("额敏县", persons="1523.5")])
    with pytest.raises(PlanError) as err:
        allocate(plan)
    assert rules_of(err.value.problems) == ["input.fractional-count"]


def test_rules_are_typed_functions_with_registered_ids():
    for rule in PARAMETER_RULES:
        assert list(inspect.signature(rule).parameters) == ["plan"]
    for rule in INPUT_RULES:
        assert list(inspect.signature(rule).parameters) == ["plan", "recipients"]
    source = inspect.getsource(inspect.getmodule(PARAMETER_RULES[0]))
    assert all(f'"{rule}"' in source for rule in ("factor.weights-sum", "input.fractional-count"))
    assert "input.fractional-count" in RULES
