"""Role predicates (django-rules) that every app's ``rules.py`` combines with its own object predicates."""

from __future__ import annotations

import rules

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of


@rules.predicate
def is_finance(user: object) -> bool:
    """A finance-bureau user (may write in their region)."""
    profile = profile_of(user)  # type: ignore[arg-type]
    return profile is not None and profile.is_finance


@rules.predicate
def is_region_user(user: object) -> bool:
    """A user scoped by region (finance or auditor), not a recipient unit's own user."""
    profile = profile_of(user)  # type: ignore[arg-type]
    return profile is not None and profile.role != Role.UNIT
