"""The plan-parameter form: common fields (title, fund, year, unit, total, method, rounding, apportion) as
form fields, method parameters (factors, components, settlement, labels…) as plan-file YAML.

Both halves are joined into one plan-file text, so the web and the CLI share one format and one parser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from decimal import Decimal
from typing import Any

import yaml

from fundflow.core.errors import Location, Problem
from fundflow.core.money import fmt
from fundflow.io.plan_writer import q
from fundflow.io.yamlnodes import compose

COMMON_KEYS = ("title", "fund", "year", "unit", "total", "method", "rounding", "apportion")


@dataclasses.dataclass(frozen=True)
class Common:
    title: str
    fund: str
    year: int | None
    unit: str
    total: Decimal | None
    method: str
    places: int
    mode: str
    apportion: str

    def lines(self) -> list[str]:
        out = [f"title: {q(self.title)}"]
        if self.fund:
            out.append(f"fund: {q(self.fund)}")
        if self.year is not None:
            out.append(f"year: {self.year}")
        out.append(f"unit: {self.unit}")
        if self.total is not None:
            out.append(f"total: {fmt(self.total)}")
        out.append(f"method: {self.method}")
        out.append(f"rounding: {{places: {self.places}, mode: {self.mode}}}")
        out.append(f"apportion: {self.apportion}")
        return out


def join_spec(common: Common, params: str) -> tuple[str, int]:
    """The full plan-file text, and how many lines the common part takes (to map error rows back)."""
    head = common.lines()
    return "\n".join([*head, params.strip()]) + "\n", len(head)


def split_spec(spec_yaml: str) -> tuple[Common, str]:
    """Split a stored plan-file text into the common fields and the remaining parameter text."""
    from fundflow.allocations.services import parse_spec

    plan = parse_spec(spec_yaml)
    common = Common(
        title=plan.title,
        fund=plan.fund,
        year=plan.year,
        unit=plan.unit.value,
        total=plan.total,
        method=plan.method_kind.value,
        places=plan.rounding.places,
        mode=plan.rounding.mode.value,
        apportion=plan.apportion.value,
    )
    return common, without_keys(spec_yaml, COMMON_KEYS)


def _entries(text: str) -> tuple[bool, list[tuple[str, yaml.Node, yaml.Node]]]:
    """Whether the text is a flow mapping, and its top-level (key text, key node, value node) entries."""
    try:
        root = compose(text, "分配参数文本")
    except yaml.YAMLError:
        return False, []
    if root is None or not root.is_mapping:
        return False, []
    entries = [(k.text() if k.is_scalar else "", k.node, v.node) for k, v in root.items()]
    return bool(getattr(root.node, "flow_style", False)), entries


def without_keys(spec_yaml: str, keys: Collection[str]) -> str:
    """The stored text minus its top-level entries named ``keys``, found by the parser (not by how a line starts).

    A block mapping keeps its lines exactly (comments, layout, error line numbers); a flow mapping (possible
    through the API) is rewritten entry by entry from its source text.
    """
    flow, entries = _entries(spec_yaml)
    if flow or not entries:
        rest = [
            f"{name}: {spec_yaml[v.start_mark.index : v.end_mark.index]}" for name, _, v in entries if name not in keys
        ]
        return "\n".join(rest).strip() + "\n"
    lines = spec_yaml.splitlines()
    starts = [k.start_mark.line for _, k, _ in entries] + [len(lines)]
    keep = list(lines[: starts[0]])
    for (name, _, _), start, end in zip(entries, starts, starts[1:], strict=False):
        if name not in keys:
            keep.extend(lines[start:end])
    return "\n".join(keep).strip() + "\n"


def common_keys_in(params: str) -> list[Problem]:
    """Common fields written again in the parameter text would silently override the form; refuse them.

    Keys are the parser's (``"title" :`` and ``title:`` alike), so no spelling slips through.
    """
    return [
        Problem(
            "plan.duplicate-key",
            f"“{name}”请在上方表单中填写，不要写在分配参数文本中",
            Location("分配参数文本", key.start_mark.line + 1),
        )
        for name, key, _ in _entries(params)[1]
        if name in COMMON_KEYS
    ]


def remap(problems: tuple[Problem, ...], head_lines: int) -> tuple[Problem, ...]:
    """Point parameter-text errors at the text box's own line numbers; common-field errors at no line."""
    out = []
    for p in problems:
        loc = p.location
        if loc is not None and loc.row is not None and loc.row > head_lines:
            loc = Location("分配参数文本", loc.row - head_lines, loc.column)
        elif loc is not None:
            loc = Location("基本信息")
        out.append(Problem(p.rule, p.message, loc))
    return tuple(out)


def common_from_form(data: dict[str, Any]) -> Common:
    return Common(
        title=data["title"].strip(),
        fund=(data.get("fund") or "").strip(),
        year=data.get("year"),
        unit=data["unit"],
        total=data.get("total"),
        method=data["method"],
        places=int(data["places"]),
        mode=data["mode"],
        apportion=data["apportion"],
    )
