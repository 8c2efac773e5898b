"""直达资金监控 and trace on a constructed chain: exact figures, as-of cut-off, reductions, roll-up, scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.ledger import monitoring
from tests.web.ledger_chain import FUND, YEAR, build_chain

END = datetime.date(2021, 12, 31)
ZERO_ = Decimal("0.00")


@pytest.fixture
def chain(reference):
    return build_chain()


def _rows(result):
    return {r["code"]: r for r in result.as_json()["regions"]}


def test_monitor_figures_on_the_chain(chain):
    rows = _rows(monitoring.monitor(fund=FUND, year=YEAR, as_of=END))
    assert list(rows) == ["650000", "654200", "654221", "654300"]
    assert rows["650000"] == {
        "code": "650000",
        "name": "新疆维吾尔自治区",
        "level": "自治区",
        "parent": None,
        "received": "1300000.00",
        "allocated_own": "0.00",
        "allocated_lower": "1300000.00",
        "unallocated": "0.00",
        "spent_own": "0.00",
        "spent_total": "223333.33",
        "allocation_progress": "100.00",
        "spending_progress": "17.18",
    }
    tc = rows["654200"]
    assert (tc["received"], tc["allocated_own"], tc["allocated_lower"], tc["unallocated"]) == (
        "1000000.00",
        "200000.00",
        "550000.00",  # 600000 issued to 额敏县 less the 50000 reduction
        "250000.00",
    )
    assert (tc["spent_own"], tc["spent_total"], tc["allocation_progress"], tc["spending_progress"]) == (
        "33333.33",
        "223333.33",
        "75.00",
        "22.33",
    )
    em = rows["654221"]
    assert (em["received"], em["allocated_own"], em["allocated_lower"], em["unallocated"]) == (
        "550000.00",
        "500000.00",
        "0.00",
        "50000.00",
    )
    assert (em["spent_own"], em["spent_total"], em["allocation_progress"], em["spending_progress"]) == (
        "190000.00",  # 120000 + 80000 − 10000 refund; the waiting payment counts nowhere
        "190000.00",
        "90.91",
        "34.55",
    )
    assert em["parent"] == "654200"
    assert em["level"] == "县市区"
    assert rows["654300"]["spending_progress"] == "0.00"


def test_monitor_as_of_cuts_documents_and_payments(chain):
    rows = _rows(monitoring.monitor(fund=FUND, year=YEAR, as_of=datetime.date(2021, 3, 16)))
    assert rows["654221"]["received"] == "600000.00"  # the reduction of 2021-04-01 is not there yet
    assert rows["654221"]["spent_own"] == "120000.00"
    assert rows["654200"]["spent_own"] == "0.00"
    assert rows["654200"]["spending_progress"] == "12.00"
    early = _rows(monitoring.monitor(fund=FUND, year=YEAR, as_of=datetime.date(2021, 1, 31)))
    assert list(early) == ["650000", "654200", "654300"]
    assert early["654200"]["unallocated"] == "1000000.00"
    assert early["654200"]["allocation_progress"] == "0.00"


def test_monitor_other_fund_or_year_is_empty(chain):
    assert monitoring.monitor(fund="别的资金", year=YEAR, as_of=END).rows == []
    assert monitoring.monitor(fund=FUND, year=2022, as_of=END).rows == []


def test_monitor_within_a_subtree_and_for_a_unit(chain):
    from fundflow.regions.models import BudgetUnit, Region

    county = monitoring.monitor(fund=FUND, year=YEAR, as_of=END, within=Region.objects.get(code="654221"))
    assert [r.code for r in county.rows] == ["654221"]
    assert county.rows[0].figures.spent_total == Decimal("190000.00")
    pref = monitoring.monitor(fund=FUND, year=YEAR, as_of=END, within=Region.objects.get(code="654200"))
    assert [r.code for r in pref.rows] == ["654200", "654221"]
    assert pref.rows[0].figures.spent_total == Decimal("223333.33")
    unit = monitoring.monitor(fund=FUND, year=YEAR, as_of=END, unit=BudgetUnit.objects.get(code="654200-YB"))
    [line] = unit.as_json()["regions"]
    assert (line["code"], line["name"], line["received"], line["spent_own"], line["spending_progress"]) == (
        "654200-YB",
        "塔城地区医疗保障局",
        "200000.00",
        "33333.33",
        "16.67",
    )


def test_trace_indicator_from_the_top(chain):
    tree = monitoring.trace_indicator(chain["I4"])
    assert tree["id"] == "I1"
    assert tree["doc_no"] == "新财社〔2021〕1号"
    assert tree["holder"] == "塔城地区"
    assert (tree["amount"], tree["available"]) == ("1000000.00", "250000.00")
    assert [c["id"] for c in tree["children"]] == ["I2", "I3", "R1"]
    i2, i3, r1 = tree["children"]
    assert (i2["amount"], i2["available"]) == ("600000.00", "50000.00")  # 600000 − 50000 reduced − 500000 issued
    assert (r1["amount"], r1["kind"], r1["children"]) == ("-50000.00", "reduction", [])
    assert i3["available"] == "166666.67"
    assert [p["pay_app_no"] for p in i3["payments"]] == ["P4"]
    [i4] = i2["children"]
    assert (i4["holder"], i4["sup_doc_no"], i4["available"]) == ("额敏县医疗保障局", "塔地财社〔2021〕5号", "310000.00")
    assert [(p["pay_app_no"], p["amount"]) for p in i4["payments"]] == [
        ("P1", "120000.00"),
        ("P2", "80000.00"),
        ("P3", "-10000.00"),
    ]
    assert set(i4) == {
        "id",
        "doc_no",
        "sup_doc_no",
        "holder",
        "holder_code",
        "kind",
        "amount",
        "available",
        "children",
        "payments",
    }
    assert set(i4["payments"][0]) == {"pay_app_no", "pay_date", "payer", "payee", "amount"}


def test_trace_document_lists_each_indicator_tree(chain):
    doc = monitoring.trace_document(chain["D2"])
    assert (doc["doc_no"], doc["issuer"], doc["doc_date"]) == ("塔地财社〔2021〕5号", "塔城地区", "2021-02-01")
    assert [t["id"] for t in doc["indicators"]] == ["I2", "I3"]
    assert doc["indicators"][0]["children"][0]["id"] == "I4"


def test_trace_in_a_county_scope_starts_at_its_own_line(chain, users):
    from fundflow.ledger.selectors import indicators_visible_to

    tree = monitoring.trace_indicator(chain["I4"], indicators_visible_to(users["emin"]))
    assert tree["id"] == "I2"
    assert [c["id"] for c in tree["children"]] == ["I4"]


# ---------------------------------------------------------------- property: roll-up over random trees


# (region, parent region) pairs down the chain; units by region.
CHILD_REGIONS = {
    "650000": ["654200", "654300"],
    "654200": ["654221", "654224"],
    "654300": [],
    "654221": [],
    "654224": [],
}
UNITS = {"654200": "654200-YB", "654221": "654221-YB"}

steps = st.lists(
    st.tuples(st.integers(0, 50), st.integers(0, 3), st.integers(1, 500_00), st.booleans()), min_size=1, max_size=25
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_level_totals_are_own_plus_children(reference, steps):
    """Random issue trees and payments: spent_total = spent_own + Σ children; sums match a brute-force count."""
    from django.db import transaction

    from fundflow.ledger.models import Document, Indicator, Payment
    from fundflow.regions.models import BudgetUnit, Region

    with transaction.atomic():
        regions = {r.code: r for r in Region.objects.filter(code__in=list(CHILD_REGIONS))}
        units = {code: BudgetUnit.objects.get(code=u) for code, u in UNITS.items()}
        doc = Document.objects.create(
            issuer=regions["650000"],
            doc_no="测〔2021〕1号",
            title="t",
            doc_date=END,
            budget_year=YEAR,
            fiscal_year=YEAR,
        )
        top = Indicator.objects.create(
            bgt_id="T0",
            fiscal_year=YEAR,
            document=doc,
            cor_doc_no=doc.doc_no,
            issuer=regions["650000"],
            rec_region=regions["654200"],
            holder_region=regions["654200"],
            fund=FUND,
            amount=Decimal("1000000.00"),
        )
        nodes = [top]
        paid: dict[str, Decimal] = {}
        for n, (pick, choice, cents, pay) in enumerate(steps):
            parent = nodes[pick % len(nodes)]
            amount = Decimal(cents) / 100
            holder = parent.holder_region.code
            if pay or parent.rec_unit_id is not None:
                Payment.objects.create(
                    payer_region=parent.holder_region,
                    pay_app_no=f"P{n}",
                    pay_date=END,
                    fiscal_year=YEAR,
                    indicator=parent,
                    bgt_id=parent.bgt_id,
                    agency_name="a",
                    amount=amount,
                )
                paid[holder] = paid.get(holder, ZERO_) + amount
                continue
            below = CHILD_REGIONS[holder]
            to_unit = choice == 0 or not below
            if to_unit and holder not in UNITS:
                continue
            kwargs = (
                {"rec_unit": units[holder], "holder_region": regions[holder]}
                if to_unit
                else {
                    "rec_region": regions[below[choice % len(below)]],
                    "holder_region": regions[below[choice % len(below)]],
                }
            )
            nodes.append(
                Indicator.objects.create(
                    bgt_id=f"N{n}",
                    fiscal_year=YEAR,
                    document=doc,
                    cor_doc_no=doc.doc_no,
                    parent=parent,
                    issuer=parent.holder_region,
                    fund=FUND,
                    amount=amount,
                    **kwargs,
                )
            )
        result = monitoring.monitor(fund=FUND, year=YEAR, as_of=END)
        rows = {r.code: r for r in result.rows}
        for r in rows.values():
            kids = [c for c in rows.values() if c.parent == r.code]
            assert r.figures.spent_total == r.figures.spent_own + sum((c.figures.spent_total for c in kids), ZERO_)
            assert r.figures.spent_own == paid.get(r.code, ZERO_)
            held = Indicator.objects.filter(rec_region__code=r.code, rec_unit__isnull=True)
            assert r.figures.received == sum((i.amount for i in held), ZERO_) + (
                Decimal("1000000.00") if r.code == "650000" else ZERO_
            )
        assert rows["650000"].figures.spent_total == sum(paid.values(), ZERO_)
        transaction.set_rollback(True)
