"""Every read of unit budgets (and of the units a user may import for) goes through here: one scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of
from fundflow.disclosure_web.models import UnitBudget
from fundflow.regions.models import BudgetUnit


def units_visible_to(user: object) -> QuerySet[BudgetUnit]:
    """Finance and auditors: units of their region and below. A unit user: its own unit only."""
    profile = profile_of(user)  # type: ignore[arg-type]
    if profile is None:
        return BudgetUnit.objects.none()
    if profile.role == Role.UNIT:
        return BudgetUnit.objects.filter(pk=profile.unit_id) if profile.unit_id else BudgetUnit.objects.none()
    path = profile.region.path
    return BudgetUnit.objects.filter(Q(region__path=path) | Q(region__path__startswith=path + "/"))


def budgets_visible_to(user: object) -> QuerySet[UnitBudget]:
    return UnitBudget.objects.filter(unit__in=units_visible_to(user)).select_related("unit", "unit__region")


def access_budget(user: object, pk: object) -> UnitBudget:
    """The budget if the user may see it. Missing and not-yours answer alike (404), so ids leak nothing."""
    try:
        return budgets_visible_to(user).get(pk=int(str(pk)))
    except (UnitBudget.DoesNotExist, ValueError):
        raise Http404("未找到该单位预算") from None


def access_unit(user: object, pk: object) -> BudgetUnit:
    try:
        return units_visible_to(user).get(pk=int(str(pk)))
    except (BudgetUnit.DoesNotExist, ValueError):
        raise Http404("未找到该预算单位") from None
