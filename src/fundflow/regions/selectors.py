"""Reads over the region tree."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fundflow.regions.models import Region


def region_subtree(region: Region) -> QuerySet[Region]:
    """The region itself and every region below it (one indexed prefix query)."""
    return Region.objects.filter(Q(path=region.path) | Q(path__startswith=region.path + "/"))


def region_by_name(name: str) -> Region | None:
    """Find a region by its name or any alias (e.g. 沙湾县 → 沙湾市, 和丰县 → 和布克赛尔蒙古自治县)."""
    exact = Region.objects.filter(name=name).first()
    if exact is not None:
        return exact
    for region in Region.objects.exclude(aliases=[]):
        if name in region.aliases:
            return region
    return None
