"""JSON shape of an allocation result (documented in docs/cli.md). Amounts are decimal strings."""

from __future__ import annotations

import json
from typing import Any

from fundflow.core.money import fmt
from fundflow.core.result import AllocationResult


def result_to_dict(result: AllocationResult) -> dict[str, Any]:
    places = result.rounding.places

    def money(value: Any) -> str:
        return fmt(value, places)

    money_inputs = {c.key for p in result.parts for c in p.inputs if c.money}

    return {
        "title": result.title,
        "method": result.method.value,
        "apportion": result.apportion.value,
        "rounding": {"places": places, "mode": result.rounding.mode.value},
        "unit": result.unit.value,
        "total": money(result.total),
        "total_parts": {k: money(v) for k, v in result.total_parts.items()},
        "groups": [
            {"name": g.name, "amount": money(g.amount), "parts": {k: money(v) for k, v in g.parts.items()}}
            for g in result.groups
        ],
        "lines": [
            {
                "group": ln.group,
                "recipient": ln.recipient,
                "amount": money(ln.amount),
                "parts": {k: money(v) for k, v in ln.parts.items()},
                "inputs": {k: money(v) if k in money_inputs else format(v, "f") for k, v in ln.inputs.items()},
                "note": ln.note,
            }
            for ln in result.lines
        ],
        "notes": list(result.notes),
    }


def result_to_json(result: AllocationResult) -> str:
    return json.dumps(result_to_dict(result), ensure_ascii=False, indent=2)
