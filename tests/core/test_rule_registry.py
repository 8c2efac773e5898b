"""The rule-id registry: every problem and finding the code can produce names a declared rule."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.core.disclosure.rules import RULES as DISCLOSURE_RULES
from fundflow.core.errors import Problem
from fundflow.core.rules import RULES, Severity, is_registered
from fundflow.core.table_check.model import Finding

SRC = Path(__file__).resolve().parents[2] / "src" / "fundflow"
AREAS = {rule.split(".")[0] for rule in [*RULES, *DISCLOSURE_RULES]}
LITERAL = re.compile(rf'"((?:{"|".join(sorted(AREAS))})\.[a-z]+(?:-[a-z]+)*)"')


def test_problem_refuses_an_undeclared_rule():
    with pytest.raises(ValueError, match=r"plan\.no-such-rule"):
        Problem("plan.no-such-rule", "x")


def test_problem_accepts_declared_rules_of_both_registries():
    assert Problem("input.fractional-count", "x").rule == "input.fractional-count"
    assert Problem("disclosure.table-missing", "x").rule == "disclosure.table-missing"
    assert not is_registered("disclosure.no-such-rule")


def test_finding_must_carry_its_registered_severity():
    Finding("table.clawback", Severity.INFO, "甲县", "此次结算", Decimal(-1), None, "扣回")
    with pytest.raises(ValueError, match="does not match"):
        Finding("table.clawback", Severity.ERROR, "甲县", "此次结算", Decimal(-1), None, "扣回")


def test_every_rule_id_literal_in_the_code_is_registered():
    """Rule ids written as literals anywhere in the sources (core, io, web, CLI) are declared."""
    used = {m for path in SRC.rglob("*.py") for m in LITERAL.findall(path.read_text(encoding="utf-8"))}
    assert {"plan.total-mismatch", "input.negative", "table.clawback"} <= used, "the pattern is stale"
    assert {rule for rule in used if not is_registered(rule)} == set()


def test_descriptions_are_single_lines():
    assert all(r.description and "\n" not in r.description for r in RULES.values())
