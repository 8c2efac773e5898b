"""Ledger services on seed 001 (新财社〔2020〕34号, 101782 万元): issue, receive, re-allocate down the chain
自治区 → 塔城地区 → 额敏县 → 额敏县医疗保障局, amend; every refusal names its rule and writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from fundflow.allocations import services as alloc
from fundflow.allocations.services import ServiceError
from fundflow.io.plan_writer import plan_to_yaml
from fundflow.io.plan_yaml import load_plan
from fundflow.ledger import services as ledger
from fundflow.ledger.models import Document, DocumentSequence, Indicator, PlanSource
from tests.conftest import EXAMPLES

SEED_DOC = "新财社〔2020〕34号"
SEED_DATE = datetime.date(2020, 11, 20)

COUNTY_SPEC = """\
title: 塔城地区医疗救助补助资金分配表
fund: 随便写的资金名称
year: 2021
unit: 万元
total: 1
method: factor
rounding: {places: 0, mode: half_up}
apportion: hierarchical
factors:
  - {name: 困难群众人数因素, weight: 100%, counts: [低保对象人数]}
labels: {group: 地州市名称, name: 县市区名称}
"""
UNIT_SPEC = """\
title: 额敏县医疗救助补助资金分配表
year: 2021
unit: 元
method: fixed
rounding: {places: 2, mode: half_up}
labels: {name: 单位}
"""


@pytest.fixture
def seed_plan(users):
    plan = load_plan(EXAMPLES / "xinjiang-2021-medical-aid.yaml")
    return alloc.plan_seed(
        user=users["region"],
        plan=plan,
        spec_yaml=plan_to_yaml(plan, rows=False),
        document_number=SEED_DOC,
        approve=True,
    )


@pytest.fixture
def issued(users, seed_plan):
    return ledger.issue_plan(user=users["region"], plan=seed_plan, doc=ledger.DocFields(doc_date=SEED_DATE))


def _tacheng(document):
    return document.indicators.get(rec_region__code="654200")


def _snapshot():
    return (
        list(Document.objects.values_list("doc_no", flat=True).order_by("doc_no")),
        list(Indicator.objects.values_list("bgt_id", "amount", "status").order_by("bgt_id")),
        list(DocumentSequence.objects.values_list("prefix", "year", "last_number").order_by("prefix", "year")),
        PlanSource.objects.count(),
    )


def _refused(rule, call):
    before = _snapshot()
    with pytest.raises(ServiceError) as exc:
        call()
    assert rule in [p.rule for p in exc.value.problems], exc.value.problems
    assert _snapshot() == before
    return exc.value


def _approve(user, plan):
    plan.refresh_from_db()
    alloc.plan_compute(user=user, plan=plan, version=plan.version)
    plan.refresh_from_db()
    alloc.plan_approve(user=user, plan=plan, version=plan.version)
    plan.refresh_from_db()
    return plan


def test_issue_seed_001_to_the_prefectures(issued, seed_plan):
    assert issued.doc_no == SEED_DOC
    assert (issued.prefix, issued.year, issued.number) == ("新财社", 2020, 34)
    assert issued.advance is True  # a 2021 plan issued in 2020
    assert issued.plan_id == seed_plan.pk
    indicators = list(issued.indicators.all())
    assert len(indicators) == 14  # one per prefecture: the 97 county lines are routed one level down
    assert sum(i.amount for i in indicators) == Decimal("1017820000.00")
    groups = {g["name"]: Decimal(g["amount"]) * 10000 for g in seed_plan.result_json["groups"]}
    for ind in indicators:
        assert ind.amount == groups[ind.rec_region.name]
        assert ind.rec_region.level == "prefecture"
        assert (ind.status, ind.cor_doc_no, ind.sup_doc_no, ind.parent) == ("pending", SEED_DOC, "", None)
        assert ind.fund == seed_plan.fund
        assert ind.bgt_id.startswith("6500002021")
    tacheng = _tacheng(issued)
    tacheng_lines = [ln["recipient"] for ln in seed_plan.result_json["lines"] if ln["group"] == "塔城地区"]
    assert tacheng.plan_line["lines"] == tacheng_lines
    assert "额敏县" in tacheng_lines
    assert DocumentSequence.objects.get(prefix="新财社", year=2020).last_number == 34


def test_issue_refusals_write_nothing(users, issued, seed_plan, plans):
    _refused("ledger.plan-issued", lambda: ledger.issue_plan(user=users["region"], plan=seed_plan))
    draft = plans["region"]
    _refused("ledger.plan-not-approved", lambda: ledger.issue_plan(user=users["region"], plan=draft))
    approved = _approve(users["region"], draft)
    _refused(
        "ledger.doc-no-taken",
        lambda: ledger.issue_plan(
            user=users["region"], plan=approved, doc=ledger.DocFields(doc_no="新财社[2020]34 号")
        ),
    )
    _refused(
        "ledger.doc-no-format",
        lambda: ledger.issue_plan(user=users["region"], plan=approved, doc=ledger.DocFields(doc_no="新财社2020年35号")),
    )
    with pytest.raises(ServiceError):  # a prefecture cannot issue the 自治区's plan
        ledger.issue_plan(user=users["tacheng"], plan=approved, doc=ledger.DocFields(prefix="塔地财社"))


def test_automatic_numbering_follows_manual_numbers(users, issued, plans):
    approved = _approve(users["region"], plans["region"])
    doc = ledger.issue_plan(
        user=users["region"], plan=approved, doc=ledger.DocFields(prefix="新财社", doc_date=datetime.date(2020, 12, 1))
    )
    assert doc.doc_no == "新财社〔2020〕35号"  # after the manually entered 34号, never reusing it


def test_receive_and_its_refusals(users, issued):
    tacheng = _tacheng(issued)
    _refused("ledger.wrong-holder", lambda: ledger.receive(user=users["emin"], indicator=tacheng))
    got = ledger.receive(user=users["tacheng"], indicator=tacheng, income_code="1100249")
    assert (got.status, got.received_income_code, got.received_by) == ("received", "1100249", users["tacheng"])
    assert got.history.first().history_user == users["tacheng"]
    assert got.history.count() == 2
    _refused("ledger.already-received", lambda: ledger.receive(user=users["tacheng"], indicator=tacheng))


def _reallocate_to_counties(users, tacheng_ind):
    plan = ledger.plan_from_indicator(user=users["tacheng"], indicator=tacheng_ind, spec_yaml=COUNTY_SPEC)
    rows = "分组,名称,低保对象人数\n塔城地区,额敏县,6580\n塔城地区,托里县,4451\n".encode()
    alloc.recipients_import(user=users["tacheng"], plan=plan, filename="r.csv", content=rows, version=plan.version)
    return _approve(users["tacheng"], plan)


def test_chain_region_prefecture_county_unit(users, issued):
    tacheng = ledger.receive(user=users["tacheng"], indicator=_tacheng(issued), income_code="1100249")
    plan = _reallocate_to_counties(users, tacheng)
    assert plan.fund == tacheng.fund  # taken from the indicator, not from the spec
    assert plan.total == tacheng.amount
    _refused(
        "ledger.not-received",
        lambda: ledger.plan_from_indicator(
            user=users["emin"], indicator=issued.indicators.get(rec_region__code="654300"), spec_yaml=COUNTY_SPEC
        ),
    )

    doc = ledger.issue_plan(
        user=users["tacheng"], plan=plan, doc=ledger.DocFields(prefix="塔地财社", doc_date=datetime.date(2021, 1, 8))
    )
    assert doc.doc_no == "塔地财社〔2021〕1号"
    plan.refresh_from_db()
    assert plan.document_number == "塔地财社〔2021〕1号"  # the plan list shows the document it was issued as
    assert plan.history.latest().history_user == users["tacheng"]
    children = {i.rec_region.name: i for i in doc.indicators.all()}
    assert set(children) == {"额敏县", "托里县"}
    assert sum(i.amount for i in children.values()) == tacheng.amount
    emin = children["额敏县"]
    assert (emin.parent, emin.ori_bgt_id, emin.sup_doc_no, emin.cor_doc_no) == (
        tacheng,
        tacheng.bgt_id,
        SEED_DOC,
        "塔地财社〔2021〕1号",
    )
    assert (emin.fund, emin.marker_code, emin.project_name) == (tacheng.fund, tacheng.marker_code, tacheng.project_name)
    assert ledger.figures_of(tacheng).available == Decimal("0.00")

    emin = ledger.receive(user=users["emin"], indicator=emin)
    unit_plan = ledger.plan_from_indicator(user=users["emin"], indicator=emin, spec_yaml=UNIT_SPEC)
    rows = f"名称,金额\n额敏县医疗保障局,{emin.amount}\n".encode()
    alloc.recipients_import(
        user=users["emin"], plan=unit_plan, filename="u.csv", content=rows, version=unit_plan.version
    )
    unit_plan = _approve(users["emin"], unit_plan)
    unit_doc = ledger.issue_plan(
        user=users["emin"], plan=unit_plan, doc=ledger.DocFields(prefix="额财社", doc_date=datetime.date(2021, 2, 1))
    )
    [leaf] = unit_doc.indicators.all()
    assert (leaf.rec_unit.name, leaf.holder_region.code, leaf.status) == ("额敏县医疗保障局", "654221", "received")
    assert (leaf.amount, leaf.parent, leaf.sup_doc_no) == (emin.amount, emin, "塔地财社〔2021〕1号")


def test_reissue_cannot_exceed_available(users, issued):
    tacheng = ledger.receive(user=users["tacheng"], indicator=_tacheng(issued))
    plan = _reallocate_to_counties(users, tacheng)
    # The 自治区 recalls 1 元 of 塔城's indicator after the plan was made: the plan no longer fits.
    recall = ledger.amend(
        user=users["region"],
        document=issued,
        kind="recall",
        lines=[ledger.AmendLine(tacheng, Decimal("1.00"))],
        doc=ledger.DocFields(prefix="新财社"),
    )
    assert recall.amends == issued
    assert ledger.figures_of(tacheng).available == tacheng.amount - Decimal("1.00")
    err = _refused(
        "ledger.exceeds-available",
        lambda: ledger.issue_plan(user=users["tacheng"], plan=plan, doc=ledger.DocFields(prefix="塔地财社")),
    )
    assert f"可用余额 {tacheng.amount - 1:.2f} 元" in err.problems[0].message


def test_amendments(users, issued):
    tacheng = _tacheng(issued)
    add = ledger.amend(
        user=users["region"],
        document=issued,
        kind="add",
        lines=[ledger.AmendLine(tacheng, Decimal("5000.00"))],
        doc=ledger.DocFields(prefix="新财社", doc_date=datetime.date(2021, 3, 1)),
    )
    assert (add.kind, add.amends, add.doc_no) == ("add", issued, "新财社〔2021〕1号")
    [extra] = add.indicators.all()
    assert (extra.amount, extra.rec_region, extra.status) == (Decimal("5000.00"), tacheng.rec_region, "pending")
    _refused(
        "ledger.reduction-exceeds-available",
        lambda: ledger.amend(
            user=users["region"],
            document=issued,
            kind="reduce",
            lines=[ledger.AmendLine(tacheng, tacheng.amount + Decimal("0.01"))],
            doc=ledger.DocFields(prefix="新财社"),
        ),
    )
    _refused(
        "ledger.amount-not-positive",
        lambda: ledger.amend(
            user=users["region"],
            document=issued,
            kind="add",
            lines=[ledger.AmendLine(tacheng, Decimal("0"))],
            doc=ledger.DocFields(prefix="新财社"),
        ),
    )
    _refused("ledger.amend-kind", lambda: ledger.amend(user=users["region"], document=issued, kind="issue", lines=[]))
    reduce = ledger.amend(
        user=users["region"],
        document=issued,
        kind="reduce",
        lines=[ledger.AmendLine(tacheng, Decimal("100.00"))],
        doc=ledger.DocFields(prefix="新财社", doc_date=datetime.date(2021, 3, 2)),
    )
    [row] = reduce.indicators.all()
    assert (row.kind, row.amount, row.reduces) == ("reduction", Decimal("-100.00"), tacheng)
    assert ledger.figures_of(tacheng).available == tacheng.amount - Decimal("100.00")


ADVANCE_SPEC = """\
title: 2021年优抚对象医疗补助资金预拨表
fund: 优抚对象医疗补助资金
year: 2021
unit: 万元
method: fixed
rounding: {places: 2, mode: half_up}
labels: {name: 县市}
"""


def _settlement(users):
    plan = load_plan(EXAMPLES / "settlement-illustration.yaml")
    return alloc.plan_seed(
        user=users["tacheng"],
        plan=plan,
        spec_yaml=plan_to_yaml(plan, rows=False),
        document_number="塔地财社〔2021〕20号",
        approve=True,
    )


def test_negative_settlement_without_advance_is_refused(users):
    plan = _settlement(users)
    err = _refused(
        "ledger.reduction-no-target",
        lambda: ledger.issue_plan(user=users["tacheng"], plan=plan, doc=ledger.DocFields(prefix="塔地财社")),
    )
    assert "沙湾市" in err.problems[0].message


def test_negative_settlement_reduces_the_advance(users):
    advance = alloc.plan_create(user=users["tacheng"], spec_yaml=ADVANCE_SPEC)
    rows = "名称,金额\n额敏县,12.00\n沙湾市,13.50\n托里县,8.00\n".encode()
    alloc.recipients_import(user=users["tacheng"], plan=advance, filename="a.csv", content=rows, version=1)
    advance = _approve(users["tacheng"], advance)
    adv_doc = ledger.issue_plan(user=users["tacheng"], plan=advance, doc=ledger.DocFields(doc_no="塔地财社〔2021〕8号"))
    shawan_adv = adv_doc.indicators.get(rec_region__name="沙湾市")
    assert shawan_adv.amount == Decimal("135000.00")
    doc = ledger.issue_plan(user=users["tacheng"], plan=_settlement(users), doc=ledger.DocFields(prefix="塔地财社"))
    rows = {(i.rec_region.name, i.kind): i for i in doc.indicators.all()}
    reduction = rows[("沙湾市", "reduction")]
    assert (reduction.amount, reduction.reduces) == (Decimal("-15600.00"), shawan_adv)
    assert ledger.figures_of(shawan_adv).available == Decimal("119400.00")
    assert rows[("额敏县", "normal")].amount == Decimal("26300.00")
