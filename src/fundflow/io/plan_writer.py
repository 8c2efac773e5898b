"""Write a plan back to YAML (used by ``fundflow check-table --emit-plan``).

Recipients are written one per line in flow style, like the rows of the table they come from, so that a
plan file reads as the table and diffs cleanly.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from fundflow.core.money import fmt, percent
from fundflow.core.plan import (
    FactorMethod,
    FixedMethod,
    Plan,
    SettlementMethod,
    StandardComponent,
    StandardShareMethod,
)

_PLAIN = re.compile(r"^[^\s:#,\[\]{}&*!|>'\"%@`?-][^:#,\[\]{}]*$")


def q(text: str) -> str:
    """A YAML scalar for ``text``: plain when safe, else JSON-style double quotes."""
    if _PLAIN.match(text) and not re.fullmatch(r"[-+.\d]+|true|false|null|yes|no|on|off|~", text, re.I):
        return text
    return json.dumps(text, ensure_ascii=False)


def num(value: Decimal) -> str:
    return fmt(value)


def plan_to_yaml(plan: Plan, header: str = "", *, rows: bool = True) -> str:
    """The plan as YAML; with ``rows=False`` only its parameters (no recipients, no adjustments)."""
    out: list[str] = []
    if header:
        out.extend(f"# {line}" for line in header.splitlines())
    out.append(f"title: {q(plan.title)}")
    if plan.fund:
        out.append(f"fund: {q(plan.fund)}")
    if plan.year is not None:
        out.append(f"year: {plan.year}")
    out.append(f"unit: {plan.unit.value}")
    if plan.total is not None:
        out.append(f"total: {num(plan.total)}")
    out.append(f"method: {plan.method_kind.value}")
    out.append(f"rounding: {{places: {plan.rounding.places}, mode: {plan.rounding.mode.value}}}")
    out.append(f"apportion: {plan.apportion.value}")
    if plan.total_label != "合计":
        out.append(f"total_label: {q(plan.total_label)}")
    method = plan.method
    if isinstance(method, FactorMethod):
        out.append("factors:")
        for f in method.factors:
            counts = ", ".join(q(c) for c in f.counts)
            extra = f", count_label: {q(f.count_label)}" if f.count_label else ""
            extra += f", amount_label: {q(f.amount_label)}" if f.amount_label != "补助资金" else ""
            out.append(f"  - {{name: {q(f.name)}, weight: {percent(f.weight)}, counts: [{counts}]{extra}}}")
    elif isinstance(method, StandardShareMethod):
        out.append("components:")
        for c in method.components:
            if isinstance(c, StandardComponent):
                out.append(
                    f"  - {{name: {q(c.name)}, kind: standard, count: {q(c.count)},"
                    f" standard_yuan: {num(c.standard_yuan)}}}"
                )
            else:
                spec = (
                    f"share_percent: {q(c.share_percent)}"
                    if c.share_percent is not None
                    else f"count: {q(c.count or '')}"
                )
                base = f", base: {num(c.base)}" if c.base is not None else ""
                out.append(
                    f"  - {{name: {q(c.name)}, kind: share, pot_yuan: {num(c.pot_yuan)}, {spec}{base},"
                    f" share_places: {c.share_places}}}"
                )
    elif isinstance(method, SettlementMethod):
        out.append(f"advance_document: {q(method.advance_document)}")
        if method.standard_yuan is not None:
            out.append(f"standard_yuan: {num(method.standard_yuan)}")
    elif isinstance(method, FixedMethod) and method.part != "拨付资金":
        out.append(f"part: {q(method.part)}")
    if plan.labels:
        out.append("labels:")
        out.extend(f"  {q(k)}: {q(v)}" for k, v in plan.labels.items())
    if plan.groups:
        out.append("groups: [" + ", ".join(q(g) for g in plan.groups) + "]")
    if not rows:
        return "\n".join(out) + "\n"
    out.append("recipients:")
    for r in plan.recipients:
        fields = []
        if r.group is not None:
            fields.append(f"group: {q(r.group)}")
        fields.append(f"name: {q(r.name)}")
        fields.extend(f"{q(k)}: {num(v)}" for k, v in r.values.items())
        if r.note:
            fields.append(f"note: {q(r.note)}")
        out.append("  - {" + ", ".join(fields) + "}")
    if plan.adjustments:
        out.append("adjustments:")
        for a in plan.adjustments:
            group = f"group: {q(a.group)}, " if a.group else ""
            out.append(
                f"  - {{{group}recipient: {q(a.recipient)}, part: {q(a.part)}, delta: {num(a.delta)},"
                f" reason: {q(a.reason)}}}"
            )
    return "\n".join(out) + "\n"
