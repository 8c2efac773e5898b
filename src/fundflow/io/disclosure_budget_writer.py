"""A unit's budget written back as a budget file (YAML, the format of disclosure_budget.py).

The web system stores each budget as this text: it is what the YAML loader validates, so a stored budget is
always one the loader accepts, and an edit in the page is a change of the data followed by the same validation.
Numbers are written as their exact decimal text (never through float); codes are quoted so ``05`` keeps its zero.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import yaml

from fundflow.core.disclosure.model import (
    Assets,
    BudgetLine,
    Nature,
    PreviousLine,
    Procurement,
    Project,
    Source,
    Staffing,
    ThreePublic,
    UnitBudget,
)

NATURE_KEYS = {Nature.BASIC: "basic", Nature.PROJECT: "project"}
SOURCE_KEYS = {
    Source.GPB: "gpb",
    Source.FUND: "fund",
    Source.SOE: "soe",
    Source.SPECIAL: "special",
    Source.BUSINESS: "business",
    Source.SUPERIOR: "superior",
    Source.OPERATING: "operating",
    Source.OTHER: "other",
    Source.SUPERIOR_SPECIAL: "superior_special",
    Source.RESERVE: "reserve",
}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # shared Decimal(0) objects must not become anchors (&id001) in a budget file


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _decimal)


def _line(ln: BudgetLine) -> dict[str, Any]:
    out: dict[str, Any] = {
        "function": ln.function,
        "economic": ln.economic,
        "amount": ln.amount,
        "nature": NATURE_KEYS[ln.nature],
    }
    if ln.source is not Source.GPB:
        out["source"] = SOURCE_KEYS[ln.source]
    if ln.project:
        out["project"] = ln.project
    return out


def _previous(p: PreviousLine) -> dict[str, Any]:
    out: dict[str, Any] = {"function": p.function, "nature": NATURE_KEYS[p.nature], "amount": p.amount}
    if p.source is not Source.GPB:
        out["source"] = SOURCE_KEYS[p.source]
    return out


def _project(p: Project) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name}
    for f in ("basis", "scale", "standard", "standard_unit", "quantity", "quantity_unit", "executor", "period"):
        value = getattr(p, f)
        if value is not None and value != "":
            out[f] = value
    return out


def _three(t: ThreePublic) -> dict[str, Any]:
    return {f.name: getattr(t, f.name) for f in dataclasses.fields(t)}


def _fields(obj: Procurement | Assets | Staffing) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def budget_to_dict(b: UnitBudget) -> dict[str, Any]:
    """The budget as the mapping a budget file holds (keys in the documented order)."""
    out: dict[str, Any] = {"unit": b.unit, "year": b.year}
    if b.date:
        out["date"] = b.date
    if b.structure:
        out["structure"] = b.structure
    if b.functions:
        out["functions"] = list(b.functions)
    out["staffing"] = _fields(b.staffing)
    out["lines"] = [_line(ln) for ln in b.lines]
    if b.previous:
        out["previous"] = [_previous(p) for p in b.previous]
    if b.projects:
        out["projects"] = [_project(p) for p in b.projects]
    out["three_public"] = _three(b.three_public)
    if b.three_public_previous is not None:
        out["three_public_previous"] = _three(b.three_public_previous)
    if b.running_costs is not None:
        out["running_costs"] = b.running_costs
    if b.running_costs_previous is not None:
        out["running_costs_previous"] = b.running_costs_previous
    out["procurement"] = _fields(b.procurement)
    out["assets"] = _fields(b.assets)
    if b.reasons:
        out["reasons"] = dict(b.reasons)
    return out


def budget_to_yaml(b: UnitBudget) -> str:
    """A budget file that :func:`fundflow.io.disclosure_budget.parse_budget` reads back as ``b``."""
    text = yaml.dump(budget_to_dict(b), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return str(text)


def without_locations(b: UnitBudget) -> UnitBudget:
    """``b`` with source locations removed, for comparing budgets read from different files."""
    return dataclasses.replace(
        b,
        lines=tuple(dataclasses.replace(ln, location=None) for ln in b.lines),
        projects=tuple(dataclasses.replace(p, location=None) for p in b.projects),
        reasons=dict(b.reasons),
    )
