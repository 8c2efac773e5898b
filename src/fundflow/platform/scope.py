"""Scoping shared by every app's selectors: the region subtree a user sees, and object access that answers 404
alike for missing and not-yours (ids leak nothing). Who a user is (profile, region, role) stays in
``fundflow.accounts.scope``; this module turns those facts into queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from fundflow.regions.models import Region


def in_region_subtree(region: Region, field: str = "region") -> Q:
    """Rows whose ``field`` (a Region foreign key) is ``region`` or lies below it (paths are "/"-joined)."""
    path = region.path
    return Q(**{f"{field}__path": path}) | Q(**{f"{field}__path__startswith": path + "/"})


def access_object(queryset: QuerySet[Any], pk: object, message: str) -> Any:
    """The object with ``pk`` from the user's scoped ``queryset``; 404 with ``message`` when missing or not
    visible (a malformed id too), so a guessed id cannot tell the two apart."""
    try:
        return queryset.get(pk=int(str(pk)))
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404(message) from None
