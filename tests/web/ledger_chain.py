"""A constructed ledger chain for monitoring and trace tests, written straight through the ORM.

自治区 (650000) → 塔城地区 (654200) → 额敏县 (654221) → 额敏县医疗保障局, a sibling 阿勒泰地区 line, a unit line at
塔城 (地区医疗保障局), a reduction (扣回) of 额敏县's line, payments at two levels with a refund, and one payment
waiting to be matched (it counts nowhere). Payments are test fixtures (bulk_create), not an import.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

FUND = "医疗救助补助资金"
YEAR = 2021


def build_chain():
    from fundflow.ledger.models import Document, Indicator, Payment
    from fundflow.regions.models import BudgetUnit, Region

    reg = {c: Region.objects.get(code=c) for c in ("650000", "654200", "654221", "654300")}
    unit_tc = BudgetUnit.objects.get(code="654200-YB")
    unit_em = BudgetUnit.objects.get(code="654221-YB")

    def doc(no, issuer, date, kind="issue"):
        return Document.objects.create(
            issuer=reg[issuer],
            doc_no=no,
            title=f"{no}文件",
            doc_date=date,
            budget_year=YEAR,
            fiscal_year=YEAR,
            kind=kind,
        )

    def ind(bgt_id, document, issuer, amount, parent=None, region=None, unit=None, reduces=None):
        return Indicator.objects.create(
            bgt_id=bgt_id,
            fiscal_year=YEAR,
            document=document,
            cor_doc_no=document.doc_no,
            sup_doc_no=parent.cor_doc_no if parent else "",
            parent=parent,
            ori_bgt_id=parent.bgt_id if parent else "",
            issuer=reg[issuer],
            rec_region=reg[region] if region else None,
            rec_unit=unit,
            holder_region=unit.region if unit else reg[region],
            fund=FUND,
            project_name="医疗救助",
            amount=Decimal(amount),
            kind="reduction" if Decimal(amount) < 0 else "normal",
            reduces=reduces,
            marker_code="01",
            marker_name="中央直达资金",
            status="received",
        )

    d1 = doc("新财社〔2021〕1号", "650000", datetime.date(2021, 1, 10))
    d2 = doc("塔地财社〔2021〕5号", "654200", datetime.date(2021, 2, 1))
    d3 = doc("额财社〔2021〕3号", "654221", datetime.date(2021, 3, 1))
    d4 = doc("塔地财社〔2021〕9号", "654200", datetime.date(2021, 4, 1), kind="reduce")
    i1 = ind("I1", d1, "650000", "1000000.00", region="654200")
    i1b = ind("I1B", d1, "650000", "300000.00", region="654300")
    i2 = ind("I2", d2, "654200", "600000.00", parent=i1, region="654221")
    i3 = ind("I3", d2, "654200", "200000.00", parent=i1, unit=unit_tc)
    i4 = ind("I4", d3, "654221", "500000.00", parent=i2, unit=unit_em)
    r1 = ind("R1", d4, "654200", "-50000.00", parent=i1, region="654221", reduces=i2)

    def pay(no, payer, indicator, date, amount, agency):
        return Payment(
            payer_region=reg[payer],
            pay_app_no=no,
            pay_date=date,
            fiscal_year=YEAR,
            indicator=indicator,
            bgt_id=indicator.bgt_id if indicator else "UNKNOWN",
            agency_name=agency,
            payee="某医院",
            amount=Decimal(amount),
            status="matched" if indicator else "unmatched",
        )

    Payment.objects.bulk_create(
        [
            pay("P1", "654221", i4, datetime.date(2021, 3, 15), "120000.00", unit_em.name),
            pay("P2", "654221", i4, datetime.date(2021, 5, 10), "80000.00", unit_em.name),
            pay("P3", "654221", i4, datetime.date(2021, 5, 20), "-10000.00", unit_em.name),
            pay("P4", "654200", i3, datetime.date(2021, 3, 20), "33333.33", unit_tc.name),
            pay("P5", "654221", None, datetime.date(2021, 3, 21), "999.00", unit_em.name),
        ]
    )
    return {"I1": i1, "I1B": i1b, "I2": i2, "I3": i3, "I4": i4, "R1": r1, "D1": d1, "D2": d2, "D3": d3, "D4": d4}
