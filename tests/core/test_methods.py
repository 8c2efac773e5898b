"""Standard-plus-share, settlement and fixed methods, with figures worked out by hand in the comments."""

from decimal import Decimal as D

import pytest

from fundflow.core.allocation import allocate
from fundflow.core.apportion import Apportion
from fundflow.core.errors import PlanError
from fundflow.core.money import Rounding, RoundingMode, Unit
from fundflow.core.plan import (
    Adjustment,
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


def rec(name, group=None, **values):
    dup = values.pop("duplicates", {})
    return Recipient(
        name=name,
        group=group,
        values={k: D(str(v)) for k, v in values.items()},
        duplicates={k: D(str(v)) for k, v in dup.items()},
    )


def share_plan(apportion=Apportion.LARGEST_REMAINDER, total=None):
    return Plan(
        title="t",
        method=StandardShareMethod(
            (
                StandardComponent("资助参保", "persons", D(2000)),
                ShareComponent("就医救助", D(3000000), share_percent="pct"),
                ShareComponent("经办能力", D(600000), count="offices", base=D(20), share_places=2),
            )
        ),
        recipients=(
            rec("额敏县", persons=1523, pct="41.35", offices=7),
            rec("托里县", persons=877, pct="33.33", offices=6),
            rec("裕民县", persons=640, pct="25.32", offices=7),
        ),
        unit=Unit.WAN,
        rounding=Rounding(2),
        apportion=apportion,
        total=total,
    )


def test_standard_plus_share_sums_in_yuan_then_converts():
    result = allocate(share_plan())
    # 额敏县: 1523×2000 = 3,046,000 元; 3,000,000×41.35% = 1,240,500 元; 600,000×(7/20=35.00%) = 210,000 元
    # total 4,496,500 元 = 449.65 万元
    line = result.find_line("额敏县")
    assert line.parts == {"资助参保": D("304.60"), "就医救助": D("124.05"), "经办能力": D("21.00")}
    assert line.amount == D("449.65")
    # 托里县: 1,754,000 + 999,900 + 600,000×30.00% = 180,000 → 2,933,900 元 = 293.39 万元
    assert result.find_line("托里县").amount == D("293.39")
    assert result.total == D("968.00")


def test_computed_share_is_rounded_to_stated_places():
    plan = Plan(
        title="比例",
        method=StandardShareMethod((ShareComponent("经办能力", D(100000), count="offices", share_places=2),)),
        recipients=(rec("甲", offices=1), rec("乙", offices=1), rec("丙", offices=1)),
        rounding=Rounding(2),
    )
    result = allocate(plan)
    # base = sum of counts = 3; 1/3 = 33.333…% → 33.33%; 100000 × 33.33% = 33,330 元 = 3.333 万元 → 3.33
    assert [ln.inputs["经办能力%"] for ln in result.lines] == [D("33.33")] * 3
    assert [ln.amount for ln in result.lines] == [D("3.33")] * 3
    assert any("比例合计为 99.99%" in n for n in result.notes)


def test_given_shares_over_100_percent_are_an_error():
    plan = share_plan()
    over = Plan(
        title=plan.title,
        method=plan.method,
        recipients=(*plan.recipients[:2], rec("裕民县", persons=640, pct="25.33", offices=7)),
        unit=plan.unit,
        rounding=plan.rounding,
    )
    with pytest.raises(PlanError) as err:
        allocate(over)
    [problem] = err.value.problems
    assert problem.rule == "share.oversubscribed"
    assert "“就医救助”各行比例合计为 100.01%，超过 100%" in problem.message


def test_computed_shares_over_100_percent_are_an_error():
    # stated base 20, but the counts add up to 7 + 6 + 8 = 21: 35% + 30% + 40% = 105%
    plan = share_plan()
    over = Plan(
        title=plan.title,
        method=plan.method,
        recipients=(*plan.recipients[:2], rec("裕民县", persons=640, pct="25.32", offices=8)),
        unit=plan.unit,
        rounding=plan.rounding,
    )
    with pytest.raises(PlanError) as err:
        allocate(over)
    [problem] = err.value.problems
    assert problem.rule == "share.oversubscribed"
    assert "“经办能力”各行比例合计为 105.00%" in problem.message
    assert "各行人数合计 21 大于计算基数 20" in problem.message
    # rounding alone can overshoot: 6 offices of 1, base 6, 16.67% → 17% each = 102%
    rounded = Plan(
        title="比例",
        method=StandardShareMethod((ShareComponent("经办能力", D(100000), count="offices", share_places=0),)),
        recipients=tuple(rec(n, offices=1) for n in "甲乙丙丁戊己"),
        rounding=Rounding(2),
    )
    with pytest.raises(PlanError) as err:
        allocate(rounded)
    assert [p.rule for p in err.value.problems] == ["share.oversubscribed"]
    assert "合计为 102%" in err.value.problems[0].message
    assert "share_places" in err.value.problems[0].message


def test_standard_share_stated_total_must_be_met():
    with pytest.raises(PlanError, match=r"与计划总额 968\.01万元 不符"):
        allocate(share_plan(total=D("968.01")))


def test_settlement_entitlement_minus_advance_and_clawback_note():
    plan = Plan(
        title="结算",
        method=SettlementMethod("塔地财社〔2021〕8号", standard_yuan=D(30)),
        recipients=(
            rec("额敏县", insured=5210, duplicates={"低保重复": 310, "特困重复": 25}, advanced="12.00"),
            rec("沙湾市", insured=4100, duplicates={"低保重复": 120}, advanced="13.50"),
            rec("托里县", entitlement="8.37", advanced="8.00"),
        ),
        rounding=Rounding(2),
    )
    result = allocate(plan)
    # 额敏县: (5210 − 310 − 25) × 30 = 146,250 元 = 14.625 → 14.63 万元; − 12.00 = 2.63
    assert result.find_line("额敏县").amount == D("2.63")
    assert result.find_line("额敏县").inputs["entitlement"] == D("14.63")
    # 沙湾市: 3980 × 30 = 119,400 元 = 11.94; − 13.50 = −1.56 → clawback
    shawan = result.find_line("沙湾市")
    assert shawan.amount == D("-1.56")
    assert shawan.note == "从塔地财社〔2021〕8号文件扣回"
    assert result.find_line("托里县").amount == D("0.37")
    assert result.total == D("1.44")
    assert any("扣回 1.56万元" in n for n in result.notes)


def test_settlement_note_prints_every_figure_with_the_plans_places():
    plan = Plan(
        title="结算",
        method=SettlementMethod("塔地财社〔2021〕8号"),
        recipients=(rec("额敏县", entitlement="3000.37", advanced=0), rec("沙湾市", entitlement=1, advanced=5)),
        rounding=Rounding(2),
    )
    result = allocate(plan)
    assert "本次结算补拨 3000.37万元，扣回 4.00万元，净额 2996.37万元。" in result.notes
    from fundflow.core.explain import explain

    steps = " ".join(explain(result, "沙湾市") or [])
    assert "核定应补助 1.00 − 已预拨 5.00 = -4.00万元" in steps
    assert "即扣回 4.00万元" in steps


def test_settlement_half_even_changes_a_half():
    plan = Plan(
        title="结算",
        method=SettlementMethod("X〔2021〕1号", standard_yuan=D(30)),
        recipients=(rec("额敏县", insured=4875, advanced=0),),
        rounding=Rounding(2, RoundingMode.HALF_EVEN),
    )
    # 4875 × 30 = 146,250 元 = 14.625 万元 → half-even 14.62 (half-up would give 14.63)
    assert allocate(plan).total == D("14.62")


def test_fixed_amount_and_total_check():
    plan = Plan(
        title="定额",
        method=FixedMethod(),
        recipients=(rec("塔城地区医疗保障局", amount="48.5"),),
        total=D("48.5"),
        rounding=Rounding(2),
    )
    assert allocate(plan).total == D("48.5")
    bad = Plan(
        title="定额",
        method=FixedMethod(),
        recipients=(rec("塔城地区医疗保障局", amount="48.5"),),
        total=D("50"),
        rounding=Rounding(2),
    )
    with pytest.raises(PlanError, match="不符"):
        allocate(bad)


def factor_plan(**kw):
    base = {
        "title": "因素",
        "method": FactorMethod((Factor("A", D("0.6"), ("a",)), Factor("B", D("0.4"), ("b",)))),
        "recipients": (rec("甲", "一组", a=1, b=1), rec("乙", "一组", a=2, b=0), rec("丙", "二组", a=3, b=3)),
        "total": D(100),
        "apportion": Apportion.HIERARCHICAL,
    }
    base.update(kw)
    return Plan(**base)


def test_factor_errors_are_all_reported_together():
    plan = factor_plan(
        method=FactorMethod((Factor("A", D("0.6"), ("a",)), Factor("B", D("0.5"), ("missing",)))),
        recipients=(rec("甲", "一组", a=-1), rec("乙", "一组", a=2)),
    )
    with pytest.raises(PlanError) as err:
        allocate(plan)
    rules = [p.rule for p in err.value.problems]
    assert "factor.weights-sum" in rules
    assert "各因素权重之和应为 100%，实为 110%" in str(err.value)


def test_factor_missing_column_and_negative_count():
    plan = factor_plan(recipients=(rec("甲", "一组", a=-1, b=1), rec("乙", "一组", a=2)))
    with pytest.raises(PlanError) as err:
        allocate(plan)
    messages = str(err.value)
    assert "“甲”的“a”为负数" in messages
    assert "“乙”缺少“b”列的数值" in messages


def test_total_that_cannot_be_met():
    with pytest.raises(PlanError, match="小数位多于保留位数"):
        allocate(factor_plan(total=D("100.5")))
    with pytest.raises(PlanError, match="人数合计为 0"):
        allocate(factor_plan(recipients=(rec("甲", "一组", a=1, b=0),)))


def test_unknown_group_is_rejected():
    with pytest.raises(PlanError, match="不在计划声明的分组"):
        allocate(factor_plan(groups=("一组",)))


def test_adjustments_must_balance_within_their_group():
    unbalanced = (Adjustment("甲", "A", D(1), "试"), Adjustment("丙", "A", D(-1), "试"))
    with pytest.raises(PlanError, match="“一组”组内“A”调整合计为 1"):
        allocate(factor_plan(adjustments=unbalanced))
    balanced = (Adjustment("甲", "A", D(1), "印发表如此"), Adjustment("乙", "A", D(-1), "印发表如此"))
    before = allocate(factor_plan())
    after = allocate(factor_plan(adjustments=balanced))
    assert after.find_line("甲").parts["A"] == before.find_line("甲").parts["A"] + 1
    assert after.total == before.total
    assert after.find_group("一组").parts == before.find_group("一组").parts
    assert "尾差调整 +1（理由：印发表如此）" in "\n".join(after.find_line("甲").explain["A"])


def test_adjustment_naming_unknown_recipient_or_part():
    with pytest.raises(PlanError) as err:
        allocate(factor_plan(adjustments=(Adjustment("丁", "A", D(1), "x"), Adjustment("甲", "C", D(1), "x"))))
    assert [p.rule for p in err.value.problems] == ["adjustment.unknown-recipient", "adjustment.unknown-part"]


def test_same_county_name_in_two_groups_is_allowed():
    plan = factor_plan(recipients=(rec("城关区", "一组", a=1, b=1), rec("城关区", "二组", a=1, b=1)))
    result = allocate(plan)
    assert [ln.amount for ln in result.lines] == [D(50), D(50)]


def test_adjustment_group_from_a_plan_file_disambiguates_names():
    from fundflow.io.plan_yaml import parse_plan

    text = """\
title: 同名
total: 10
method: factor
apportion: largest_remainder
factors: [{name: F, weight: 100%, counts: [n]}]
recipients:
  - {group: 甲, name: A, n: 1}
  - {group: 甲, name: B, n: 1}
  - {group: 乙, name: A, n: 2}
adjustments:
  - {group: 甲, recipient: A, part: F, delta: 2, reason: 测试}
  - {group: 甲, recipient: B, part: F, delta: -2, reason: 测试}
"""
    result = allocate(parse_plan(text, "p.yaml"))
    # 10 × 1/4 = 2.5 each for 甲/A and 甲/B, 5 for 乙/A; the one missing unit goes to 甲/A (equal remainders and
    # counts, then group and name); the adjustments then move 2 from 甲/B to 甲/A: 3 + 2 = 5, 2 − 2 = 0.
    assert [(ln.group, ln.recipient, ln.amount) for ln in result.lines] == [
        ("甲", "A", D(5)),
        ("甲", "B", D(0)),
        ("乙", "A", D(5)),
    ]


def test_settlement_money_inputs_print_at_the_plan_places(tmp_path):
    from fundflow.io.json_allocation import result_to_dict
    from fundflow.io.layout import build_layout

    plan = Plan(
        title="结算",
        method=SettlementMethod("X〔2021〕1号", standard_yuan=D(30)),
        recipients=(rec("甲", entitlement="20.5", advanced="12"), rec("乙", entitlement="0.5", advanced="8")),
        rounding=Rounding(2),
    )
    result = allocate(plan)
    layout = build_layout(result)
    assert layout.rows[1].cells[1:] == ["20.50", "12.00", "8.50", "8.50"]
    assert result_to_dict(result)["lines"][1]["inputs"] == {"entitlement": "0.50", "advanced": "8.00"}


def test_adjustment_rules_are_checked_without_computing():
    """The web form checks adjustments with the same rules before anything is computed (or computable)."""
    from fundflow.core.allocation import part_names
    from fundflow.core.allocation.common import Problems, check_adjustments

    # Total 100.5 cannot be met at 0 places, yet the adjustments themselves can still be judged.
    plan = factor_plan(
        total=D("100.5"),
        recipients=(rec("甲", "一组", a=1, b=1), rec("甲", "二组", a=1, b=1), rec("乙", "一组", a=2, b=0)),
        adjustments=(
            Adjustment("甲", "A", D(1), "x"),
            Adjustment("甲", "A", D(1), "x", group="一组"),
            Adjustment("乙", "A", D("-0.5"), "x", group="一组"),
            Adjustment("乙", "A", D(-1), " ", group="一组"),
        ),
    )
    assert part_names(plan) == ("A", "B")
    problems = Problems()
    targets = check_adjustments(plan, part_names(plan), problems)
    assert [(p.rule, p.message) for p in problems.items] == [
        (
            "adjustment.unknown-recipient",
            "尾差调整中的“甲”在多个分组中出现，请指明分组（计划文件中写 group，页面中写作“分组/名称”）",
        ),
        ("adjustment.bad-delta", "尾差调整数额“-0.5”应为非零且不超过0位小数"),
        ("adjustment.no-reason", "尾差调整必须写明理由（reason）"),
    ]
    assert [(r.group, r.name) for r in targets] == [("一组", "甲"), ("一组", "乙")]


def test_part_names_of_every_method():
    from fundflow.core.allocation import part_names

    assert part_names(share_plan()) == ("资助参保", "就医救助", "经办能力")
    fixed = Plan(title="t", method=FixedMethod("拨付资金"), recipients=())
    assert part_names(fixed) == ("拨付资金",)
    settlement = Plan(title="t", method=SettlementMethod("文号"), recipients=())
    assert part_names(settlement) == ("本次结算",)
