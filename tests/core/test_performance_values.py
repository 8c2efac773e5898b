"""Target values (指标值): every form written in the seed notices parses to its meaning and prints back identically;
an unreadable value is kept as text with a warning; generated values round-trip."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.core.errors import Location
from fundflow.core.performance.values import (
    COMPARATOR_SPELLINGS,
    DEADLINE_SUFFIXES,
    RANGE_SEPARATORS,
    UNITS,
    Comparator,
    Kind,
    TargetValue,
    base_quantity,
    format_value,
    parse_value,
)

# Every distinct 指标值 of the 绩效目标表 parts of seed 001 (15 regional tables) and seed 003, collected by hand.
SEED_001_VALUES = (  # noqa: SIM905 - the table's values as one readable block
    "≥404.5万人次 ≥28.8万人次 ≥13.0万人次 ≥70% ≥50% ≥95% 101782万元 明显提高 有效缓解 ≥80% ≥85% ≥13000人次 ≥10000人次 "
    "≥56000人次 1383万元 ≥800人次 ≥100人次 ≥1500人次 54万元 ≥277000人次 ≥28000人次 ≥14000人次 7701万元 ≥79000人次 "
    "≥4700人次 ≥1700人次 2525万元 ≥62000人次 ≥4000人次 ≥2700人次 1835万元 ≥24000人次 ≥3400人次 ≥3100人次 1773万元 "
    "≥29000人次 ≥6400人次 ≥200人次 947万元 ≥42000人次 ≥4100人次 1336万元 ≥25000人次 ≥2600人次 841万元 ≥92000人次 "
    "≥12800人次 ≥7600人次 2637万元 ≥276000人次 ≥8100人次 0 5662万元 ≥1640000人次 ≥112000人次 ≥600人次 40407万元 "
    "≥336000人次 ≥6900人次 9000万元 ≥1150000人次 ≥33400人次 25681万元"
).split()
SEED_003_VALUES = [
    "≥7个县市",
    "≥7个",
    "≥28个",
    "≥49个",
    "≥2次",
    "≥1次",
    "100%",
    "监测点覆盖各等级定点医疗机构、专科医院、社会办医疗机构、连锁零售药店等, 按要求配备硬件设施。",
    "逐步提高",
    "不少于1次",
    "2023年10月31日前",
    "=48.5万元",
    "显著提升",
    "提升",
    "≥70%",
    "≥95%",
]
# Forms the issue names that the two seeds do not print (other notices do).
OTHER_FORMS = ["> 68%", "6-9个月", "0%", "≤ 5天", "不低于70%", "有效改善", "逐步推开", "普遍开展", "12个月"]
ALL_VALUES = sorted(set(SEED_001_VALUES) | set(SEED_003_VALUES) | set(OTHER_FORMS))


@pytest.mark.parametrize("text", ALL_VALUES)
def test_every_seed_value_prints_back_identically(text):
    value, problems = parse_value(text)
    assert problems == []
    assert format_value(value) == text


@pytest.mark.parametrize(
    ("text", "kind", "comparator", "number", "unit"),
    [
        ("≥404.5万人次", Kind.NUMBER, Comparator.GE, Decimal("404.5"), "万人次"),
        ("≥13.0万人次", Kind.NUMBER, Comparator.GE, Decimal("13.0"), "万人次"),
        ("> 68%", Kind.NUMBER, Comparator.GT, Decimal(68), "%"),
        ("100%", Kind.NUMBER, None, Decimal(100), "%"),
        ("=48.5万元", Kind.NUMBER, Comparator.EQ, Decimal("48.5"), "万元"),
        ("101782万元", Kind.NUMBER, None, Decimal(101782), "万元"),
        ("0", Kind.NUMBER, None, Decimal(0), ""),
        ("0%", Kind.NUMBER, None, Decimal(0), "%"),
        ("≥7个县市", Kind.NUMBER, Comparator.GE, Decimal(7), "个县市"),
        ("不少于1次", Kind.NUMBER, Comparator.GE, Decimal(1), "次"),
        ("≤ 5天", Kind.NUMBER, Comparator.LE, Decimal(5), "天"),
        ("6-9个月", Kind.RANGE, None, Decimal(6), "个月"),
        ("明显提高", Kind.TEXT, None, None, ""),
    ],
)
def test_meaning_of_each_form(text, kind, comparator, number, unit):
    value, _ = parse_value(text)
    assert (value.kind, value.comparator, value.number, value.unit) == (kind, comparator, number, unit)


def test_spelling_is_kept_apart_from_meaning():
    ge_sign, _ = parse_value("≥1次")
    ge_words, _ = parse_value("不少于1次")
    assert ge_sign.comparator is ge_words.comparator is Comparator.GE
    assert (ge_sign.comparator_text, ge_words.comparator_text) == ("≥", "不少于")
    spaced, _ = parse_value("> 68%")
    assert (spaced.comparator, spaced.gap) == (Comparator.GT, " ")


def test_stated_number_is_evaluated_as_equal():
    assert parse_value("101782万元")[0].effective_comparator is Comparator.EQ
    assert parse_value("≥95%")[0].effective_comparator is Comparator.GE
    assert parse_value("6-9个月")[0].effective_comparator is None


def test_range_and_deadline():
    months, _ = parse_value("6-9个月")
    assert (months.number, months.upper, months.separator) == (Decimal(6), Decimal(9), "-")
    deadline, _ = parse_value("2023年10月31日前")
    assert (deadline.kind, deadline.deadline, deadline.suffix) == (Kind.DATE, datetime.date(2023, 10, 31), "前")


def test_base_quantity_removes_wan():
    assert base_quantity(parse_value("≥404.5万人次")[0]) == (Decimal("4045000.0"), "人次")
    assert base_quantity(parse_value("1383万元")[0]) == (Decimal(13830000), "元")
    assert base_quantity(parse_value("明显提高")[0]) is None


@pytest.mark.parametrize(
    "text",
    ["≥5家/年", "1,000人", "约95%", "2023年2月30日前", "９５%", "9-6个月", "13个乡镇场各社区社保网络运营、技术支持"],
)
def test_unreadable_value_with_digits_is_kept_as_text_with_a_warning(text):
    value, problems = parse_value(text, Location("t.txt", 7, 5))
    assert value.kind is Kind.TEXT
    assert format_value(value) == text
    assert [p.rule for p in problems] == ["perf.value-unparsed"]
    assert problems[0].location == Location("t.txt", 7, 5)
    assert text in problems[0].message


def test_qualitative_text_without_digits_is_not_a_problem():
    assert parse_value("按规定及时报销") == (TargetValue(Kind.TEXT, text="按规定及时报销"), [])


def test_blank_value_is_reported():
    value, problems = parse_value("  ")
    assert value.kind is Kind.TEXT
    assert [p.rule for p in problems] == ["perf.value-blank"]


def test_surrounding_whitespace_is_not_part_of_the_value():
    value, _ = parse_value(" ≥95% ")
    assert format_value(value) == "≥95%"


def test_mixed_date_padding_is_kept_as_text():
    assert parse_value("2023年1月05日前")[0].kind is Kind.TEXT
    padded, _ = parse_value("2023年01月05日前")
    assert (padded.kind, format_value(padded)) == (Kind.DATE, "2023年01月05日前")


# ---------------------------------------------------------------------------------------------------------
# Round trip of generated values
# ---------------------------------------------------------------------------------------------------------

numbers = st.builds(
    lambda whole, places, frac: Decimal(whole) if places == 0 else Decimal(f"{whole}.{frac:0{places}d}"),
    st.integers(0, 10**9),
    st.integers(0, 3),
    st.integers(0, 999),
).filter(lambda d: len(str(d).split(".")[-1]) <= 3 if "." in str(d) else True)
units = st.sampled_from(("", *UNITS))
gaps = st.sampled_from(("", " "))


def _written_number(number: Decimal) -> str:
    return f"{number:f}"


number_texts = st.builds(
    lambda cmp, gap, number, ugap, unit: (
        f"{cmp}{gap if cmp else ''}{_written_number(number)}{ugap if unit else ''}{unit}"
    ),
    st.sampled_from(("", *COMPARATOR_SPELLINGS)),
    gaps,
    numbers,
    gaps,
    units,
)
range_texts = st.builds(
    lambda low, extra, sep, unit: f"{low}{sep}{low + extra}{unit}",
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.sampled_from(RANGE_SEPARATORS),
    units,
)
date_texts = st.builds(
    lambda day, padded, suffix: (
        f"{day.year}年{day.month:02d}月{day.day:02d}日{suffix}"
        if padded
        else f"{day.year}年{day.month}月{day.day}日{suffix}"
    ),
    st.dates(datetime.date(1990, 1, 1), datetime.date(2099, 12, 31)),
    st.booleans(),
    st.sampled_from(DEADLINE_SUFFIXES),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(number_texts, range_texts, date_texts))
def test_generated_written_forms_print_back_identically(text):
    value, problems = parse_value(text)
    assert problems == []
    assert value.kind is not Kind.TEXT
    assert format_value(value) == text


@settings(max_examples=300, deadline=None)
@given(number_texts)
def test_generated_numbers_keep_their_meaning(text):
    value, _ = parse_value(text)
    spelled = next((s for s in sorted(COMPARATOR_SPELLINGS, key=len, reverse=True) if text.startswith(s)), "")
    assert value.comparator == (COMPARATOR_SPELLINGS[spelled] if spelled else None)
    assert value.number is not None
    assert _written_number(value.number) in text


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_text_is_never_lost(text):
    value, _ = parse_value(text)
    assert format_value(value) == text.strip()
    reparsed, _ = parse_value(format_value(value))
    assert reparsed == value or not text.strip()
