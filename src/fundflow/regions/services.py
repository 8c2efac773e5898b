"""Loading reference data. Idempotent: loading twice changes nothing the second time."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _upsert(model: Any, code: str, values: dict[str, Any]) -> tuple[Any, str]:
    """Create the row with ``code``, or update only the fields that differ (so history records real changes)."""
    obj = model.objects.filter(code=code).first()
    if obj is None:
        return model.objects.create(code=code, **values), "created"
    if not any(getattr(obj, k) != v for k, v in values.items()):
        return obj, "unchanged"
    for k, v in values.items():
        setattr(obj, k, v)
    obj.save()
    return obj, "updated"


@transaction.atomic
def regions_load(*, path: Path = DATA / "xinjiang.csv") -> LoadReport:
    """Create or update regions from the CSV (parents before children), keyed by code."""
    tally = {"created": 0, "updated": 0, "unchanged": 0}
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
        region, outcome = _upsert(Region, row["code"], values)
        tally[outcome] += 1
        by_code[region.code] = region
    return LoadReport(**tally)


@transaction.atomic
def units_load(*, path: Path = DATA / "units.csv") -> LoadReport:
    tally = {"created": 0, "updated": 0, "unchanged": 0}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            values = {
                "name": row["name"],
                "region": Region.objects.get(code=row["region"]),
                "kind": row["kind"],
                "aliases": _split(row["aliases"]),
            }
            _, outcome = _upsert(BudgetUnit, row["code"], values)
            tally[outcome] += 1
    return LoadReport(**tally)
