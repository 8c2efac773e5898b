"""Loading reference data. Idempotent: loading twice changes nothing the second time."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from fundflow.regions.models import BudgetUnit, Region

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LoadReport:
    created: int
    updated: int
    unchanged: int


def _split(text: str) -> list[str]:
    return [part for part in (text or "").split("|") if part]


@transaction.atomic
def regions_load(*, path: Path = DATA / "xinjiang.csv") -> LoadReport:
    """Create or update regions from the CSV (parents before children), keyed by code."""
    created = updated = unchanged = 0
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_code: dict[str, Region] = {}
    for row in rows:
        parent = by_code.get(row["parent"]) if row["parent"] else None
        if row["parent"] and parent is None:
            parent = Region.objects.get(code=row["parent"])
        values = {
            "name": row["name"],
            "level": row["level"],
            "parent": parent,
            "path": f"{parent.path}/{row['code']}" if parent else row["code"],
            "aliases": _split(row["aliases"]),
            "former_codes": _split(row["former_codes"]),
            "note": row.get("note") or "",
        }
        region = Region.objects.filter(code=row["code"]).first()
        if region is None:
            region = Region.objects.create(code=row["code"], **values)
            created += 1
        elif any(getattr(region, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(region, k, v)
            region.save()
            updated += 1
        else:
            unchanged += 1
        by_code[region.code] = region
    return LoadReport(created, updated, unchanged)


@transaction.atomic
def units_load(*, path: Path = DATA / "units.csv") -> LoadReport:
    created = updated = unchanged = 0
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            values = {
                "name": row["name"],
                "region": Region.objects.get(code=row["region"]),
                "kind": row["kind"],
                "aliases": _split(row["aliases"]),
            }
            unit = BudgetUnit.objects.filter(code=row["code"]).first()
            if unit is None:
                BudgetUnit.objects.create(code=row["code"], **values)
                created += 1
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(unit, k, v)
                unit.save()
                updated += 1
            else:
                unchanged += 1
    return LoadReport(created, updated, unchanged)
