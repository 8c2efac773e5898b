"""Reads over users and their roles (the CLI's ``fundflow users list`` and the admin)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def users_with_profiles() -> QuerySet[Any]:
    """Every user with role, region and unit joined in one query, by user name."""
    return get_user_model().objects.select_related("profile__region", "profile__unit").order_by("username")
