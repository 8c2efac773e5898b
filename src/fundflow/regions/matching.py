"""Finding regions and budget units by the names users write (沙湾县 for 沙湾市): used wherever an imported name is
linked to the reference data, with a few queries however many names there are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from django.db.models import Model, QuerySet

from fundflow.regions.models import BudgetUnit, Region

M = TypeVar("M", bound=Model)


def regions_named(names: Iterable[str]) -> dict[str, list[Region]]:
    """Regions whose name or an alias is each of ``names`` (沙湾县 → 沙湾市), exact names first; few queries."""
    return _named(Region.objects.select_related("parent"), names)


def units_named(names: Iterable[str]) -> dict[str, list[BudgetUnit]]:
    """Budget units whose name or an alias is each of ``names``, exact names first; few queries."""
    return _named(BudgetUnit.objects.select_related("region"), names)


def _named(rows: QuerySet[M], names: Iterable[str]) -> dict[str, list[M]]:
    """Rows of a model with ``name`` and ``aliases`` fields, by each wanted name: exact names, then aliases."""
    wanted = set(names)
    found: dict[str, list[M]] = defaultdict(list)
    for chunk in _chunks(sorted(wanted)):
        for row in rows.filter(name__in=chunk):
            found[row.name].append(row)  # type: ignore[attr-defined]
    for row in rows.exclude(aliases=[]):
        for alias in wanted.intersection(row.aliases):  # type: ignore[attr-defined]
            found[alias].append(row)
    return found


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """Short IN lists: SQLite limits the number of query parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
