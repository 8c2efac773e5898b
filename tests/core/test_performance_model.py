"""Target tables as data: the indicator tree of each era, regional sums of additive indicators, 资金情况 sums."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fundflow.core.performance.model import (
    NEW_TREE_FROM,
    FundPart,
    Funds,
    Indicator,
    TargetTable,
    check_table,
    default_additive,
    tree_for_year,
    with_recipients,
)
from fundflow.core.performance.values import parse_value


def value(text):
    parsed, problems = parse_value(text)
    assert problems == []
    return parsed


def indicator(level1, level2, name, text, **kwargs):
    return Indicator(level1, level2, name, value(text), **kwargs)


def table(year, indicators, **kwargs):
    return TargetTable("医疗救助补助资金", year, "新疆维吾尔自治区", indicators=tuple(indicators), **kwargs)


def rules(problems):
    return [p.rule for p in problems]


# --- the indicator tree --------------------------------------------------------------------------------------

OLD_STYLE = [
    indicator("产出指标", "数量指标", "资助参保人数", "≥404.5万人次"),
    indicator("产出指标", "成本指标", "资金到位情况", "101782万元"),
    indicator("效益指标", "社会效益指标", "困难群众看病就医方便程度", "明显提高"),
    indicator("满意度", "服务对象满意度指标", "政策知晓率", "≥80%"),
]
NEW_STYLE = [
    indicator("产出指标", "数量指标", "购买电视数量", "≥7个"),
    indicator("成本指标", "经济成本指标", "医保能力提升经费", "=48.5万元"),
    indicator("效益指标", "社会效益指标", "医保政策知晓率", "提升"),
    indicator("满意度指标", "满意度指标", "经办机构满意度", "≥95%"),
]


def test_the_new_tree_starts_in_2022():
    assert NEW_TREE_FROM == 2022
    assert "经济成本指标" in tree_for_year(2022)["成本指标"]
    assert "成本指标" not in tree_for_year(2021)
    assert "成本指标" not in tree_for_year(2022)["产出指标"]
    assert "成本指标" in tree_for_year(2021)["产出指标"]


def test_each_era_accepts_its_own_tree():
    assert check_table(table(2021, OLD_STYLE)) == []
    assert check_table(table(2023, NEW_STYLE)) == []


def test_the_other_era_s_tree_is_a_warning_naming_the_indicator():
    old_in_new = check_table(table(2023, OLD_STYLE))
    assert rules(old_in_new) == ["perf.tree-era"]
    assert "资金到位情况" in old_in_new[0].message
    assert "2023年度" in old_in_new[0].message
    new_in_old = check_table(table(2021, NEW_STYLE))
    assert rules(new_in_old) == ["perf.tree-era"]
    assert "医保能力提升经费" in new_in_old[0].message


def test_level2_under_a_wrong_level1_is_an_error():
    problems = check_table(table(2021, [indicator("效益指标", "数量指标", "住院救助人次", "≥28.8万人次")]))
    assert rules(problems) == ["perf.level-parent"]
    assert problems[0].message == (
        "三级指标“住院救助人次”：二级指标“数量指标”不能列在一级指标“效益指标”下（应在产出指标下）"
    )


@pytest.mark.parametrize(("level1", "level2"), [("产出", "数量指标"), ("产出指标", "数量")])
def test_unknown_level_names_are_warnings(level1, level2):
    assert rules(check_table(table(2021, [indicator(level1, level2, "x", "≥1次")]))) == ["perf.level-unknown"]


def test_tree_groups_in_table_order():
    tree = table(2021, OLD_STYLE).tree()
    assert list(tree) == ["产出指标", "效益指标", "满意度"]
    assert [i.name for i in tree["产出指标"]["数量指标"]] == ["资助参保人数"]


# --- regional columns ------------------------------------------------------------------------------------------


def regional(region_text, recipient_texts, *, additive=True, level2="数量指标"):
    names = tuple(f"县{i}" for i in range(len(recipient_texts)))
    ind = Indicator(
        "产出指标",
        level2,
        "住院救助人次",
        value(region_text),
        recipients=tuple((n, value(t)) for n, t in zip(names, recipient_texts, strict=True)),
        additive=additive,
    )
    return table(2021, [ind], recipients=names)


def test_region_value_equal_to_the_sum_passes():
    assert check_table(regional("≥300人次", ["≥100人次", "≥200人次"])) == []


def test_region_in_wan_compared_at_its_printed_precision():
    # 13.0万 is 130400 rounded to 0.1万; 404.5万 is not 4045800 (404.6万).
    assert check_table(regional("≥13.0万人次", ["≥130000人次", "≥400人次"])) == []
    problems = check_table(regional("≥404.5万人次", ["≥4045000人次", "≥800人次"]))
    assert rules(problems) == ["perf.region-sum"]
    assert problems[0].message == (
        "三级指标“住院救助人次”：区域指标值 ≥404.5万人次 与2个下级指标值之和 4045800人次（404.6万人次）不符"
    )


def test_region_sum_off_by_one_is_reported():
    assert rules(check_table(regional("≥301人次", ["≥100人次", "≥200人次"]))) == ["perf.region-sum"]


def test_non_additive_indicator_is_not_summed():
    assert check_table(regional("≥70%", ["≥70%", "≥70%"], additive=False)) == []


def test_recipient_cell_that_is_not_a_number_is_reported():
    problems = check_table(regional("≥300人次", ["≥100人次", "沙湾市"]))
    assert rules(problems) == ["perf.region-cell"]
    assert "县1" in problems[0].message
    assert "沙湾市" in problems[0].message


def test_recipient_in_another_unit_is_reported():
    assert rules(check_table(regional("≥300人次", ["≥100人次", "≥200人"]))) == ["perf.region-cell"]


def test_bare_zero_counts_as_zero_of_the_region_s_unit():
    assert check_table(regional("≥300人次", ["≥300人次", "0"])) == []


def test_missing_recipient_is_reported():
    t = regional("≥300人次", ["≥100人次", "≥200人次"])
    t = TargetTable(t.program, t.year, t.region, indicators=t.indicators, recipients=(*t.recipients, "县9"))
    problems = check_table(t)
    assert rules(problems) == ["perf.region-cell"]
    assert "县9" in problems[0].message
    assert "（空）" in problems[0].message


def test_default_additive_counts_and_amounts_only():
    assert default_additive(indicator("产出指标", "数量指标", "住院救助人次", "≥28.8万人次"))
    assert default_additive(indicator("产出指标", "成本指标", "资金到位情况", "101782万元"))
    assert default_additive(indicator("成本指标", "经济成本指标", "经费", "=48.5万元"))
    assert not default_additive(indicator("产出指标", "质量指标", "救助比例", "≥70%"))
    assert not default_additive(indicator("产出指标", "数量指标", "覆盖率", "100%"))
    assert not default_additive(indicator("效益指标", "社会效益指标", "方便程度", "明显提高"))
    assert not default_additive(indicator("产出指标", "数量指标", "门诊救助人次", "0"))


def test_with_recipients_matches_by_tree_position_and_name():
    region = table(2021, OLD_STYLE)
    county = TargetTable(
        "医疗救助补助资金",
        2021,
        "乌鲁木齐市",
        indicators=(
            indicator("满意度指标", "服务对象满意度指标", "政策知晓率", "≥80%"),
            indicator("产出指标", "成本指标", "资金到位情况", "1383万元"),
        ),
    )
    merged = with_recipients(region, [("乌鲁木齐市", county)])
    assert merged.recipients == ("乌鲁木齐市",)
    by_name = {i.name: i for i in merged.indicators}
    assert by_name["资金到位情况"].recipients == (("乌鲁木齐市", value("1383万元")),)
    assert by_name["资金到位情况"].additive
    assert by_name["政策知晓率"].recipients == (("乌鲁木齐市", value("≥80%")),)  # 满意度 = 满意度指标
    assert not by_name["政策知晓率"].additive
    assert by_name["资助参保人数"].recipients == ()
    explicit = with_recipients(region, [("乌鲁木齐市", county)], additive=["政策知晓率"])
    assert [i.name for i in explicit.indicators if i.additive] == ["政策知晓率"]


# --- 资金情况 ----------------------------------------------------------------------------------------------------


def funds(total, *parts):
    return Funds(
        "万元",
        FundPart("年度金额", Decimal(total)),
        tuple(FundPart(label, None if amount is None else Decimal(amount)) for label, amount in parts),
    )


def test_funds_parts_adding_up_pass():
    ok = funds("101782", ("中央资金", "101782"), ("地方资金", None), ("其他资金", None))
    assert check_table(table(2021, [], funds=ok)) == []
    ok2 = funds("48.5", ("财政拨款", "48.5"), ("其他资金", "0"))
    assert check_table(table(2023, [], funds=ok2)) == []


def test_funds_parts_not_adding_up_are_an_error():
    bad = funds("101782", ("中央资金", "100000"), ("地方资金", "1000"), ("其他资金", None))
    problems = check_table(table(2021, [], funds=bad))
    assert rules(problems) == ["perf.funds-sum"]
    assert problems[0].message == "资金情况：中央资金 100000 + 地方资金 1000 = 101000万元，不等于年度金额 101782万元"


def test_funds_without_parts_are_not_checked():
    assert check_table(table(2021, [], funds=funds("54", ("中央资金", None)))) == []
