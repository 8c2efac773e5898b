"""Benchmark: treasury-payment import at national scale on PostgreSQL, next to a bare COPY of the same rows.

Run with ``make bench`` (a throwaway cluster through scripts/with-postgres.sh) or
``bash scripts/with-postgres.sh .venv/bin/python bench/bench_ledger.py [--payments N]``. It migrates the empty
database, builds the synthetic national ledger (fundflow.ledger.synthetic: 31 provinces, ~2,850 counties,
100 fund programs, indicators four levels deep), writes N payments as a CSV file (default 1,000,000), then:

1. bare COPY: the file's bytes COPY'd (FORMAT csv) into an unindexed table of the same columns;
2. import: ``fundflow.ledger.payments.import_payments`` with every check on (stream → COPY into staging →
   set-based SQL validation with indicator locks → INSERT … SELECT into the indexed ledger_payment);

and prints rows/s of both, their ratio (target ≥ 0.5, goal ≥ 0.7) and the peak memory (max RSS) of the process;
then, on the same database (the imported payments included), the median of 5 runs of the 直达资金监控 query
(one fund program, whole national tree) and of one trace from a top (central) indicator down to every payment
(targets < 300 ms and < 100 ms). Figures are recorded in docs/performance.md.

``--scale small`` builds the same regions with 10 fund programs instead of 100 (about 6 s instead of a minute)
for quick iterations; publish figures measured at the default ``--scale national``. ``--profile`` also prints
the import's cProfile top functions and each SQL statement's duration with its plan (auto_explain, ANALYZE).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _median_ms(run: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def monitoring_and_trace() -> None:
    """The 直达资金监控 query (one fund, whole tree) and one trace from a top indicator: median of 5 runs each."""
    import datetime

    from fundflow.ledger import synthetic
    from fundflow.ledger.models import Indicator
    from fundflow.ledger.monitoring import monitor, trace_indicator

    fund = "合成资金001"
    as_of = datetime.date(synthetic.YEAR, 12, 31)
    rows = len(monitor(fund=fund, year=synthetic.YEAR, as_of=as_of).rows)
    ms = _median_ms(lambda: monitor(fund=fund, year=synthetic.YEAR, as_of=as_of))
    print(f"monitoring (1 fund, {rows} regions): {ms:>8.1f} ms  (median of 5; target < 300 ms)")
    top = Indicator.objects.filter(fund=fund, parent__isnull=True).order_by("bgt_id").first()
    assert top is not None
    tree = trace_indicator(top)

    def count(node: dict[str, Any]) -> tuple[int, int]:
        nodes, payments = 1, len(node["payments"])
        for child in node["children"]:
            n, p = count(child)
            nodes, payments = nodes + n, payments + p
        return nodes, payments

    nodes, payments = count(tree)
    ms = _median_ms(lambda: trace_indicator(top))
    print(f"trace ({nodes} indicators, {payments} payments): {ms:>8.1f} ms  (median of 5; target < 100 ms)")


def _explain_notices() -> None:
    """Every statement's plan with actual times, as notices printed to stdout (auto_explain)."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    raw.add_notice_handler(lambda diag: print(f"--- {diag.message_primary}"))
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET auto_explain.log_min_duration = 20")
        cursor.execute("SET auto_explain.log_analyze = on")
        cursor.execute("SET auto_explain.log_level = notice")
        cursor.execute("SET client_min_messages = notice")


def _import(path: Path, profile: bool) -> tuple[Any, float]:
    from fundflow.ledger.payments import import_payments

    if not profile:
        started = time.perf_counter()
        report = import_payments(user=None, filename=path.name, source=path, evaluate=False)
        return report, time.perf_counter() - started
    import cProfile
    import pstats

    _explain_notices()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    report = import_payments(user=None, filename=path.name, source=path, evaluate=False)
    profiler.disable()
    seconds = time.perf_counter() - started
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return report, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=1_000_000, help="payments to import (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--scale", choices=["national", "small"], default="national")
    parser.add_argument("--profile", action="store_true", help="cProfile and auto_explain of the import")
    args = parser.parse_args()
    _setup()
    from fundflow.ledger import synthetic

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    started = time.perf_counter()
    programs = synthetic.PROGRAMS if args.scale == "national" else 10
    national = synthetic.build_national(args.seed, programs)
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
        report, imported = _import(path, args.profile)
    n = args.payments
    print(f"bare COPY (unindexed table):   {n / bare:>12,.0f} rows/s  ({bare:.2f} s)")
    print(f"payment import, all checks:    {n / imported:>12,.0f} rows/s  ({imported:.2f} s; matched {report.matched})")
    print(f"ratio import / bare COPY:      {bare / imported:.2f}  (target ≥ 0.5, goal ≥ 0.7)")
    print(f"peak memory (max RSS):         {_rss_mib():.0f} MiB (before the import {rss_before:.0f} MiB)")
    monitoring_and_trace()


if __name__ == "__main__":
    main()
