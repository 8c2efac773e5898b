"""Classification codes quoted in notices: seed 001's 2030249 is caught, seed 003 is clean."""

import json

from typer.testing import CliRunner

from fundflow.cli import app
from fundflow.core.code_check import check_codes, mentions
from fundflow.reference import catalogue
from tests.conftest import SEED_001, SEED_003


def test_mentions_are_found_with_line_and_column():
    found = mentions(['收入列“1100249 医疗卫生共同财政事权转移支付收入”，支出列"2101506医疗保障经办事务"'], "n.txt")
    assert [(m.code, m.name, m.location.row, m.location.column) for m in found] == [
        ("1100249", "医疗卫生共同财政事权转移支付收入", 1, 5),
        ("2101506", "医疗保障经办事务", 1, 35),
    ]


def test_unknown_code_suggests_the_same_named_code():
    [finding] = check_codes(mentions(["“2030249 医疗卫生共同财政事权转移支付支出”"]), catalogue(2021))
    assert finding.rule == "code.unknown"
    assert finding.expected == "2300249"
    assert "同名科目为 2300249" in finding.message


def test_known_code_with_another_name():
    [finding] = check_codes(mentions(["“30307 医疗费”"]), catalogue(2021))
    assert finding.rule == "code.name-mismatch"
    assert finding.expected == "医疗费补助"


def test_not_a_classification_code():
    [finding] = check_codes(mentions(["“90307 某某”"]), catalogue(2021))
    assert finding.rule == "code.unknown-kind"


def test_cli_on_the_seeds():
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["check-codes", str(SEED_001), "--format", "json"]).output)
    assert [m["code"] for m in data["mentions"]] == ["1100249", "2030249", "50901", "30307"]
    assert [(f["rule"], f["code"], f["expected"], f["line"]) for f in data["findings"]] == [
        ("code.unknown", "2030249", "2300249", 13)
    ]
    clean = runner.invoke(app, ["check-codes", str(SEED_003)])
    assert clean.exit_code == 0
    assert "未发现问题" in clean.output
    missing = runner.invoke(app, ["check-codes", "nope.txt"])
    assert missing.exit_code == 2
