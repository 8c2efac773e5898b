"""Ledger rule registry and 文号 parsing/normalising/numbering."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fundflow.core.ledger import docno
from fundflow.core.ledger.rules import RULES, Severity, problem


def test_every_rule_has_a_chinese_message_and_a_severity():
    assert RULES["ledger.exceeds-available"].severity is Severity.ERROR
    assert RULES["warn.not-reallocated"].severity is Severity.WARNING
    p = problem("ledger.fund-changed", parent="医疗救助补助资金", child="其他资金")
    assert p.rule == "ledger.fund-changed"
    assert p.message == "资金名称不得改变：上级指标为“医疗救助补助资金”，此处为“其他资金”"


def test_parse_canonical():
    assert docno.parse("塔地财社〔2021〕87号") == docno.DocNo("塔地财社", 2021, 87)
    assert str(docno.DocNo("新财社", 2020, 34)) == "新财社〔2020〕34号"


def test_normalise_variants():
    for variant in (
        "塔地财社[2021]87号",
        "塔地财社（2021）87号",
        "塔地财社 〔2021〕 87 号",
        "塔地财社【2021】087号",
        "塔地财社(2021)87号",
        "塔地财社\u3000〔2021〕87号",
    ):
        assert docno.normalise(variant) == "塔地财社〔2021〕87号", variant


def test_not_a_doc_no():
    assert docno.parse("财社〔21〕8号") is None
    assert docno.parse("塔地财社〔2021〕0号") is None
    assert docno.parse("塔地财社2021年87号") is None
    assert docno.normalise(" 外部 文件 ") == "外部文件"


def test_next_number_never_reuses_gaps():
    assert docno.next_number("塔地财社", 2021, []) == 1
    assert docno.next_number("塔地财社", 2021, [1, 2, 5]) == 6


@given(
    prefix=st.text(alphabet="新塔地财社预农教", min_size=1, max_size=6),
    year=st.integers(1990, 2099),
    seq=st.integers(1, 99999),
)
def test_format_parse_round_trip(prefix, year, seq):
    text = docno.format_doc_no(prefix, year, seq)
    assert docno.parse(text) == docno.DocNo(prefix, year, seq)
    assert docno.normalise(text) == text
