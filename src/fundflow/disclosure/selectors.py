"""Every read of unit budgets (and of the units a user may import for) goes through here: one scope."""

from __future__ import annotations

from django.db.models import QuerySet

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of
from fundflow.disclosure.models import BudgetRecord
from fundflow.platform.scope import access_object, in_region_subtree
from fundflow.regions.models import BudgetUnit


def units_visible_to(user: object) -> QuerySet[BudgetUnit]:
    """Finance and auditors: units of their region and below. A unit user: its own unit only."""
    profile = profile_of(user)  # type: ignore[arg-type]
    if profile is None:
        return BudgetUnit.objects.none()
    if profile.role == Role.UNIT:
        return BudgetUnit.objects.filter(pk=profile.unit_id) if profile.unit_id else BudgetUnit.objects.none()
    return BudgetUnit.objects.filter(in_region_subtree(profile.region))


def budgets_visible_to(user: object) -> QuerySet[BudgetRecord]:
    return BudgetRecord.objects.filter(unit__in=units_visible_to(user)).select_related("unit", "unit__region")


def access_budget(user: object, pk: object) -> BudgetRecord:
    """The budget if the user may see it. Missing and not-yours answer alike (404), so ids leak nothing."""
    return access_object(budgets_visible_to(user), pk, "未找到该单位预算")


def access_unit(user: object, pk: object) -> BudgetUnit:
    return access_object(units_visible_to(user), pk, "未找到该预算单位")
