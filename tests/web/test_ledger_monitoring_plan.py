"""直达资金监控 at scale: the payments of one fund are reached from that fund's indicators, never by a scan.

At national scale (200,000 payments straight after a bulk import, statistics not yet gathered) the aggregate
joined payments to indicators and PostgreSQL started from every matched payment of every fund (950 ms for one
fund). The payments branch now probes ``ledger_pay_monitor`` once per indicator of the fund; these tests pin that
plan on PostgreSQL and the figures with other funds' payments present on both databases.
"""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal

import pytest

from fundflow.ledger import monitoring
from tests.web.ledger_chain import FUND, YEAR, build_chain

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
END = datetime.date(2021, 12, 31)
OTHER_PAYMENTS = 3000


def _other_fund_payments(chain):
    """Many matched payments on an indicator of another fund (bulk insert: no ANALYZE, as after an import)."""
    from fundflow.ledger.models import Indicator, Payment

    i4 = chain["I4"]
    other = Indicator.objects.get(pk=i4.pk)
    other.pk = None
    other.bgt_id = "OTHER-1"
    other.fund = "另一项资金"
    other.parent = None
    other.save()
    Payment.objects.bulk_create(
        Payment(
            payer_region=i4.holder_region,
            pay_app_no=f"OTHER-{n}",
            pay_date=datetime.date(2021, 6, 1),
            fiscal_year=YEAR,
            indicator=other,
            bgt_id=other.bgt_id,
            agency_name="某单位",
            amount=Decimal("1.00"),
            status="matched",
        )
        for n in range(OTHER_PAYMENTS)
    )


def test_monitor_ignores_other_funds_payments(reference):
    chain = build_chain()
    _other_fund_payments(chain)
    rows = {r.code: r.figures for r in monitoring.monitor(fund=FUND, year=YEAR, as_of=END).rows}
    assert rows["654221"].spent_own == Decimal("190000.00")
    assert rows["650000"].spent_total == Decimal("223333.33")
    other = {r.code: r.figures for r in monitoring.monitor(fund="另一项资金", year=YEAR, as_of=END).rows}
    assert other["654221"].spent_own == Decimal("3000.00")
    # No source indicator in the ledger: the top of a chain, received and allocated by its issuer.
    assert (other["654221"].received, other["654221"].allocated_own) == (Decimal("500000.00"), Decimal("500000.00"))


@pytest.mark.skipif(not ON_POSTGRES, reason="plans are PostgreSQL's; the PostgreSQL CI run executes it")
def test_monitor_reads_payments_through_the_fund_s_indicators(reference):
    from django.db import connection

    from fundflow.ledger.models import Indicator

    chain = build_chain()
    _other_fund_payments(chain)
    # The national shape: many indicators of the fund (analysed), payments not analysed since their bulk insert.
    i4 = chain["I4"]
    Indicator.objects.bulk_create(
        Indicator(
            bgt_id=f"MANY-{n}",
            fiscal_year=YEAR,
            document=i4.document,
            cor_doc_no=i4.cor_doc_no,
            issuer=i4.issuer,
            rec_unit=i4.rec_unit,
            holder_region=i4.holder_region,
            fund=FUND,
            project_name="医疗救助",
            amount=Decimal("1.00"),
            kind="normal",
            marker_code="01",
            marker_name="中央直达资金",
            status="received",
        )
        for n in range(20000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_indicator")
    sql, scope = monitoring._region_flows_sql(None)
    params = [FUND, YEAR, END, *scope, FUND, YEAR, END, *scope, END, FUND, YEAR, *scope]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    payment_nodes = [line for line in plan.splitlines() if " on ledger_payment " in line]
    assert payment_nodes, plan
    assert all("ledger_pay_monitor on ledger_payment" in line for line in payment_nodes), plan
    # Probed per indicator of the fund (the alias is i_2 or so: the third branch's copy of ``i``).
    assert re.search(r"Index Cond: \(\(indicator_id = i(_\d+)?\.id\)", plan), plan


@pytest.mark.skipif(not ON_POSTGRES, reason="JIT is PostgreSQL's; the PostgreSQL CI run executes it")
def test_monitor_statement_runs_without_jit_and_restores_the_setting(reference):
    """JIT compiling the statement cost ~430 ms at national scale for a ~40 ms query; the caller's setting stays."""
    from django.db import connection, transaction

    build_chain()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = on")
        with monitoring._without_jit(cursor):
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
        rows = monitoring.monitor(fund=FUND, year=YEAR, as_of=END).rows
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
    assert [r.code for r in rows] == ["650000", "654200", "654221", "654300"]
