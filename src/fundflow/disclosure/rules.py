"""Object permissions for unit budgets (django-rules). Lists are scoped by ``selectors``; these answer per object.

Read: finance and auditors in whose region the unit lies, and the unit's own user. Write: finance roles in scope
and the unit's own user; auditors read only.
"""

from __future__ import annotations

import rules

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of, region_in_scope
from fundflow.platform.predicates import is_finance, is_region_user


def _unit_of(obj: object) -> object:
    """A BudgetRecord's unit, or the BudgetUnit itself (import targets a unit before a budget exists)."""
    return getattr(obj, "unit", obj)


@rules.predicate
def unit_in_region_scope(user: object, obj: object) -> bool:
    unit = _unit_of(obj)
    return unit is not None and region_in_scope(user, unit.region)  # type: ignore[arg-type,attr-defined]


@rules.predicate
def is_users_unit(user: object, obj: object) -> bool:
    profile = profile_of(user)  # type: ignore[arg-type]
    unit = _unit_of(obj)
    if profile is None or profile.role != Role.UNIT or profile.unit_id is None or unit is None:
        return False
    return bool(profile.unit_id == unit.pk)  # type: ignore[attr-defined]


can_view_budget = (is_region_user & unit_in_region_scope) | is_users_unit
can_change_budget = (is_finance & unit_in_region_scope) | is_users_unit

rules.add_perm("disclosure.view_budget", can_view_budget)
rules.add_perm("disclosure.change_budget", can_change_budget)
