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


# Sibling lines, each with a distinctive 文号, name and amount, so a page that leaks them is caught by its content.
SIBLING_MARKS = {
    # what: (文号 or number, holder name, amount as it would appear in 元)
    "toli": ("托财社〔2021〕4号", "托里县", "77777.00"),
    "unit_ty": ("塔地财社〔2021〕6号", "塔城地区退役军人事务局", "55555.00"),
    "altay": ("阿地财社〔2021〕7号", "布尔津县", "123456.00"),
}
SIBLING_PAYMENTS = {"toli": "PTL6", "unit_ty": "PTY7", "altay": "PBJ8"}


def build_siblings(chain):
    """Beside ``build_chain``: 塔城 → 托里县 (a sibling county of 额敏县) spent by 托里县 in its own document,
    塔城 → 地区退役军人事务局 (a sibling unit of 地区医疗保障局) with a payment, 阿勒泰 → 布尔津县 (a sibling
    prefecture's county) with a payment, and one open warning on each of them and on 额敏县's and 医疗保障局's lines."""
    from fundflow.ledger.models import Document, Indicator, Payment, Warning
    from fundflow.regions.models import BudgetUnit, Region

    reg = {c: Region.objects.get(code=c) for c in ("654200", "654224", "654300", "654321")}
    unit_ty = BudgetUnit.objects.get(code="654200-TY")

    def doc(no, issuer, date):
        return Document.objects.create(
            issuer=reg[issuer], doc_no=no, title=f"{no}文件", doc_date=date, budget_year=YEAR, fiscal_year=YEAR
        )

    def ind(bgt_id, document, issuer, amount, parent, region=None, unit=None):
        return Indicator.objects.create(
            bgt_id=bgt_id,
            fiscal_year=YEAR,
            document=document,
            cor_doc_no=document.doc_no,
            sup_doc_no=parent.cor_doc_no,
            parent=parent,
            ori_bgt_id=parent.bgt_id,
            issuer=reg[issuer],
            rec_region=reg[region] if region else None,
            rec_unit=unit,
            holder_region=unit.region if unit else reg[region],
            fund=FUND,
            project_name="医疗救助",
            amount=Decimal(amount),
            marker_code="01",
            marker_name="中央直达资金",
            status="received",
        )

    t2 = ind(
        "T2",
        doc(SIBLING_MARKS["toli"][0], "654200", datetime.date(2021, 2, 2)),
        "654200",
        "77777.00",
        chain["I1"],
        region="654224",
    )
    u2 = ind(
        "U2",
        doc(SIBLING_MARKS["unit_ty"][0], "654200", datetime.date(2021, 2, 3)),
        "654200",
        "55555.00",
        chain["I1"],
        unit=unit_ty,
    )
    a2 = ind(
        "A2",
        doc(SIBLING_MARKS["altay"][0], "654300", datetime.date(2021, 2, 4)),
        "654300",
        "123456.00",
        chain["I1B"],
        region="654321",
    )

    def pay(no, payer, indicator, amount, agency):
        return Payment(
            payer_region=reg[payer],
            pay_app_no=no,
            pay_date=datetime.date(2021, 3, 30),
            fiscal_year=YEAR,
            indicator=indicator,
            bgt_id=indicator.bgt_id,
            agency_name=agency,
            payee="某医院",
            amount=Decimal(amount),
            status="matched",
        )

    Payment.objects.bulk_create(
        [
            pay(SIBLING_PAYMENTS["toli"], "654224", t2, "4444.44", "托里县卫生健康委员会"),
            pay(SIBLING_PAYMENTS["unit_ty"], "654200", u2, "6666.66", unit_ty.name),
            pay(SIBLING_PAYMENTS["altay"], "654321", a2, "2222.22", "布尔津县人民医院"),
        ]
    )

    def warn(indicator, text):
        return Warning.objects.create(
            rule_id="warn.spending-behind",
            severity="warning",
            subject_kind="indicator",
            subject_id=indicator.pk,
            region=indicator.holder_region,
            fiscal_year=YEAR,
            message=text,
            details={"subject": indicator.bgt_id},
        )

    warnings = {
        "toli": warn(t2, "托里县支出进度预警"),
        "unit_ty": warn(u2, "退役军人事务局支出进度预警"),
        "altay": warn(a2, "布尔津县支出进度预警"),
        "emin": warn(chain["I4"], "额敏县医疗保障局支出进度预警"),
        "unit_yb": warn(chain["I3"], "地区医疗保障局支出进度预警"),
    }
    return {"T2": t2, "U2": u2, "A2": a2, "warnings": warnings}
