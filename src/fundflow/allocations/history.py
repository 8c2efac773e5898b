"""The change log of a plan as shown on its page and in the API: the plan itself, its recipient rows and its
adjustments, newest first — who, when, what, old value, new value.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fundflow.allocations.models import AllocationPlan, PlanAdjustment, PlanRecipient
from fundflow.core.money import fmt

KIND = {"+": "created", "~": "changed", "-": "deleted"}


def history_entries(plan: AllocationPlan) -> list[dict[str, Any]]:
    entries = _entries(list(plan.history.select_related("history_user").all()), "方案", lambda r: plan.title)
    rows = PlanRecipient.history.filter(plan_id=plan.pk).select_related("history_user").order_by("id", "-history_date")
    entries += _per_object(list(rows), "分配对象", lambda r: f"{r.group} {r.name}".strip())
    adjustments = (
        PlanAdjustment.history.filter(plan_id=plan.pk).select_related("history_user").order_by("id", "-history_date")
    )
    entries += _per_object(list(adjustments), "尾差调整", lambda r: f"{r.recipient} {r.part}")
    # By the exact time: "when" is shown to the second, and a whole upload (or a save after it) shares one second.
    entries.sort(key=lambda e: e.pop("_at"), reverse=True)
    return entries


def _per_object(records: list[Any], kind: str, label: Any) -> list[dict[str, Any]]:
    """Group historical rows by object id (each group newest first) and diff consecutive versions."""
    out: list[dict[str, Any]] = []
    group: list[Any] = []
    for record in [*records, None]:
        if group and (record is None or record.id != group[0].id):
            out += _entries(group, kind, label)
            group = []
        if record is not None:
            group.append(record)
    return out


def _entries(records: list[Any], kind: str, label: Any) -> list[dict[str, Any]]:
    entries = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        changes: list[dict[str, Any]] = []
        if previous is not None:
            # diff_against() skips non-editable fields (the result, its total and time), so compare directly.
            for f in record.tracked_fields:
                if f.name in ("id", "plan"):
                    continue
                old, new = getattr(previous, f.attname), getattr(record, f.attname)
                if old != new:
                    changes.append(
                        {
                            "field": f.name,
                            "label": str(f.verbose_name),
                            "old": _plain(f.name, old),
                            "new": _plain(f.name, new),
                            "old_text": _text(f, previous, old),
                            "new_text": _text(f, record, new),
                        }
                    )
        entries.append(
            {
                "when": timezone.localtime(record.history_date).isoformat(timespec="seconds"),
                "_at": record.history_date,
                # As the page prints it; the ISO form's "T" must become a space, not vanish.
                "when_text": timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S"),
                "who": record.history_user.get_username() if record.history_user else None,
                "type": KIND[record.history_type],
                "object": kind,
                "label": label(record),
                "changes": changes,
            }
        )
    return entries


def _plain(field: str, value: Any) -> Any:
    """JSON-friendly values; a stored result is summarised by its total (the full table is in /result/)."""
    if field == "result_json" and isinstance(value, dict):
        return {"total": value.get("total"), "unit": value.get("unit")}
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return value if isinstance(value, str | int | type(None) | dict | list) else str(value)


def _text(field: Any, record: Any, value: Any) -> str:
    """How the page shows a value: choice labels, user names, a result by its total, inputs as 列 数."""
    if value is None or value == "":
        return "（空）"
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if field.is_relation:
        try:
            related = getattr(record, field.name)
        except Exception:  # the related row may have been deleted since
            return str(value)
        return related.get_username() if hasattr(related, "get_username") else str(related)
    if field.name == "result_json" and isinstance(value, dict):
        return f"合计 {value.get('total')} {value.get('unit')}"
    if isinstance(value, Decimal):
        return fmt(value.normalize())  # an adjustment of 1 reads "1", not the column's "1.000000"
    if isinstance(value, dict):
        # Sorted: PostgreSQL's jsonb does not keep key order, and the page must read the same on both databases.
        return "，".join(f"{k} {v}" for k, v in sorted(value.items())) or "（空）"
    plain = _plain(field.name, value)
    return str(plain)
