"""What of a visible plan a user may read. A recipient unit (预算单位) sees only its own lines — not the
other recipients', not the subtotals or totals that would reveal them; everyone else sees the whole table.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of
from fundflow.allocations.models import AllocationPlan
from fundflow.core.money import fmt
from fundflow.io.layout import Layout, RowStyle

Own = frozenset[tuple[str, str]]


def own_lines(user: Any, plan: AllocationPlan) -> Own | None:
    """(group, name) of the lines a unit user may read; None when the user may read every line."""
    profile = profile_of(user)
    if profile is None or profile.role != Role.UNIT:
        return None
    rows = plan.recipients.filter(unit_id=profile.unit_id).values_list("group", "name")
    return frozenset((group, name) for group, name in rows)


def restrict_layout(layout: Layout, own: Own) -> Layout:
    """Keep only the unit's own lines; drop 合计 and 小计 rows, headers' pots and the table's notes.

    A part's header may quote its pot (标准加比例's “就医救助（3000000元按比例）”), from which with the unit's
    own share the others' follow, so headers become their unit text. Of the notes only the rounding rule and the
    unit's own lines' notes stay: the others compare the table's sums with its pots.
    """
    kept = []
    group = ""
    for row in layout.rows:
        if row.style is RowStyle.SUBTOTAL:
            group = row.cells[0]
        elif row.style is RowStyle.LINE:
            name = row.cells[layout.name_columns - 1]
            if (group if layout.name_columns == 2 else "", name) in own:
                kept.append(row)
    spans = [s if s.unit_text is None else dataclasses.replace(s, text=s.unit_text) for s in layout.spans]
    notes = [n for n in layout.notes[:1] if n.startswith("尾差处理")]
    notes.extend(f"{row.cells[layout.name_columns - 1]}：{row.note}" for row in kept if row.note)
    return dataclasses.replace(layout, spans=spans, rows=kept, notes=notes)


def restrict_result(data: dict[str, Any], own: Own) -> dict[str, Any]:
    """The JSON result with only the unit's own lines; total is the sum of those lines."""
    lines = [ln for ln in data["lines"] if ((ln["group"] or ""), ln["recipient"]) in own]
    places = data["rounding"]["places"]
    total = sum((Decimal(ln["amount"]) for ln in lines), Decimal(0))
    return {**data, "lines": lines, "groups": [], "total_parts": {}, "total": fmt(total, places), "notes": []}
