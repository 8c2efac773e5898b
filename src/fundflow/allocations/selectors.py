"""Every read of plans for a user goes through here, so scope is applied in exactly one place."""

from __future__ import annotations

from django.db.models import QuerySet

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of
from fundflow.allocations.models import AllocationPlan, PlanAdjustment
from fundflow.allocations.visibility import own_lines
from fundflow.platform.scope import access_object, in_region_subtree


def plans_visible_to(user: object) -> QuerySet[AllocationPlan]:
    profile = profile_of(user)  # type: ignore[arg-type]
    if profile is None:
        return AllocationPlan.objects.none()
    if profile.role == Role.UNIT:
        if profile.unit_id is None:
            return AllocationPlan.objects.none()
        return AllocationPlan.objects.filter(recipients__unit_id=profile.unit_id).distinct()
    return AllocationPlan.objects.filter(in_region_subtree(profile.region)).select_related("region")


def access_plan(user: object, pk: object) -> AllocationPlan:
    """The plan if the user may see it. Missing and not-yours answer alike (404), so ids leak nothing."""
    return access_object(plans_visible_to(user), pk, "未找到该分配方案")


def adjustments_visible_to(user: object, plan: AllocationPlan) -> list[PlanAdjustment]:
    """The plan's manual adjustments this user may read: all of them, or for a recipient unit only those on its
    own lines (an adjustment written without a group matches by name, which is then unique in the plan)."""
    adjustments = list(plan.adjustments.order_by("pk"))
    own = own_lines(user, plan)
    if own is None:
        return adjustments
    names = list(plan.recipients.values_list("name", flat=True))
    own_names = {name for _, name in own if names.count(name) == 1}
    return [a for a in adjustments if (a.group, a.recipient) in own or (a.group == "" and a.recipient in own_names)]
