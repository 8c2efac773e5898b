"""Reference data of the ledger: the direct-fund markers (直达资金标识). Idempotent like the regions loader."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from fundflow.ledger.models import DirectFundMarker
from fundflow.regions.services import LoadReport

DATA = Path(__file__).resolve().parent / "data"


@transaction.atomic
def markers_load(*, path: Path = DATA / "markers.csv") -> LoadReport:
    """Create or update markers from the CSV, keyed by (code, name); loading twice changes nothing."""
    tally = {"created": 0, "updated": 0, "unchanged": 0}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            marker = DirectFundMarker.objects.filter(code=row["code"], name=row["name"]).first()
            if marker is None:
                DirectFundMarker.objects.create(code=row["code"], name=row["name"], scope=row["scope"])
                tally["created"] += 1
            elif marker.scope != row["scope"]:
                marker.scope = row["scope"]
                marker.save(update_fields=["scope"])
                tally["updated"] += 1
            else:
                tally["unchanged"] += 1
    return LoadReport(**tally)
