"""Documentation stays true: every rule id and CLI command is documented, and every plan example runs."""

import re
from pathlib import Path

import pytest

from fundflow.cli import app
from fundflow.core.allocation import allocate
from fundflow.core.disclosure.rules import RULES as DISCLOSURE_RULES
from fundflow.core.ledger.rules import RULES as LEDGER_RULES
from fundflow.core.rules import RULES
from fundflow.io.plan_yaml import parse_plan

ROOT = Path(__file__).resolve().parent.parent
RULES_DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
# The first column of every table in docs/rules.md: | `rule.id` | [severity |] when |
DOC_ROW = re.compile(r"^\| `([a-z]+\.[a-z-]+)` \|(?: (error|warning|info) \|)?", re.M)


def documented() -> dict[str, str | None]:
    return {m[1]: m[2] for m in DOC_ROW.finditer(RULES_DOC)}


def test_every_registered_rule_is_documented_once():
    ids = [m[1] for m in DOC_ROW.finditer(RULES_DOC)]
    registered = set(RULES) | set(DISCLOSURE_RULES) | set(LEDGER_RULES)
    assert len(ids) == len(set(ids)), "a rule id is documented twice"
    assert set(ids) == registered


def test_documented_severities_are_the_registry_s():
    """Where docs/rules.md gives a severity column (check-table findings), it is the registry's."""
    with_severity = {rule: severity for rule, severity in documented().items() if severity}
    assert with_severity
    assert {rule: RULES[rule].severity.value for rule in with_severity} == with_severity


def test_every_cli_command_is_documented():
    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name for c in app.registered_commands]
    assert names
    for name in names:
        assert f"fundflow {name}" in cli_doc
        assert f"fundflow {name}" in readme


PLAN_BLOCKS = [
    block
    for block in re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8"), re.S)
    if "method:" in block
]


@pytest.mark.parametrize("block", PLAN_BLOCKS, ids=[f"example{i}" for i in range(len(PLAN_BLOCKS))])
def test_plan_format_examples_compute(block):
    result = allocate(parse_plan(block, "docs/plan-format.md"))
    assert result.lines


def test_plan_format_has_one_example_per_method():
    methods = {re.search(r"method: (\w+)", b).group(1) for b in PLAN_BLOCKS}
    assert methods == {"factor", "standard_share", "settlement", "fixed"}
