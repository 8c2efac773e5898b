"""Benchmark: the 直达资金监控 query and one trace on a synthetic ledger built by this script.

Run: ``PYTHONPATH=src python bench/bench_monitor.py`` (SQLite in a temp directory) or, on PostgreSQL,
``PYTHONPATH=src bash scripts/with-postgres.sh python bench/bench_monitor.py``. Size: ``BENCH_FUNDS`` fund
programs (default 20) issued 自治区 → 14 地州市 → ~97 县市 in Xinjiang's built-in region tree, each county line
carved into ``BENCH_LINES`` (default 4) unit-level lines held by the county, and ``BENCH_PAYMENTS`` payments
(default 1,000,000) spread over all lines (deterministic, ``random.Random(2021)``). Prints the build time, then the
median of 5 runs of the monitoring query (one fund, whole tree) and of a trace from a top indicator. Targets:
monitoring < 300 ms, trace < 100 ms (docs/performance.md § 直达资金监控). Until helper L1's national generator and
bench/bench_ledger.py land, this is the monitoring bench; it writes payments with bulk_create (a bench fixture,
not the import path).
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal

SEED = 2021
FUNDS = int(os.environ.get("BENCH_FUNDS", "20"))
LINES = int(os.environ.get("BENCH_LINES", "4"))
PAYMENTS = int(os.environ.get("BENCH_PAYMENTS", "1000000"))
RUNS = 5
YEAR = 2021


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ.setdefault("FUNDFLOW_DATA_DIR", tempfile.mkdtemp(prefix="fundflow-bench-"))
    os.environ.setdefault("FUNDFLOW_SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundflow.settings.local")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from fundflow.regions.services import regions_load, units_load

    regions_load()
    units_load()


def build() -> tuple[str, int]:
    """Documents, indicators and payments; returns (a fund name, the pk of one top indicator)."""
    from django.db import connection, transaction

    from fundflow.ledger.models import Document, Indicator, Payment
    from fundflow.regions.models import Region

    rng = random.Random(SEED)
    top = Region.objects.get(code="650000")
    prefectures = list(top.children.all())
    counties = {p.pk: list(p.children.all()) for p in prefectures}
    date = datetime.date(YEAR, 1, 10)
    leaves: list[Indicator] = []
    seq = 0

    def ind(doc: Document, issuer: Region, holder: Region, fund: str, amount: Decimal, parent: Indicator | None):
        nonlocal seq
        seq += 1
        return Indicator(
            bgt_id=f"B{seq:012d}", fiscal_year=YEAR, document=doc, cor_doc_no=doc.doc_no,
            sup_doc_no=parent.cor_doc_no if parent else "", parent=parent, issuer=issuer, rec_region=holder,
            holder_region=holder, fund=fund, amount=amount, status="received",
        )  # fmt: skip

    with transaction.atomic():
        for f in range(FUNDS):
            fund = f"基准资金{f:03d}"
            d1 = Document.objects.create(
                issuer=top, doc_no=f"新财基〔{YEAR}〕{f + 1}号", title=fund, doc_date=date,
                budget_year=YEAR, fiscal_year=YEAR,
            )  # fmt: skip
            tops = Indicator.objects.bulk_create(
                [ind(d1, top, p, fund, Decimal("100000000.00"), None) for p in prefectures]
            )
            for t, p in zip(tops, prefectures, strict=True):
                d2 = Document.objects.create(
                    issuer=p, doc_no=f"{p.code}财基〔{YEAR}〕{f + 1}号", title=fund, doc_date=date,
                    budget_year=YEAR, fiscal_year=YEAR,
                )  # fmt: skip
                mids = Indicator.objects.bulk_create(
                    [ind(d2, p, c, fund, Decimal("5000000.00"), t) for c in counties[p.pk]]
                )
                for m, c in zip(mids, counties[p.pk], strict=True):
                    d3 = Document.objects.create(
                        issuer=c, doc_no=f"{c.code}财基〔{YEAR}〕{f + 1}号", title=fund, doc_date=date,
                        budget_year=YEAR, fiscal_year=YEAR,
                    )  # fmt: skip
                    # Lines held by the county itself (its own spending): enough to carry the payments.
                    leaves += Indicator.objects.bulk_create(
                        [ind(d3, c, c, fund, Decimal("1000000.00"), m) for _ in range(LINES)]
                    )
    batch: list[Payment] = []
    start = datetime.date(YEAR, 1, 11)
    for n in range(PAYMENTS):
        leaf = leaves[rng.randrange(len(leaves))]
        batch.append(
            Payment(
                payer_region_id=leaf.holder_region_id, pay_app_no=f"PAY{n:010d}",
                pay_date=start + datetime.timedelta(days=rng.randrange(340)), fiscal_year=YEAR,
                indicator_id=leaf.pk, bgt_id=leaf.bgt_id, agency_name="基准单位",
                amount=Decimal(rng.randrange(100, 50000)) / 100,
            )
        )  # fmt: skip
        if len(batch) == 20000:
            Payment.objects.bulk_create(batch)
            batch = []
    Payment.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    first = Indicator.objects.filter(fund="基准资金000", parent__isnull=True).order_by("pk").first()
    assert first is not None
    return "基准资金000", first.pk


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    setup()
    from django.db import connection

    from fundflow.ledger.models import Indicator, Payment
    from fundflow.ledger.monitoring import monitor, trace_indicator

    t0 = time.perf_counter()
    fund, top_pk = build()
    built = time.perf_counter() - t0
    print(f"database: {connection.vendor}; python {sys.version.split()[0]}")
    print(f"built {Indicator.objects.count():,} indicators, {Payment.objects.count():,} payments in {built:.1f} s")
    as_of = datetime.date(YEAR, 12, 31)
    rows = len(monitor(fund=fund, year=YEAR, as_of=as_of).rows)
    ms = timed(lambda: monitor(fund=fund, year=YEAR, as_of=as_of))
    print(f"monitoring ({fund}, {rows} regions): median {ms:.1f} ms (target < 300 ms)")
    top = Indicator.objects.get(pk=top_pk)
    tree = trace_indicator(top)
    paid = sum(len(n["payments"]) for c in tree["children"] for n in c["children"])
    ms = timed(lambda: trace_indicator(top))
    print(f"trace (top indicator {top.bgt_id}, {len(tree['children'])} county lines, {paid:,} payments): "
          f"median {ms:.1f} ms (target < 100 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
