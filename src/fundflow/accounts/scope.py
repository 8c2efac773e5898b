"""The one place that says what a user may see: their region and everything below it.

Views, the API and the CLI never filter by hand; they call the selectors in each app, which call this.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from fundflow.accounts.models import Profile
from fundflow.regions.models import Region


def profile_of(user: AbstractBaseUser | AnonymousUser | None) -> Profile | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.profile  # type: ignore[union-attr,no-any-return]
    except Profile.DoesNotExist:
        return None


def region_in_scope(user: AbstractBaseUser | AnonymousUser | None, region: Region) -> bool:
    """True when ``region`` is the user's region or below it."""
    profile = profile_of(user)
    return profile is not None and region.is_within(profile.region)
