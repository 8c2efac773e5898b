"""Template helpers of the ledger pages: amounts in 万元 on screen (元 exact in the title), and the ledger box on
an allocation plan's page (issue form, issued document, source indicator) without the allocations app importing
the ledger."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

from fundflow.core.money import fmt

register = template.Library()

TEN_THOUSAND = Decimal(10000)


@register.filter
def wan(amount: Decimal | None) -> str:
    """An amount in 元 shown in 万元 with 2 decimals (as printed documents show it); the exact 元 goes in the
    ``title`` attribute via ``yuan``."""
    if amount is None:
        return "—"
    return fmt((Decimal(amount) / TEN_THOUSAND).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def yuan(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return f"{fmt(Decimal(amount), 2)} 元"


@register.inclusion_tag("ledger/_plan_ledger.html", takes_context=True)
def plan_ledger_box(context: dict[str, Any], plan: Any) -> dict[str, Any]:
    """On an allocation plan's page: the document it was issued as (if visible), the indicator it re-allocates,
    and for the plan's own finance bureau the 下达 form once it is approved."""
    from fundflow.ledger.models import PlanSource
    from fundflow.ledger.selectors import documents_visible_to, indicators_visible_to
    from fundflow.ledger.views_documents import issue_form

    request = context["request"]
    user = request.user
    issued = documents_visible_to(user).filter(plan=plan).first()
    source = PlanSource.objects.filter(plan=plan).values_list("indicator_id", flat=True).first()
    source_indicator = indicators_visible_to(user).filter(pk=source).first() if source else None
    can_issue = user.has_perm("ledger.issue_plan", plan)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "plan": plan,
        "issued": issued,
        "source": source_indicator,
        "can_issue": can_issue,
        "form": issue_form(request, plan) if can_issue and request.method == "GET" else None,
    }
