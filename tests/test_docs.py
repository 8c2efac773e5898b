"""Documentation stays true: every rule id and CLI command is documented, and every plan example runs."""

import re
from pathlib import Path

import pytest

from fundflow.cli import app
from fundflow.core.allocation import allocate
from fundflow.io.plan_yaml import parse_plan

ROOT = Path(__file__).resolve().parent.parent
AREAS = "code|plan|factor|share|settlement|input|recipient|adjustment|file|yaml|table|disclosure|budget|ledger|warn"
RULE = re.compile(rf'"((?:{AREAS})\.[a-z-]+)"')


def test_every_rule_id_is_documented():
    used = {m for path in (ROOT / "src").rglob("*.py") for m in RULE.findall(path.read_text(encoding="utf-8"))}
    documented = set(re.findall(r"`([a-z]+\.[a-z-]+)`", (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")))
    assert used, "no rule ids found: the pattern is stale"
    assert used - documented == set()


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
