"""Object permissions as predicates (django-rules). Lists are scoped by ``selectors``; these answer per object."""

from __future__ import annotations

import rules

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of, region_in_scope
from fundflow.platform.predicates import is_finance, is_region_user


@rules.predicate
def plan_in_region_scope(user: object, plan: object) -> bool:
    return plan is not None and region_in_scope(user, plan.region)  # type: ignore[arg-type,attr-defined]


@rules.predicate
def plan_names_users_unit(user: object, plan: object) -> bool:
    """A recipient unit sees a plan that allocates to it."""
    profile = profile_of(user)  # type: ignore[arg-type]
    if profile is None or profile.role != Role.UNIT or profile.unit_id is None or plan is None:
        return False
    return plan.recipients.filter(unit_id=profile.unit_id).exists()  # type: ignore[attr-defined,no-any-return]


@rules.predicate
def plan_is_draft(user: object, plan: object) -> bool:
    return plan is not None and not plan.is_locked  # type: ignore[attr-defined]


can_view_plan = (is_region_user & plan_in_region_scope) | plan_names_users_unit
can_change_plan = is_finance & plan_in_region_scope & plan_is_draft

rules.add_perm("allocations.view_plan", can_view_plan)
rules.add_perm("allocations.change_plan", can_change_plan)
rules.add_perm("allocations.approve_plan", can_change_plan)
rules.add_perm("allocations.add_plan", is_finance)
