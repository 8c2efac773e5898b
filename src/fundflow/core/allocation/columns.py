"""The recipients' input columns of each method and their printed labels (the template's and the page's headers)."""

from __future__ import annotations

from fundflow.core.plan import (
    FactorMethod,
    FixedMethod,
    Plan,
    SettlementMethod,
    ShareComponent,
    StandardComponent,
    StandardShareMethod,
)

DEFAULT_LABELS = {
    "amount": "金额",
    "insured": "参保人数",
    "entitlement": "核定应补助",
    "advanced": "已预拨",
    "standard_yuan": "人均补助标准（元）",
}
SETTLEMENT_OPTIONAL = ("insured", "entitlement", "standard_yuan")


def input_columns(plan: Plan) -> list[str]:
    """The recipient columns the plan's method needs, in order (the Excel template's headers)."""
    method = plan.method
    if isinstance(method, FactorMethod):
        return list(dict.fromkeys(c for f in method.factors for c in f.counts))
    if isinstance(method, StandardShareMethod):
        cols: list[str] = []
        for c in method.components:
            if isinstance(c, StandardComponent):
                cols.append(c.count)
            elif isinstance(c, ShareComponent):
                cols.append(c.share_percent or c.count or "")
        return list(dict.fromkeys(x for x in cols if x))
    if isinstance(method, SettlementMethod):
        return ["insured", "entitlement", "advanced"]
    assert isinstance(method, FixedMethod)
    return ["amount"]


def optional_columns(plan: Plan) -> tuple[str, ...]:
    """Input columns a row may leave blank: a settlement row gives its entitlement or its insured persons."""
    return SETTLEMENT_OPTIONAL if isinstance(plan.method, SettlementMethod) else ()


def column_label(plan: Plan, key: str) -> str:
    """The printed header of an input column: the plan's label, a Chinese default, or the key itself."""
    return plan.labels.get(key) or DEFAULT_LABELS.get(key, key)
