"""A recipient unit's explanation of its own line: its inputs and result, never the pot, totals or other lines."""

import dataclasses
import itertools
import re
from decimal import Decimal as D

import pytest

from fundflow.core.allocation import allocate
from fundflow.core.explain import WITHHELD, explain, explain_own_line
from fundflow.core.money import fmt
from fundflow.core.plan import Adjustment
from fundflow.io.plan_yaml import load_plan
from tests.conftest import EXAMPLES
from tests.core.test_methods import factor_plan

EXAMPLE_PLANS = [
    "xinjiang-2021-medical-aid.yaml",
    "standard-share-illustration.yaml",
    "settlement-illustration.yaml",
    "tacheng-2023-medical-security-capacity.yaml",
]


def who(line):
    return f"{line.group}/{line.recipient}" if line.group else line.recipient


def figures(text):
    return set(re.findall(r"\d+(?:\.\d+)?", text))


@pytest.mark.parametrize("name", EXAMPLE_PLANS)
def test_no_line_is_told_a_figure_of_the_pot_the_totals_or_another_line(name):
    result = allocate(load_plan(EXAMPLES / name))
    hidden = {fmt(result.total), *(fmt(v) for v in result.total_parts.values())}
    hidden |= {fmt(v) for v in result.total_inputs.values()}
    for g in result.groups:
        hidden |= {fmt(g.amount), *(fmt(v) for v in g.parts.values()), *(fmt(v) for v in g.inputs.values())}
    # Any figure the full explanation of the total quotes (pots, weights × total, table sums).
    hidden |= figures("\n".join(explain(result, result.total_label) or []))
    for line in result.lines:
        text = re.sub(r"(?m)^  \d+\. ", "", "\n".join(explain_own_line(result, who(line))))  # step numbers
        own = {fmt(line.amount), *(fmt(v) for v in line.parts.values()), *(fmt(v) for v in line.inputs.values())}
        own |= figures(f"{line.recipient} {line.group or ''} {line.note}")
        own |= figures("\n".join(line.explain.get("合计", ())))
        own |= figures(" ".join(f"{p.name} {c.label}" for p in result.parts for c in p.inputs))  # 2020年… labels
        # The line's own tail adjustments (delta, reason as written, before → after) are its own business.
        own |= figures(" ".join(s for steps in line.explain.values() for s in steps if s.startswith("尾差调整 ")))
        told = figures(text) - own - figures(WITHHELD)
        if result.method.value in ("settlement", "fixed"):
            continue  # formed from the line's own inputs alone: its steps are the full explanation
        assert not (told & hidden), (line.recipient, told & hidden)
        steps = text.replace(WITHHELD, "")
        assert "总额" not in steps
        assert "全表合计" not in steps
        assert "目标" not in steps


def test_heading_parts_and_own_inputs_are_stated():
    result = allocate(load_plan(EXAMPLES / "xinjiang-2021-medical-aid.yaml"))
    text = explain_own_line(result, "乌鲁木齐市/天山区")
    assert text[0] == "乌鲁木齐市 天山区：83万元"
    assert "【困难群众人数因素】 = 67万元" in text
    assert "  1. 本单位数据：2020年10月底低保对象人数(人) 2218" in text
    assert "50891" not in "\n".join(text)  # the factor's pot
    assert "1688961" not in "\n".join(text)  # the table's sum of counts
    assert text[-1] == WITHHELD


@pytest.mark.parametrize("name", ["settlement-illustration.yaml", "tacheng-2023-medical-security-capacity.yaml"])
def test_self_contained_methods_keep_their_steps(name):
    result = allocate(load_plan(EXAMPLES / name))
    for line in result.lines:
        full = explain(result, who(line))
        own = explain_own_line(result, who(line))
        assert own[0] == full[0]
        assert own[2:] == full[1:]  # the same steps, after the heading and the method line


def test_subtotals_the_total_and_unknown_names_are_not_explained():
    result = allocate(load_plan(EXAMPLES / "xinjiang-2021-medical-aid.yaml"))
    assert explain_own_line(result, "乌鲁木齐市") is None
    assert explain_own_line(result, result.total_label) is None
    assert explain_own_line(result, "合计") is None
    assert explain_own_line(result, "不存在的县") is None


def test_the_lines_own_adjustment_is_explained():
    adjustments = (Adjustment("甲", "A", D(1), "印发表如此"), Adjustment("乙", "A", D(-1), "印发表如此"))
    result = allocate(factor_plan(adjustments=adjustments))
    text = "\n".join(explain_own_line(result, "一组/甲"))
    assert "含尾差调整 +1万元" in text
    assert "乙" not in text


@pytest.mark.parametrize("name", ["xinjiang-2021-medical-aid.yaml", "settlement-illustration.yaml"])
def test_the_adjustment_reason_is_not_quoted_to_a_unit(name):
    """The bureau's reason may name the other side of the pair (“与库车县互调”): a unit reads only its own delta."""
    plan = load_plan(EXAMPLES / name)
    part = allocate(plan).parts[0].name
    step = D(1).scaleb(-plan.rounding.places)  # one unit of the last printed place
    lines = [ln for ln in allocate(plan).lines if ln.parts[part] >= step]
    first, second = next((a, b) for a, b in itertools.pairwise(lines) if a.group == b.group)
    reason = f"与{second.recipient}互调"
    adjustments = (
        Adjustment(first.recipient, part, step, reason, first.group),
        Adjustment(second.recipient, part, -step, reason, second.group),
    )
    result = allocate(dataclasses.replace(plan, adjustments=adjustments))
    line = next(ln for ln in result.lines if (ln.group, ln.recipient) == (first.group, first.recipient))
    full = "\n".join(explain(result, who(line)))
    own = "\n".join(explain_own_line(result, who(line)))
    assert reason in full  # finance staff still read the reason
    assert reason not in own
    assert second.recipient not in own
    assert f"含尾差调整 +{fmt(step)}{result.unit.value}" in own
