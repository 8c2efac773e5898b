"""Finding regions and budget units by the names users write (沙湾县 for 沙湾市): used wherever an imported name is
linked to the reference data, with a few queries however many names there are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from fundflow.regions.models import BudgetUnit, Region


def regions_named(names: Iterable[str]) -> dict[str, list[Region]]:
    """Regions whose name or an alias is each of ``names`` (沙湾县 → 沙湾市), exact names first; few queries."""
    wanted = set(names)
    found: dict[str, list[Region]] = defaultdict(list)
    for chunk in _chunks(sorted(wanted)):
        for g in Region.objects.filter(name__in=chunk).select_related("parent"):
            found[g.name].append(g)
    for g in Region.objects.exclude(aliases=[]).select_related("parent"):
        for alias in wanted.intersection(g.aliases):
            found[alias].append(g)
    return found


def units_named(names: Iterable[str]) -> dict[str, list[BudgetUnit]]:
    """Budget units whose name or an alias is each of ``names``, exact names first; few queries."""
    wanted = set(names)
    found: dict[str, list[BudgetUnit]] = defaultdict(list)
    for chunk in _chunks(sorted(wanted)):
        for u in BudgetUnit.objects.filter(name__in=chunk).select_related("region"):
            found[u.name].append(u)
    for u in BudgetUnit.objects.exclude(aliases=[]).select_related("region"):
        for alias in wanted.intersection(u.aliases):
            found[alias].append(u)
    return found


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """Short IN lists: SQLite limits the number of query parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
