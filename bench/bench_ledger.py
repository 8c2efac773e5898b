"""Benchmark: treasury-payment import at national scale on PostgreSQL, next to a bare COPY of the same rows.

Run with ``make bench`` (a throwaway cluster through scripts/with-postgres.sh) or
``bash scripts/with-postgres.sh .venv/bin/python bench/bench_ledger.py [--payments N]``. It migrates the empty
database, builds the synthetic national ledger (fundflow.ledger.synthetic: 31 provinces, ~2,850 counties,
100 fund programs, indicators four levels deep), writes N payments as a CSV file (default 1,000,000), then:

1. bare COPY: the file's bytes COPY'd (FORMAT csv) into an unindexed table of the same columns;
2. import: ``fundflow.ledger.payments.import_payments`` with every check on (stream → COPY into staging →
   set-based SQL validation with indicator locks → INSERT … SELECT into the indexed ledger_payment);

and prints rows/s of both, their ratio (target ≥ 0.5, goal ≥ 0.7) and the peak memory (max RSS) of the process.
Figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_ledger: needs PostgreSQL — run through scripts/with-postgres.sh (make bench)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundflow.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_copy(path: Path) -> float:
    """Seconds to COPY the file into an unindexed table (the baseline)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare (pay_app_no varchar(60), pay_date date, bgt_id varchar(38), agency_name "
            "varchar(255), payee varchar(255), amount numeric(18,2), ori_pay_app_no varchar(60), func_code "
            "varchar(13), use_des varchar(255), payer varchar(64))"
        )
        started = time.perf_counter()
        with path.open("rb") as fh, cursor.cursor.copy("COPY bench_bare FROM STDIN (FORMAT csv, HEADER)") as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
    return seconds


def monitoring_and_trace() -> None:
    """Placeholder for the monitoring query and one trace at national scale (filled by the monitoring work)."""
    print("monitoring / trace: (not measured here yet)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=1_000_000, help="payments to import (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    _setup()
    from fundflow.ledger import synthetic
    from fundflow.ledger.payments import import_payments

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    started = time.perf_counter()
    national = synthetic.build_national(args.seed)
    synthetic.link_parents()
    print(
        f"national ledger: {national.regions} regions, {national.units} units, {national.documents} documents, "
        f"{national.indicators} indicators in {time.perf_counter() - started:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "payments.csv"
        started = time.perf_counter()
        synthetic.write_payments(path, national, args.payments, args.seed)
        size = path.stat().st_size
        print(
            f"payments file: {args.payments} rows, {size / 2**20:.1f} MiB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        national.leaves.clear()
        rss_before = _rss_mib()
        bare = bare_copy(path)
        started = time.perf_counter()
        report = import_payments(user=None, filename=path.name, source=path, evaluate=False)  # the import alone
        imported = time.perf_counter() - started
    n = args.payments
    print(f"bare COPY (unindexed table):   {n / bare:>12,.0f} rows/s  ({bare:.2f} s)")
    print(f"payment import, all checks:    {n / imported:>12,.0f} rows/s  ({imported:.2f} s; matched {report.matched})")
    print(f"ratio import / bare COPY:      {bare / imported:.2f}  (target ≥ 0.5, goal ≥ 0.7)")
    print(f"peak memory (max RSS):         {_rss_mib():.0f} MiB (before the import {rss_before:.0f} MiB)")
    monitoring_and_trace()


if __name__ == "__main__":
    main()
